"""Writes of persons (自然人). The audit trail stores their data masked."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core import validators
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, PermissionDenied
from hongmian.core.masking import mask_address, mask_mobile, mask_name, mask_resident_id
from hongmian.core.updates import full_clean, model_changes, model_update
from hongmian.identity import permissions
from hongmian.identity.assurance import AssuranceLevel, AssuranceMethod
from hongmian.identity.models import Person, User
from hongmian.identity.services._common import (
    authorise,
    optional_mobile,
    required,
    save_new,
)

# The audit trail keeps who changed what, but never personal data in clear.
_PERSON_MASKS: dict[str, Callable[[str], str]] = {
    "name": mask_name,
    "resident_id": mask_resident_id,
    "mobile": mask_mobile,
    "address": mask_address,
}


def _masked_snapshot(person: Person, fields: Iterable[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in fields:
        value = getattr(person, field)
        mask = _PERSON_MASKS.get(field)
        out[field] = mask(value) if mask else value
    return out


def person_create(
    *,
    actor: Actor,
    name: str,
    resident_id: str,
    mobile: str = "",
    address: str = "",
    user: User | None = None,
    assurance_level: AssuranceLevel = AssuranceLevel.L1,
) -> Person:
    """Register a person by resident ID (one person per ID: a second one is a 409
    "person.duplicate"); `user` links the person's own account, if they have one.
    `assurance_level` above L1 is for registration at a hall, where the ID card was seen
    (a method of IN_PERSON); raising it later is person_assurance_raise."""
    authorise(actor, permissions.can_create_person, "person.forbidden")
    name = required(name, "name", "请填写姓名")
    person = Person(
        name=name,
        resident_id=validators.validate_resident_id(resident_id),
        mobile=optional_mobile(mobile),
        address=(address or "").strip(),
        user=user,
        assurance_level=assurance_level,
        assurance_method=(
            AssuranceMethod.SELF_REGISTERED
            if assurance_level == AssuranceLevel.L1
            else AssuranceMethod.IN_PERSON
        ),
        assured_at=None if assurance_level == AssuranceLevel.L1 else timezone.now(),
    )
    full_clean(person, code="person.invalid")
    duplicate = Conflict(
        gettext("该身份证号码已登记"), code="person.duplicate", fields={"resident_id": ["已登记"]}
    )
    with transaction.atomic():
        if Person.objects.filter(resident_id=person.resident_id).exists():
            raise duplicate
        if user is not None and Person.objects.filter(user=user).exists():
            message = "该账号已关联其他自然人"
            raise Conflict(message, code="person.user_taken", fields={"user": [message]})
        save_new(person, conflict=duplicate)
        audit_record(
            actor=actor,
            action="person.create",
            target=person,
            after={
                **_masked_snapshot(person, _PERSON_MASKS),
                "user": person.user_id,
                "assurance_level": person.assurance_level,
            },
        )
    return person


def person_update(
    *,
    actor: Actor,
    person: Person,
    name: str | None = None,
    mobile: str | None = None,
    address: str | None = None,
) -> Person:
    """Correct a person's file (None leaves a field as it is). The resident ID never changes:
    a wrong one means a different person. The person themself may change only how to reach
    them (mobile, address). The assurance level is not edited here: person_assurance_raise."""
    authorise(actor, lambda u: permissions.can_update_person(u, person), "person.forbidden")
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = required(name, "name", "请填写姓名")
    if mobile is not None:
        wanted["mobile"] = optional_mobile(mobile)
    if address is not None:
        wanted["address"] = address.strip()
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        # Sending a field back unchanged is not editing it: the rule looks at what changes.
        changes = model_changes(person, wanted)
        acting = actor.user
        if (
            acting is not None
            and permissions.is_self(acting, person)
            and not permissions.can_create_person(acting)
            and not set(changes) <= permissions.PERSON_SELF_EDITABLE
        ):
            raise PermissionDenied(gettext("只能修改自己的联系方式"), code="person.field_forbidden")
        person, _ = model_update(
            actor=actor,
            action="person.update",
            instance=person,
            data=changes,
            invalid_code="person.invalid",
            masks=_PERSON_MASKS,
        )
    return person
