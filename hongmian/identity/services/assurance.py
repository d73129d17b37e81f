"""Raising a person's identity assurance level (实名认证等级), upwards only, audited.

Who may raise to what (decision 0044): the person themself through a check the verifier
passed — ID number and phone to L2, a face check to L3; hall staff who saw the ID card
(in person) to L2 or L3; system jobs and commands to any level. Nobody lowers a level
here: a level found wrong is a case for the hall, not a button.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, NotAuthenticated, PermissionDenied, ValidationFailed
from hongmian.core.upload_content import IMAGE_TYPES, prepare
from hongmian.identity import permissions
from hongmian.identity.assurance import AssuranceLevel, AssuranceMethod
from hongmian.identity.models import Person
from hongmian.identity.services._common import required
from hongmian.identity.states import Role
from hongmian.identity.verification import VerificationResult, identity_verifier

# The highest level each method can prove.
_METHOD_CEILING: dict[AssuranceMethod, AssuranceLevel] = {
    AssuranceMethod.ID_AND_PHONE: AssuranceLevel.L2,
    AssuranceMethod.FACE: AssuranceLevel.L3,
    AssuranceMethod.IN_PERSON: AssuranceLevel.L3,
}
_TRUSTED_VIAS = frozenset({"system", "cli"})


def _may_raise(actor: Actor, person: Person, method: AssuranceMethod) -> bool:
    user = actor.user
    if user is None:
        return actor.via in _TRUSTED_VIAS
    if method == AssuranceMethod.IN_PERSON:
        return permissions.is_active_user(user) and user.role == Role.HALL_STAFF
    return permissions.is_self(user, person)


def person_assurance_raise(
    *,
    actor: Actor,
    person: Person,
    level: AssuranceLevel,
    method: AssuranceMethod,
    evidence: str,
) -> Person:
    """Raise `person` to `level`, recording how (`method`) and the check's reference or the
    officer's note (`evidence`). 409 "assurance.not_higher" when the person already holds
    that level or more; 422 "assurance.method_too_weak" when the method cannot prove it."""
    if actor.user is None and actor.via not in _TRUSTED_VIAS:
        raise NotAuthenticated(gettext("需要登录后操作"))
    if not _may_raise(actor, person, method):
        raise PermissionDenied(gettext("没有权限提升该实名认证等级"), code="assurance.forbidden")
    evidence = required(evidence, "evidence", "请填写核验依据")[:200]
    ceiling = _METHOD_CEILING.get(method)
    if ceiling is None or level > ceiling:
        message = f"{AssuranceMethod(method).label}不能认证到{AssuranceLevel(level).label}"
        raise ValidationFailed(
            message, code="assurance.method_too_weak", fields={"level": [message]}
        )
    with transaction.atomic():
        person = Person.objects.select_for_update().get(pk=person.pk)
        if person.assurance_level >= level:
            message = f"已是{AssuranceLevel(person.assurance_level).label}，无需再次认证"
            raise Conflict(message, code="assurance.not_higher", fields={"level": [message]})
        before = {"level": person.assurance_level, "method": person.assurance_method}
        person.assurance_level = level
        person.assurance_method = method
        person.assured_at = timezone.now()
        person.save(
            update_fields=["assurance_level", "assurance_method", "assured_at", "updated_at"]
        )
        audit_record(
            actor=actor,
            action="person.assurance_raise",
            target=person,
            before=before,
            after={"level": int(level), "method": str(method), "evidence": evidence},
        )
    return person


def _checked(result: VerificationResult) -> str:
    if not result.ok:
        raise ValidationFailed(
            result.reason or "核验未通过", code="assurance.check_failed", fields={}
        )
    return result.reference


def person_verify_id_and_phone(
    *, actor: Actor, person: Person, resident_id: str, mobile: str
) -> Person:
    """The person's own L2 check: the ID number they type must be the one on file, and the
    verifier must find the mobile registered in their name."""
    if actor.user is None or not permissions.is_self(actor.user, person):
        raise PermissionDenied(gettext("只能为本人认证"), code="assurance.forbidden")
    if resident_id.strip().upper() != person.resident_id:
        raise ValidationFailed(
            gettext("身份证号码与登记信息不一致"),
            code="assurance.check_failed",
            fields={"resident_id": ["与登记信息不一致"]},
        )
    reference = _checked(
        identity_verifier().verify_id_and_phone(
            name=person.name, resident_id=person.resident_id, mobile=mobile.strip()
        )
    )
    return person_assurance_raise(
        actor=actor,
        person=person,
        level=AssuranceLevel.L2,
        method=AssuranceMethod.ID_AND_PHONE,
        evidence=reference,
    )


def person_verify_face(*, actor: Actor, person: Person, image: bytes) -> Person:
    """The person's own L3 check, by comparing a live face with the ID card's photo."""
    if actor.user is None or not permissions.is_self(actor.user, person):
        raise PermissionDenied(gettext("只能为本人认证"), code="assurance.forbidden")
    reference = _checked(
        identity_verifier().verify_face(
            name=person.name, resident_id=person.resident_id, image=image
        )
    )
    return person_assurance_raise(
        actor=actor,
        person=person,
        level=AssuranceLevel.L3,
        method=AssuranceMethod.FACE,
        evidence=reference,
    )


def person_verify_face_upload(*, actor: Actor, person: Person, upload: Any) -> Person:
    """The face check from a photo the person took on the page (`capture="user"`): checked
    as every upload is (core.upload_content: size, type from the content, decoded and
    re-encoded without metadata), then compared by the verifier. The photo is biometric
    data (PIPL art. 28): it is used for this comparison only and never stored."""
    prepared = prepare(upload)
    if prepared.content_type not in IMAGE_TYPES or prepared.content is None:
        raise ValidationFailed(
            gettext("请上传本人正面照片（JPEG、PNG 或 WebP 图片）"),
            code="assurance.face_not_image",
            fields={"photo": [gettext("不是照片")]},
        )
    try:
        return person_verify_face(actor=actor, person=person, image=prepared.content)
    except ValidationFailed as failed:
        if failed.code == "assurance.check_failed":
            # A failed comparison is kept too: repeated failures are how a stolen account
            # trying someone else's face shows.
            with transaction.atomic():
                audit_record(
                    actor=actor,
                    action="assurance.face_failed",
                    target=person,
                    after={"sha256": prepared.sha256[:16]},
                )
        raise


def person_verify_in_person(
    *, actor: Actor, person: Person, card_reading: str, level: AssuranceLevel
) -> Person:
    """Hall staff's check: the ID card read at the window must match the person's number."""
    if not _may_raise(actor, person, AssuranceMethod.IN_PERSON):
        raise PermissionDenied(gettext("没有权限提升该实名认证等级"), code="assurance.forbidden")
    reference = _checked(
        identity_verifier().verify_in_person(
            resident_id=person.resident_id, card_reading=card_reading
        )
    )
    return person_assurance_raise(
        actor=actor,
        person=person,
        level=level,
        method=AssuranceMethod.IN_PERSON,
        evidence=reference,
    )
