"""Writes of mandates (委托授权, 帮办代办): a person authorises a relative online with a
signed letter, or a hall's staff record an authorisation with the person present; the
person revokes it at any time; a sweep marks the ended ones expired. Decision 0072."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile, File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.catalog.models import LifeEvent, ServiceItem
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from hongmian.core.transitions import assert_transition
from hongmian.core.upload_content import prepare
from hongmian.core.validators import validate_resident_id
from hongmian.identity import permissions
from hongmian.identity.assurance import AssuranceLevel
from hongmian.identity.models import Mandate, OrgUnit, Person, User
from hongmian.identity.services.assurance import person_verify_in_person
from hongmian.identity.states import (
    MANDATE_FLOW,
    MandateAgent,
    MandateEvidence,
    MandateScope,
    MandateStatus,
    Role,
)
from hongmian.identity.verification import identity_verifier

STORAGE_ALIAS = "attachments"
PREFIX = "mandates"
# The longest authorisation one act gives (a year, as a consent): renew it to go on.
MAX_DAYS = 366
MAX_ITEMS = 50


@dataclass(frozen=True, slots=True)
class MandateTerms:
    """What an authorisation covers and for how long (checked by `_terms_check`)."""

    scope: str
    item_codes: Sequence[str] = ()
    life_event: str = ""
    read_file: bool = False
    valid_from: dt.datetime | None = None
    valid_until: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class HallPlace:
    """The hall where the person is present: its code, name and the unit that runs it."""

    code: str
    name: str
    unit: OrgUnit


def _invalid(field: str, message: str, code: str) -> ValidationFailed:
    return ValidationFailed(message, code=code, fields={field: [message]})


def _terms_check(terms: MandateTerms) -> tuple[str, list[str], str, dt.datetime, dt.datetime]:
    now = timezone.now()
    start = terms.valid_from or now
    until = terms.valid_until
    if until is None or timezone.is_naive(until) or timezone.is_naive(start):
        raise _invalid("valid_until", _("请填写有效期（带时区）"), "mandate.validity")
    if until <= max(start, now) or until > start + dt.timedelta(days=MAX_DAYS):
        raise _invalid("valid_until", _("有效期应在现在之后、生效后一年以内"), "mandate.validity")
    if terms.scope not in MandateScope.values:
        raise _invalid("scope", _("请选择授权范围"), "mandate.scope_invalid")
    codes: list[str] = []
    event = ""
    if terms.scope == MandateScope.ITEMS:
        wanted = sorted({c.strip() for c in terms.item_codes if c.strip()})
        if not wanted or len(wanted) > MAX_ITEMS:
            raise _invalid("item_codes", _("请选择 1 至 50 个授权事项"), "mandate.items_required")
        codes = sorted(ServiceItem.objects.filter(code__in=wanted).values_list("code", flat=True))
        unknown = sorted(set(wanted) - set(codes))
        if unknown:
            raise _invalid(
                "item_codes",
                _("事项不存在：%(codes)s") % {"codes": "、".join(unknown)},
                "mandate.item_unknown",
            )
    elif terms.scope == MandateScope.LIFE_EVENT:
        life_event = LifeEvent.objects.filter(slug=terms.life_event.strip()).first()
        if life_event is None:
            raise _invalid("life_event", _("该“一件事”不存在"), "mandate.life_event_unknown")
        # Fixed when granted: the person agreed to these items, not to whatever is added later.
        codes = sorted(life_event.items.values_list("code", flat=True))
        event = life_event.slug
    return terms.scope, codes, event, start, until


def _agent_person(resident_id: str, name: str, principal: Person) -> User:
    """The relative, named by ID number and name (both must match, so that a number alone
    does not tell whether someone is registered); they need an account to act."""
    try:
        rid = validate_resident_id(resident_id)
    except ValidationFailed:
        raise _invalid("agent_resident_id", _("身份证号码有误"), "mandate.agent_invalid") from None
    agent = Person.objects.select_related("user").filter(resident_id=rid).first()
    if agent is None or agent.name != name.strip() or agent.user is None:
        raise _invalid(
            "agent_resident_id",
            _("没有找到与姓名、身份证号码相符的已注册用户"),
            "mandate.agent_not_found",
        )
    if agent.pk == principal.pk:
        raise _invalid("agent_resident_id", _("不能委托本人"), "mandate.agent_self")
    user = agent.user
    if not permissions.is_active_user(user) or user.role != Role.CITIZEN:
        raise _invalid(
            "agent_resident_id",
            _("没有找到与姓名、身份证号码相符的已注册用户"),
            "mandate.agent_not_found",
        )
    return user


def _save(actor: Actor, mandate: Mandate) -> Mandate:
    mandate.full_clean(exclude=["document_storage"])
    mandate.save(force_insert=True)
    audit_record(
        actor=actor,
        action="mandate.grant",
        target=mandate,
        after={
            "principal": mandate.principal_id,
            "agent_kind": mandate.agent_kind,
            "agent": mandate.agent_id,
            "hall": mandate.hall_code,
            "scope": mandate.scope,
            "items": mandate.item_codes,
            "life_event": mandate.life_event,
            "read_file": mandate.read_file,
            "valid_from": mandate.valid_from,
            "valid_until": mandate.valid_until,
            "evidence": mandate.evidence,
            "document_sha256": mandate.document_sha256,
            "checked_by": mandate.checked_by_id,
        },
    )
    return mandate


def mandate_grant_online(
    *,
    actor: Actor,
    agent_resident_id: str,
    agent_name: str,
    terms: MandateTerms,
    document: Any,
) -> Mandate:
    """The person signed in authorises a relative, with the signed letter (授权委托书)
    uploaded: checked by its content (type, size, SHA-256) before anything is written."""
    user = actor.user
    if user is None:
        raise NotAuthenticated(_("需要登录后操作"))
    principal = Person.objects.filter(user_id=user.pk).first()
    if principal is None or not permissions.is_active_user(user) or user.role != Role.CITIZEN:
        raise PermissionDenied(_("只有已实名登记的个人可以委托他人"), code="mandate.forbidden")
    scope, codes, event, start, until = _terms_check(terms)
    agent = _agent_person(agent_resident_id, agent_name, principal)
    if document is None:
        raise _invalid("document", _("请上传签字的授权委托书"), "mandate.document_required")
    item = prepare(document)
    storage = storages[STORAGE_ALIAS]
    body: File[bytes] = ContentFile(item.content) if item.content is not None else File(item.source)
    stored = storage.save(f"{PREFIX}/{principal.pk}/{item.sha256[:32]}{item.extension}", body)
    try:
        with transaction.atomic():
            return _save(
                actor,
                Mandate(
                    principal=principal,
                    agent_kind=MandateAgent.RELATIVE,
                    agent=agent,
                    scope=scope,
                    item_codes=codes,
                    life_event=event,
                    read_file=terms.read_file,
                    valid_from=start,
                    valid_until=until,
                    evidence=MandateEvidence.DOCUMENT,
                    document_name=item.name,
                    document_storage=stored,
                    document_type=item.content_type,
                    document_sha256=item.stored_sha256,
                    created_by=user,
                ),
            )
    except BaseException:
        storage.delete(stored)
        raise


def mandate_grant_by_scan(
    *, actor: Actor, principal: Person, hall: HallPlace, item_code: str, scan_id: int
) -> Mandate:
    """码上办 (decision 0079): the person's city code, just scanned by a terminal of the hall,
    is the proof that they are at the window — instead of the ID card read. The hall's staff
    are authorised for the one chosen item, until the end of the day, with the person's file
    read to fill the form (what the scan was for). A scan that is not a service context of
    this staff member for this person (another unit's, too old, another person's): 404."""
    from hongmian.identity.service_context import ServiceContext, context_holds

    user = actor.user
    if (
        user is None
        or not permissions.is_active_user(user)
        or user.role != Role.HALL_STAFF
        or user.org_unit is None
        or not hall.unit.path.startswith(user.org_unit.path)
        or not context_holds(user, ServiceContext("scan", scan_id), principal)
    ):
        raise NotFound(_("对象不存在"), code="mandate.not_found")
    now = timezone.now()
    # The end of the visit's day; just before midnight, an hour (the visit goes on).
    end = max(
        timezone.localtime(now).replace(hour=23, minute=59, second=59, microsecond=0),
        now + dt.timedelta(hours=1),
    )
    scope, codes, event, start, until = _terms_check(
        MandateTerms(
            scope=MandateScope.ITEMS,
            item_codes=[item_code],
            read_file=True,
            valid_from=now,
            valid_until=end,
        )
    )
    with transaction.atomic():
        return _save(
            actor,
            Mandate(
                principal=principal,
                agent_kind=MandateAgent.HALL,
                agent=None,
                agent_unit=hall.unit,
                hall_code=hall.code,
                hall_name=hall.name,
                scope=scope,
                item_codes=codes,
                life_event=event,
                read_file=True,
                valid_from=start,
                valid_until=until,
                evidence=MandateEvidence.CITYCODE_SCAN,
                checked_by=user,
                created_by=user,
            ),
        )


def mandate_grant_at_hall(
    *,
    actor: Actor,
    principal: Person,
    hall: HallPlace,
    card_reading: str,
    terms: MandateTerms,
    agent_resident_id: str = "",
    agent_name: str = "",
) -> Mandate:
    """Hall staff record an authorisation with the person present: the ID card read at the
    window must match the person (the L3 in-person check; a person below L3 is raised to
    it, audited by identity). With an agent named, a relative is authorised; without, the
    hall's staff."""
    user = actor.user
    if (
        user is None
        or not permissions.is_active_user(user)
        or user.role != Role.HALL_STAFF
        or user.org_unit is None
        or not hall.unit.path.startswith(user.org_unit.path)
    ):
        raise NotFound(_("对象不存在"), code="mandate.not_found")
    scope, codes, event, start, until = _terms_check(terms)
    agent = _agent_person(agent_resident_id, agent_name, principal) if agent_resident_id else None
    result = identity_verifier().verify_in_person(
        resident_id=principal.resident_id, card_reading=card_reading
    )
    if not result.ok:
        raise _invalid(
            "card_reading", result.reason or _("读卡核验未通过"), "mandate.card_mismatch"
        )
    with transaction.atomic():
        # The level as stored now (the caller's object may predate an earlier check).
        principal = Person.objects.select_for_update().get(pk=principal.pk)
        if principal.assurance_level < AssuranceLevel.L3:
            principal = person_verify_in_person(
                actor=actor, person=principal, card_reading=card_reading, level=AssuranceLevel.L3
            )
        return _save(
            actor,
            Mandate(
                principal=principal,
                agent_kind=MandateAgent.RELATIVE if agent else MandateAgent.HALL,
                agent=agent,
                agent_unit=None if agent else hall.unit,
                hall_code=hall.code,
                hall_name=hall.name,
                scope=scope,
                item_codes=codes,
                life_event=event,
                read_file=terms.read_file,
                valid_from=start,
                valid_until=until,
                evidence=MandateEvidence.IN_PERSON,
                checked_by=user,
                created_by=user,
            ),
        )


def _end(actor: Actor, mandate: Mandate, status: str, reason: str) -> Mandate:
    with transaction.atomic():
        mandate = Mandate.objects.select_for_update().get(pk=mandate.pk)
        if mandate.status == status:
            return mandate
        assert_transition(MANDATE_FLOW, mandate.status, status)
        before = mandate.status
        mandate.status = status
        mandate.ended_at = timezone.now()
        mandate.ended_by = actor.user
        mandate.end_reason = reason[:200]
        mandate.save(update_fields=["status", "ended_at", "ended_by", "end_reason", "updated_at"])
        audit_record(
            actor=actor,
            action=f"mandate.{status}",
            target=mandate,
            before={"status": before},
            after={"status": status, "reason": mandate.end_reason},
        )
    return mandate


def mandate_revoke(*, actor: Actor, mandate: Mandate, reason: str = "") -> Mandate:
    """The person withdraws the authorisation, at once: the agent's next act is refused.
    Anyone else is told it does not exist; revoking twice is a no-op."""
    if actor.user is None or not permissions.is_self(actor.user, mandate.principal):
        raise NotFound(_("授权不存在"), code="mandate.not_found")
    return _end(actor, mandate, MandateStatus.REVOKED, reason)


def mandates_expire(*, actor: Actor, now: dt.datetime | None = None) -> int:
    """Mark the active authorisations past their end as expired (each audited). Use checks
    the dates itself (selectors.mandate_check), so this only keeps the status true."""
    now = now or timezone.now()
    ended = Mandate.objects.filter(status=MandateStatus.ACTIVE, valid_until__lte=now)
    count = 0
    for mandate in ended.order_by("pk")[:10_000]:
        _end(actor, mandate, MandateStatus.EXPIRED, "")
        count += 1
    return count
