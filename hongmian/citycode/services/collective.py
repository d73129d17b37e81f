"""集体码 (decision 0079): an organisation's code listing its members' statuses, each member
by their own consent.

The administrator (an enterprise's representative; a unit's manager) makes the code with the
status types it asks to see and invites persons (by ID number and name, which must agree —
the invitation is no oracle for who is registered). Each member consents on their own 红棉码
page, choosing which of the asked types they share, or declines; a member leaves at any
time. Every move is a transition (states.MEMBER_TRANSITIONS) on a locked row, audited.

The collective QR is signed like a person's code (keyring purpose `citycode`) with its own
JWS type, so a terminal verifies it offline the same way and never takes it for a person's.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.citycode import permissions
from hongmian.citycode.models import AttributeType, CollectiveCode, CollectiveMember
from hongmian.citycode.selectors import person_by_resident_id
from hongmian.citycode.services.codes import CODE_ID_BYTES, NONCE_BYTES, IssuedCode, ttl_seconds
from hongmian.citycode.states import (
    GROUP_TOKEN_TYPE,
    KEY_PURPOSE,
    MEMBER_TRANSITIONS,
    MemberStatus,
)
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.keyring import keyring_sign, signing_key_ensure
from hongmian.core.transitions import assert_transition
from hongmian.identity.models import Enterprise, OrgUnit, Person


def _types(collective: CollectiveCode | None, codes: Sequence[str]) -> list[AttributeType]:
    wanted = sorted(set(codes))
    rows = AttributeType.objects.filter(code__in=wanted)
    if collective is not None:
        rows = rows.filter(pk__in=collective.attribute_types.values("pk"))
    found = list(rows)
    unknown = sorted(set(wanted) - {t.code for t in found})
    if unknown:
        message = gettext("不可选的状态类型：%(codes)s") % {"codes": "、".join(unknown)}
        raise ValidationFailed(message, code="collective.type_unknown", fields={"types": [message]})
    return found


def collective_create(
    *,
    actor: Actor,
    name: str,
    type_codes: Sequence[str],
    enterprise: Enterprise | None = None,
    org_unit: OrgUnit | None = None,
) -> CollectiveCode:
    """The organisation's collective code, made by its administrator; one per organisation
    (a second: 409 collective.exists)."""
    if (enterprise is None) == (org_unit is None):
        raise ValidationFailed(gettext("请选择一个企业或单位"), code="collective.owner")
    probe = CollectiveCode(enterprise=enterprise, org_unit=org_unit)
    if actor.user is not None and not permissions.can_administer_collective(actor.user, probe):
        raise PermissionDenied(
            gettext("只有该组织的管理员可以申领集体码"), code="collective.forbidden"
        )
    label = name.strip()[:100]
    if not label:
        raise ValidationFailed(
            gettext("请填写名称"), code="collective.name", fields={"name": [gettext("必填")]}
        )
    types = _types(None, type_codes)
    try:
        with transaction.atomic():
            collective = CollectiveCode.objects.create(
                name=label,
                enterprise=enterprise,
                org_unit=org_unit,
                code_id=secrets.token_urlsafe(CODE_ID_BYTES),
            )
            collective.attribute_types.set(types)
            audit_record(
                actor=actor,
                action="collective.create",
                target=collective,
                after={"name": label, "types": [t.code for t in types]},
            )
    except IntegrityError:
        raise Conflict(gettext("该组织已有集体码"), code="collective.exists") from None
    return collective


def _administer(actor: Actor, collective: CollectiveCode) -> None:
    if actor.user is not None and not permissions.can_administer_collective(actor.user, collective):
        raise NotFound(gettext("集体码不存在"), code="collective.not_found")


def member_invite(
    *, actor: Actor, collective: CollectiveCode, resident_id: str, name: str
) -> CollectiveMember:
    """Invite a person (ID number and name must agree; otherwise 404, as for nobody). A
    person already invited or a member: 409 collective.already_member."""
    _administer(actor, collective)
    try:
        person = person_by_resident_id(resident_id)
    except NotFound:
        person = None
    if person is None or person.name != name.strip():
        raise NotFound(gettext("身份证号码与姓名不符或未登记"), code="collective.person_not_found")
    try:
        with transaction.atomic():
            member = CollectiveMember.objects.create(
                collective=collective,
                person=person,
                status=MemberStatus.INVITED,
                invited_by=actor.user,
            )
            audit_record(
                actor=actor,
                action="collective.member_invite",
                target=member,
                after={"collective": collective.pk, "person": person.pk},
            )
    except IntegrityError:
        raise Conflict(gettext("此人已受邀或已是成员"), code="collective.already_member") from None
    return member


def _mine(actor: Actor, member_id: int) -> tuple[Person, CollectiveMember]:
    """The member row of the person signed in, locked (call inside a transaction)."""
    user = actor.user
    member = (
        CollectiveMember.objects.select_for_update()
        .filter(pk=member_id, person__user_id=user.pk)
        .first()
        if user is not None
        else None
    )
    if member is None:
        raise NotFound(gettext("邀请不存在"), code="collective.member_not_found")
    return member.person, member


def _move(actor: Actor, member: CollectiveMember, target: str, after: dict[str, Any]) -> None:
    assert_transition(MEMBER_TRANSITIONS, member.status, target)
    before = {"status": member.status}
    member.status = target
    member.save()
    audit_record(
        actor=actor,
        action=f"collective.member_{target}",
        target=member,
        before=before,
        after={"status": target, **after},
    )


def member_accept(*, actor: Actor, member_id: int, type_codes: Sequence[str]) -> CollectiveMember:
    """同意加入: the person consents, sharing the chosen types (of those the code asks)."""
    with transaction.atomic():
        _person, member = _mine(actor, member_id)
        types = _types(member.collective, type_codes)
        member.responded_at = timezone.now()
        _move(actor, member, MemberStatus.ACTIVE, {"shared": [t.code for t in types]})
        member.shared_types.set(types)
    return member


def member_decline(*, actor: Actor, member_id: int) -> CollectiveMember:
    with transaction.atomic():
        _person, member = _mine(actor, member_id)
        member.responded_at = timezone.now()
        _move(actor, member, MemberStatus.DECLINED, {})
    return member


def member_leave(*, actor: Actor, member_id: int) -> CollectiveMember:
    """退出: from now on the organisation and its terminals see nothing of the person."""
    with transaction.atomic():
        _person, member = _mine(actor, member_id)
        member.left_at = timezone.now()
        _move(actor, member, MemberStatus.LEFT, {})
        member.shared_types.clear()
    return member


def collective_issue(
    *, actor: Actor, collective: CollectiveCode, at: dt.datetime | None = None
) -> IssuedCode:
    """The collective QR to show now, for its administrator: short-lived like a person's."""
    _administer(actor, collective)
    now = at or timezone.now()
    iat = int(now.timestamp())
    exp = iat + ttl_seconds()
    claims = {
        "sub": collective.code_id,
        "iat": iat,
        "exp": exp,
        "jti": secrets.token_urlsafe(NONCE_BYTES),
    }
    try:
        payload, _kid = keyring_sign(purpose=KEY_PURPOSE, claims=claims, typ=GROUP_TOKEN_TYPE)
    except Conflict:
        signing_key_ensure(actor=Actor.system("citycode"), purpose=KEY_PURPOSE)
        payload, _kid = keyring_sign(purpose=KEY_PURPOSE, claims=claims, typ=GROUP_TOKEN_TYPE)
    return IssuedCode(
        payload=payload,
        issued_at=dt.datetime.fromtimestamp(iat, tz=dt.UTC),
        expires_at=dt.datetime.fromtimestamp(exp, tz=dt.UTC),
    )
