"""Status attributes (状态属性): the types and which units are authorised for each, and an
authorised unit setting or clearing a value on a person's code. Each change is a transition
(states.ATTRIBUTE_TRANSITIONS) on a locked row, audited with the unit that made it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.citycode import permissions
from hongmian.citycode.models import Attribute, AttributeType
from hongmian.citycode.selectors import attribute_types_of_unit, person_by_resident_id
from hongmian.citycode.services.codes import holder_of
from hongmian.citycode.states import ATTRIBUTE_TRANSITIONS, AttributeStatus
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.transitions import assert_transition
from hongmian.identity.models import OrgUnit, Person

# The longest validity a unit may give at once: a status must be re-confirmed at least yearly.
MAX_DAYS = 366


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code=f"citycode.attribute_{field}", fields={field: [message]})


def attribute_type_save(
    *,
    actor: Actor,
    code: str,
    name: str,
    authorised_units: Sequence[OrgUnit],
    values: Sequence[str] = (),
    default_days: int = 30,
) -> AttributeType:
    """Create or update a type and the units authorised for it (the registry's keeper)."""
    if actor.user is not None and not permissions.can_manage_registry(actor.user):
        raise PermissionDenied(
            gettext("无权管理状态属性类型"), code="citycode.attribute_type_forbidden"
        )
    code, name = code.strip(), name.strip()
    if not code or not name or len(code) > 40 or len(name) > 50:
        raise _invalid("type", gettext("请填写代码（40 字以内）和名称（50 字以内）"))
    if not 1 <= default_days <= MAX_DAYS:
        raise _invalid("default_days", gettext("默认有效天数应在 1–366 之间"))
    with transaction.atomic():
        row, created = AttributeType.objects.update_or_create(
            code=code, defaults={"name": name, "values": list(values), "default_days": default_days}
        )
        row.authorised_units.set(authorised_units)
        audit_record(
            actor=actor,
            action="citycode.attribute_type_create"
            if created
            else "citycode.attribute_type_update",
            target=row,
            after={"name": name, "values": list(values), "units": [u.pk for u in authorised_units]},
        )
    return row


def _authorised_type(actor: Actor, type_code: str) -> tuple[AttributeType, OrgUnit]:
    user = actor.user
    unit = user.org_unit if user is not None else None
    if unit is None or not permissions.can_set_attributes(user):
        raise PermissionDenied(gettext("无权设置状态属性"), code="citycode.attribute_forbidden")
    row = AttributeType.objects.filter(code=type_code).first()
    if row is None:
        raise _invalid("type", gettext("状态属性类型不存在"))
    if not attribute_types_of_unit(unit).filter(pk=row.pk).exists():
        raise PermissionDenied(
            gettext("本单位未获授权设置“%(name)s”") % {"name": row.name},
            code="citycode.attribute_unit_not_authorised",
        )
    return row, unit


def attribute_set(
    *,
    actor: Actor,
    person: Person | str,
    type_code: str,
    value: str,
    valid_until: dt.datetime | None = None,
) -> Attribute:
    """Set `type_code` = `value` on the person's code until `valid_until` (the type's default
    days when None). The active value of the type, if any, is superseded. `person` may be a
    resident ID number: it is looked up only once the unit's authorisation is checked (an
    unauthorised unit learns nothing of who exists)."""
    attr_type, unit = _authorised_type(actor, type_code)
    if isinstance(person, str):
        person = person_by_resident_id(person)
    value = (value or "").strip()
    if not value or len(value) > 40:
        raise _invalid("value", gettext("请填写属性值（40 字以内）"))
    if attr_type.values and value not in attr_type.values:
        raise _invalid(
            "value",
            gettext("该类型的可选值为：%(values)s") % {"values": "、".join(attr_type.values)},
        )
    now = timezone.now()
    until = valid_until or now + dt.timedelta(days=attr_type.default_days)
    if timezone.is_naive(until) or until <= now or until > now + dt.timedelta(days=MAX_DAYS):
        raise _invalid("valid_until", gettext("有效期应在现在之后、一年以内，并带时区"))
    holder = holder_of(actor=actor, person=person)
    try:
        with transaction.atomic():
            current = (
                Attribute.objects.select_for_update()
                .filter(holder=holder, type=attr_type, status=AttributeStatus.ACTIVE)
                .first()
            )
            before = None
            if current is not None:
                assert_transition(ATTRIBUTE_TRANSITIONS, current.status, AttributeStatus.SUPERSEDED)
                before = {"value": current.value, "valid_until": current.valid_until}
                current.status = AttributeStatus.SUPERSEDED
                current.save(update_fields=["status", "updated_at"])
            row = Attribute.objects.create(
                holder=holder,
                type=attr_type,
                value=value,
                valid_from=now,
                valid_until=until,
                set_by_unit=unit,
            )
            audit_record(
                actor=actor,
                action="citycode.attribute_set",
                target=row,
                before=before,
                after={
                    "type": attr_type.code,
                    "value": value,
                    "valid_until": until,
                    "unit": unit.pk,
                },
            )
    except IntegrityError:
        # Another set of the same type committed between our lock and insert (no row to lock).
        raise Conflict(
            gettext("该属性正被他人修改，请重试"), code="citycode.attribute_busy"
        ) from None
    return row


def attribute_clear(*, actor: Actor, attribute_id: int) -> Attribute:
    """撤销: the unit withdraws an active value (any unit authorised for the type may)."""
    if not permissions.can_set_attributes(actor.user):
        raise PermissionDenied(gettext("无权撤销状态属性"), code="citycode.attribute_forbidden")
    with transaction.atomic():
        row = (
            Attribute.objects.select_for_update(of=("self",))
            .select_related("type")
            .filter(pk=attribute_id)
            .first()
        )
        if row is None:
            raise NotFound(gettext("状态属性不存在"), code="citycode.attribute_not_found")
        try:
            _authorised_type(actor, row.type.code)
        except PermissionDenied:
            # A unit not authorised for the type must not learn the person has it.
            raise NotFound(gettext("状态属性不存在"), code="citycode.attribute_not_found") from None
        assert_transition(ATTRIBUTE_TRANSITIONS, row.status, AttributeStatus.CLEARED)
        row.status = AttributeStatus.CLEARED
        row.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="citycode.attribute_clear",
            target=row,
            before={"status": AttributeStatus.ACTIVE},
            after={"status": AttributeStatus.CLEARED},
        )
    return row
