"""The content of a service item: what a version carries and approval serves.

`ItemContent` is the typed form services take; `content_clean` checks it (coded errors);
`content_to_json` is what a ServiceItemVersion stores; `content_apply` writes it onto the
item and its materials when it is served."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.utils.translation import gettext

from hongmian.catalog.models import NAME_MAX, CertificateType, Material, ServiceItem
from hongmian.catalog.states import (
    Channel,
    ItemLevel,
    ItemType,
    MaterialForm,
    MaterialSource,
    OnlineDepth,
)
from hongmian.core.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class MaterialSpec:
    """One material as a version carries it; `certificate_codes` are CertificateType codes."""

    name: str
    form: str = MaterialForm.ORIGINAL
    source: str = MaterialSource.APPLICANT
    copies: int = 1
    required: bool = True
    note: str = ""
    certificate_codes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ItemContent:
    """Every versioned field of an item (the code and the department are the item's own)."""

    name: str
    item_type: str = ItemType.PUBLIC_SERVICE
    level: str = ItemLevel.CITY
    summary: str = ""
    conditions: str = ""
    legal_limit_days: int | None = None
    promised_limit_days: int | None = None
    charges_fee: bool = False
    fee_note: str = ""
    online_depth: int = OnlineDepth.INFO
    channels: tuple[str, ...] = ()
    appointment_required: bool = False
    partner_cities: tuple[str, ...] = ()
    code_service: bool = False
    for_persons: bool = True
    for_enterprises: bool = False
    required_level: int = 1
    materials: tuple[MaterialSpec, ...] = field(default=())


SCALAR_FIELDS = tuple(f for f in ItemContent.__dataclass_fields__ if f != "materials")


def _invalid(message: str, field_name: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field_name: [message]})


def _choice(value: Any, choices: Any, field_name: str, label: str) -> Any:
    try:
        return choices(value).value
    except ValueError:
        raise _invalid(
            gettext("未知的%(label)s：%(value)s") % {"label": label, "value": value},
            field_name,
            f"service_item.{field_name}_invalid",
        ) from None


def _days(value: int | None, field_name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value > 3650:
        raise _invalid(
            gettext("时限应为0至3650的工作日数：%(value)s") % {"value": value},
            field_name,
            "service_item.time_limit_invalid",
        )
    return value


def _names(values: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def content_clean(content: ItemContent) -> ItemContent:
    """`content` with its text tidied, or a ValidationFailed naming the first bad field."""
    name = " ".join((content.name or "").split())
    if not name:
        raise _invalid(gettext("请填写事项名称"), "name", "service_item.name_required")
    if len(name) > NAME_MAX:
        raise _invalid(
            gettext("事项名称不能超过%(NAME_MAX)s个字") % {"NAME_MAX": NAME_MAX},
            "name",
            "service_item.name_too_long",
        )
    legal = _days(content.legal_limit_days, "legal_limit_days")
    promised = _days(content.promised_limit_days, "promised_limit_days")
    if legal is not None and promised is not None and promised > legal:
        raise _invalid(
            gettext("承诺时限不能长于法定时限"),
            "promised_limit_days",
            "service_item.promise_exceeds_law",
        )
    if content.required_level not in (1, 2, 3):
        raise _invalid(
            gettext("实名等级应为1至3：%(required_level)s")
            % {"required_level": content.required_level},
            "required_level",
            "service_item.required_level_invalid",
        )
    if not (content.for_persons or content.for_enterprises):
        raise _invalid(
            gettext("请至少选择一类服务对象"), "for_persons", "service_item.audience_required"
        )
    materials = []
    for spec in content.materials:
        material_name = " ".join((spec.name or "").split())
        if not material_name or len(material_name) > NAME_MAX:
            raise _invalid(
                gettext("材料名称为空或过长"), "materials", "service_item.material_invalid"
            )
        materials.append(
            replace(
                spec,
                name=material_name,
                form=_choice(spec.form, MaterialForm, "materials", "材料形式"),
                source=_choice(spec.source, MaterialSource, "materials", "材料来源"),
                copies=max(1, int(spec.copies)),
                certificate_codes=_names(spec.certificate_codes),
            )
        )
    return replace(
        content,
        name=name,
        item_type=_choice(content.item_type, ItemType, "item_type", "事项类型"),
        level=_choice(content.level, ItemLevel, "level", "行使层级"),
        online_depth=_choice(content.online_depth, OnlineDepth, "online_depth", "网办深度"),
        channels=tuple(
            _choice(c, Channel, "channels", "办理渠道") for c in _names(content.channels)
        ),
        partner_cities=_names(content.partner_cities),
        summary=content.summary.strip(),
        conditions=content.conditions.strip(),
        fee_note=content.fee_note.strip(),
        legal_limit_days=legal,
        promised_limit_days=promised,
        materials=tuple(materials),
    )


def content_to_json(content: ItemContent) -> dict[str, Any]:
    data = asdict(content)
    data["channels"] = list(content.channels)
    data["partner_cities"] = list(content.partner_cities)
    data["materials"] = [
        {**asdict(m), "certificate_codes": list(m.certificate_codes)} for m in content.materials
    ]
    return data


def content_from_json(data: Mapping[str, Any]) -> ItemContent:
    scalars = {k: data[k] for k in SCALAR_FIELDS if k in data}
    scalars["channels"] = tuple(scalars.get("channels", ()))
    scalars["partner_cities"] = tuple(scalars.get("partner_cities", ()))
    materials = tuple(
        MaterialSpec(**{**m, "certificate_codes": tuple(m.get("certificate_codes", ()))})
        for m in data.get("materials", ())
    )
    return ItemContent(**scalars, materials=materials)


def content_of(item: ServiceItem) -> ItemContent:
    """What `item` serves now, materials included."""
    materials = tuple(
        MaterialSpec(
            name=m.name,
            form=m.form,
            source=m.source,
            copies=m.copies,
            required=m.required,
            note=m.note,
            certificate_codes=tuple(c.code for c in m.certificate_types.all()),
        )
        for m in item.materials.prefetch_related("certificate_types")
    )
    scalars = {k: getattr(item, k) for k in SCALAR_FIELDS}
    scalars["channels"] = tuple(item.channels)
    scalars["partner_cities"] = tuple(item.partner_cities)
    return ItemContent(**scalars, materials=materials)


def certificate_types_check(content: ItemContent) -> dict[str, CertificateType]:
    """The certificate types `content` names, or a ValidationFailed naming an unknown one."""
    codes = {c for m in content.materials for c in m.certificate_codes}
    if not codes:
        return {}
    known = {t.code: t for t in CertificateType.objects.filter(code__in=codes)}
    missing = sorted(codes - set(known))
    if missing:
        raise _invalid(
            gettext("未知的电子证照类型：%(value0)s") % {"value0": "、".join(missing)},
            "materials",
            "service_item.certificate_type_unknown",
        )
    return known


def content_apply(
    item: ServiceItem, content: ItemContent, *, materials_changed: bool = True
) -> None:
    """Write `content` onto `item` (saved) and replace its materials. Inside the caller's
    transaction, after `content_clean`."""
    for name in SCALAR_FIELDS:
        value = getattr(content, name)
        setattr(item, name, list(value) if isinstance(value, tuple) else value)
    item.save()
    if not materials_changed:
        return
    types = certificate_types_check(content)
    item.materials.all().delete()
    rows = Material.objects.bulk_create(
        Material(
            item=item,
            position=i,
            name=m.name,
            form=m.form,
            source=m.source,
            copies=m.copies,
            required=m.required,
            note=m.note,
        )
        for i, m in enumerate(content.materials, start=1)
    )
    links = [
        Material.certificate_types.through(material_id=row.pk, certificatetype_id=types[code].pk)
        for row, spec in zip(rows, content.materials, strict=True)
        for code in spec.certificate_codes
    ]
    if links:
        Material.certificate_types.through.objects.bulk_create(links)


def date_or_none(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None
