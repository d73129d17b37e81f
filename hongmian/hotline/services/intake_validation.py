"""受理 — checking and normalising a request before it becomes a work order: the text
limits, choices, the caller's phone, coordinates inside Guangzhou, the category, whose
records a citizen may file for, and the parsed address. Nothing here writes.

`IntakeRequest` is the request as every door hands it to the intake services (the API's
schema, the console and citizen forms, Open311, the demo); `intake_prepare` turns one into a
PreparedIntake: the unsaved order (no number yet), its idempotency key and the fingerprint
a retry must match. Invalid input raises ValidationFailed with a `work_order.<field>` code.

`IntakeRequest`, the limits and `validate_caller_phone` are public (schemas, forms, imports,
selectors and the callback import them from here). The rest is not a public API.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from decimal import Decimal, InvalidOperation
from typing import Any, Self

from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.errors import PermissionDenied, ValidationFailed
from hongmian.core.validators import validate_mobile
from hongmian.geo.address import parse_address
from hongmian.hotline import notifications, permissions
from hongmian.hotline.models import Category, WorkOrder
from hongmian.hotline.states import Channel, Priority, RequestType
from hongmian.identity.models import Enterprise, Person, User
from hongmian.identity.states import Role

TITLE_MAX = 200
# A blank title is derived (`derive_title`): the content's first clause, at most this long,
# after the category's name. Every door follows the same rule (decision 0030).
DERIVED_TITLE_LENGTH = 30
_CLAUSE_END = re.compile(r"[。！？!?；;，,、\n]")
CONTENT_MAX = 5_000
CALLER_NAME_MAX = 50
ADDRESS_MAX = 300
KEY_MAX = 100
# Guangzhou spans about 22°26′–23°56′ N and 112°57′–114°03′ E; the box adds a small margin.
# A point outside it is a client's mistake (most often latitude and longitude swapped), and a
# unit sent to the wrong end of the map is worse than an order without a point.
GUANGZHOU_LATITUDE = (Decimal("22.35"), Decimal("24.00"))
GUANGZHOU_LONGITUDE = (Decimal("112.90"), Decimal("114.10"))
# A fixed line: area code, 7–8 digits, an optional extension (分机). Area codes that start
# 01 or 02 have three digits (010 Beijing, 020 Guangzhou …), all others four (0757 Foshan),
# which is what tells 02012345678 apart without a dash.
_LANDLINE = re.compile(
    r"^(0[12]\d|0[3-9]\d{2})-?(\d{7,8})(?:(?:-|转|#|ext\.?)(\d{1,6}))?$", re.IGNORECASE
)
# A Guangzhou number dialled without its area code (8 digits, never starting with 0 or 1).
_LOCAL_LANDLINE = re.compile(r"^[2-9]\d{7}$")


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=f"work_order.{field}", fields={field: [message]})


def validate_caller_phone(value: str) -> str:
    """A mobile (13812345678, +86 138 1234 5678) or a fixed line (020-12345678,
    02012345678-123, or 87654321 meaning Guangzhou's 020). Returns the normalised number:
    11 digits for a mobile, "AREA-NUMBER[-EXT]" for a fixed line."""
    raw = re.sub(r"[\s()（）]", "", value or "")
    if not raw:
        return ""
    try:
        return validate_mobile(raw)
    except ValidationFailed:
        pass
    if match := _LANDLINE.match(raw):
        area, number, extension = match.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    if _LOCAL_LANDLINE.match(raw):
        return f"020-{raw}"
    raise _invalid(
        "caller_phone", gettext("联系电话应为手机号码或带区号的固定电话（如 020-12345678）")
    )


def derive_title(content: str, category: Category | None = None) -> str:
    """The title of a request given without one: "分类名：" and the content's first clause
    (cut at DERIVED_TITLE_LENGTH characters), so a list of orders still reads at a glance."""
    text = content.strip()
    clause = next((part.strip() for part in _CLAUSE_END.split(text) if part.strip()), text)
    clause = clause[:DERIVED_TITLE_LENGTH]
    return f"{category.name}：{clause}" if category is not None else clause


def _text(value: Any, field: str, *, limit: int, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise _invalid(field, gettext("应为文本"))
    cleaned = value.strip()
    if required and not cleaned:
        raise _invalid(field, gettext("不能为空"))
    if len(cleaned) > limit:
        raise _invalid(field, gettext("不能超过 %(limit)s 字") % {"limit": limit})
    return cleaned


# The choices' values, computed once (`Choices.values` builds a new list on every access).
_CHOICE_VALUES = {cls: frozenset(cls.values) for cls in (Channel, RequestType, Priority)}


def _choice(value: Any, field: str, choices: type[Channel | RequestType | Priority]) -> str:
    if not isinstance(value, str) or value not in _CHOICE_VALUES[choices]:
        raise _invalid(field, gettext("“%(value)s”不是有效的选项") % {"value": value})
    return str(value)


def _coordinate(value: Any, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise _invalid(field, gettext("坐标应为数字")) from None
    if not number.is_finite():
        raise _invalid(field, gettext("坐标应为数字"))
    try:
        return number.quantize(Decimal("0.000001"))
    except InvalidOperation:
        # Too large to hold to the micro-degree (1e308): the range check refuses it.
        return number


def _coordinates(latitude: Any, longitude: Any) -> tuple[Decimal | None, Decimal | None]:
    if latitude is None and longitude is None:
        return None, None
    if latitude is None or longitude is None:
        message = "经度和纬度须同时填写"
        raise ValidationFailed(
            message,
            code="work_order.coordinates",
            fields={"latitude": [message], "longitude": [message]},
        )
    lat, lon = _coordinate(latitude, "latitude"), _coordinate(longitude, "longitude")
    if not GUANGZHOU_LATITUDE[0] <= lat <= GUANGZHOU_LATITUDE[1] or not (
        GUANGZHOU_LONGITUDE[0] <= lon <= GUANGZHOU_LONGITUDE[1]
    ):
        message = "坐标不在广州市范围内（请检查经纬度是否填反）"
        raise ValidationFailed(
            message,
            code="work_order.coordinates",
            fields={"latitude": [message], "longitude": [message]},
        )
    return lat, lon


def _category(value: Category | str | None) -> Category | None:
    """A Category, or its code (the Open311 service_code). Unknown or inactive: refused."""
    if value is None or value == "":
        return None
    if isinstance(value, Category):
        category: Category | None = value
    else:
        category = Category.objects.filter(code=str(value)).first()
    if category is None or not category.is_active:
        raise _invalid("category", gettext("诉求分类不存在或已停用"))
    return category


def _caller_records(
    user: User | None, person: Person | None, enterprise: Enterprise | None
) -> tuple[Person | None, Enterprise | None]:
    """The public file for themselves: their own person record, an enterprise they act for."""
    if user is None or user.role not in (Role.CITIZEN, Role.ENTERPRISE_REP):
        return person, enterprise
    own = Person.objects.filter(user=user).first()
    if person is None:
        person = own
    elif own is None or person.pk != own.pk:
        raise _invalid("caller_person", gettext("只能以本人身份提交诉求"))
    if enterprise is not None and not enterprise.representatives.filter(pk=user.pk).exists():
        raise _invalid("caller_enterprise", gettext("只能代表本人所属企业提交诉求"))
    return person, enterprise


def _fingerprint(payload: dict[str, Any]) -> str:
    canonical = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class IntakeRequest:
    """One request to record as a work order (受理), as a door received it: not yet checked.
    `intake_prepare` checks and normalises every field; the idempotency key travels beside
    the request, not in it (it names the attempt, not what is asked).

    The fields, as normalised, are also what the idempotency fingerprint covers: a field
    added here changes the fingerprint of every request, and a stored key retried after the
    upgrade would no longer match (tests/test_intake.py pins a fingerprint)."""

    channel: str
    request_type: str
    # May be blank: the order then gets `derive_title(content, category)`.
    title: str
    content: str
    caller_name: str = ""
    caller_phone: str = ""
    confidential: bool = False
    caller_person: Person | None = None
    caller_enterprise: Enterprise | None = None
    address: str = ""
    # WGS84 decimal degrees, both or neither; text and floats are read as decimals.
    latitude: Decimal | float | str | None = None
    longitude: Decimal | float | str | None = None
    # A Category, or its code (the API's and Open311's service_code).
    category: Category | str | None = None
    priority: str = Priority.NORMAL
    is_enterprise: bool = False
    is_emergency: bool = False
    external_ref: str = ""

    @classmethod
    def from_values(cls, values: Mapping[str, Any], **fixed: Any) -> Self:
        """The request that `values` (a form's cleaned data, a schema's dump) describe: the
        names that are fields of a request, the others (an idempotency key, an answer …)
        left out; `fixed` sets what the door decides itself (the channel of a citizen page)."""
        names = _REQUEST_FIELDS.difference(fixed)
        return cls(**{k: v for k, v in values.items() if k in names}, **fixed)

    def as_dict(self) -> dict[str, Any]:
        """Field name → value; the related rows stay rows (no deep copy, as `asdict` makes)."""
        return {name: getattr(self, name) for name in _REQUEST_FIELD_ORDER}


_REQUEST_FIELD_ORDER = tuple(f.name for f in fields(IntakeRequest))
_REQUEST_FIELDS = frozenset(_REQUEST_FIELD_ORDER)


@dataclass
class PreparedIntake:
    """A validated request: the unsaved order (no number yet), its key and fingerprint."""

    order: WorkOrder
    key: str | None
    fingerprint: str
    email: bool  # whether the caller has an address the e-mail notice could go to


def intake_prepare(
    *,
    actor: Actor,
    request: IntakeRequest,
    idempotency_key: str | None = None,
    categories: dict[str, Category | None] | None = None,
) -> PreparedIntake:
    """Validate one request (no writes). `categories` caches category look-ups by code
    across the items of a batch."""
    user = actor.user
    channel = _choice(request.channel, "channel", Channel)
    if channel == Channel.SYSTEM and not permissions.is_system_actor(actor):
        # A system alert is the platform's word: no account files one (services/alerts.py).
        raise PermissionDenied(
            gettext("无权通过该渠道登记诉求"), code="work_order.intake_forbidden"
        )
    if not permissions.is_system_actor(actor) and not permissions.can_intake(user, channel):
        raise PermissionDenied(
            gettext("无权通过该渠道登记诉求"), code="work_order.intake_forbidden"
        )
    request_type = _choice(request.request_type, "request_type", RequestType)
    priority = _choice(request.priority, "priority", Priority)
    title = _text(request.title, "title", limit=TITLE_MAX)
    content = _text(request.content, "content", limit=CONTENT_MAX, required=True)
    caller_name = _text(request.caller_name, "caller_name", limit=CALLER_NAME_MAX)
    caller_phone = validate_caller_phone(_text(request.caller_phone, "caller_phone", limit=40))
    address = _text(request.address, "address", limit=ADDRESS_MAX)
    external_ref = _text(request.external_ref, "external_ref", limit=KEY_MAX)
    lat, lon = _coordinates(request.latitude, request.longitude)
    category = request.category
    if categories is not None and isinstance(category, str) and category:
        if category not in categories:
            categories[category] = Category.objects.filter(code=category).first()
        category = categories[category] or Category(code=category, is_active=False)
    category_row = _category(category)
    title = title or derive_title(content, category_row)[:TITLE_MAX]
    caller_person, caller_enterprise = _caller_records(
        user, request.caller_person, request.caller_enterprise
    )
    key = None
    if idempotency_key is not None:
        key = _text(idempotency_key, "idempotency_key", limit=KEY_MAX, required=True)
        if user is None:
            # Keys are scoped to an account; without one a retry could not be recognised.
            raise _invalid("idempotency_key", gettext("幂等键需要登录账号"))

    # The request as normalised: what the order stores and what the fingerprint covers.
    cleaned = replace(
        request,
        channel=channel,
        request_type=request_type,
        priority=priority,
        title=title,
        content=content,
        caller_name=caller_name,
        caller_phone=caller_phone,
        confidential=bool(request.confidential),
        caller_person=caller_person,
        caller_enterprise=caller_enterprise,
        address=address,
        latitude=lat,
        longitude=lon,
        category=category_row,
        is_enterprise=bool(request.is_enterprise) or caller_enterprise is not None,
        is_emergency=bool(request.is_emergency),
        external_ref=external_ref,
    ).as_dict()
    fingerprint = ""
    if key is not None:
        fingerprint = _fingerprint(
            {name: getattr(value, "pk", value) for name, value in cleaned.items()}
        )
    parsed = parse_address(address) if address else None
    order = WorkOrder(
        **cleaned,
        submitted_by=user,
        idempotency_key=key,
        idempotency_fingerprint=fingerprint,
        district_code=parsed.district.code if parsed and parsed.district else "",
        street_code=parsed.street.code if parsed and parsed.street else "",
        address_confidence=parsed.confidence if parsed else 0,
    )
    email = notifications.email_known(user=user, person=caller_person)
    return PreparedIntake(order=order, key=key, fingerprint=fingerprint, email=email)
