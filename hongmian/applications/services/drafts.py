"""An application while the applicant fills it in: created from an item, answered, filled
from the applicant's file (under their consent, each value with its source), corrected by
the applicant (kept apart as their statement), and purged when left too long."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from hongmian.applications import permissions, selectors
from hongmian.applications.definitions import answers_check
from hongmian.applications.models import Application, ApplicationMaterial
from hongmian.applications.selectors_rules import rule_in_force
from hongmian.applications.services.common import (
    editable_check,
    idempotent_replay,
    lock,
    owner_check,
    record,
)
from hongmian.applications.services.file_copies import (
    PREFILL_PURPOSE,
    prefill_consent_id,
    prefill_copies_note,
)
from hongmian.applications.services.instant import rule_file_fields
from hongmian.applications.services.materials import files_delete
from hongmian.applications.states import Applicant, MaterialMode, Status
from hongmian.catalog.models import ServiceItem
from hongmian.catalog.selectors import item_available_to
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import (
    NotAuthenticated,
    PermissionDenied,
    ValidationFailed,
)
from hongmian.identity import file_fields
from hongmian.identity.models import Consent, Enterprise, Mandate, Person
from hongmian.identity.selectors import enterprise_file_read, person_file_read
from hongmian.identity.services.files import consent_grant

# Availability codes (catalog.selectors.item_available_to) refused when a draft is made;
# the real-name level is checked at submission, so that a person may prepare a draft
# while raising their level.
_REFUSED_AT_CREATE = {"service_item.not_served", "service_item.audience"}


def _subject(user: Any) -> tuple[str, Person | None, Enterprise | None]:
    if user.role == "enterprise_rep":
        enterprise = Enterprise.objects.filter(representatives=user).order_by("pk").first()
        if enterprise is None:
            raise ValidationFailed(
                _("账号尚未关联企业，不能以法人身份申请"), code="application.no_enterprise"
            )
        return Applicant.ENTERPRISE, None, enterprise
    person = Person.objects.filter(user_id=user.pk).first()
    if person is None:
        raise ValidationFailed(_("账号尚未完成实名登记，不能申请"), code="application.no_identity")
    return Applicant.PERSON, person, None


def application_create(
    *,
    actor: Actor,
    item: ServiceItem,
    answers: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
) -> tuple[Application, bool]:
    """A draft application of `actor` for `item` (True when new). With an
    `idempotency_key`, a retry returns the draft the first attempt made. An item that is
    not served or not for the applicant's kind is refused with its availability code;
    answers are checked against the item's form (nothing is written when one is bad)."""
    user = actor.user
    if user is None:
        raise NotAuthenticated(_("需要登录后操作"))
    if not permissions.can_apply(user):
        raise PermissionDenied(_("只有个人或法人账号可以申请"), code="application.forbidden")
    key = (idempotency_key or "").strip()
    if key:
        earlier = Application.objects.filter(applicant=user, create_key=key).first()
        if earlier is not None:
            return idempotent_replay(earlier, same_request=earlier.item_id == item.pk), False
    availability = item_available_to(user=user, item=item)
    if not availability.allowed and availability.code in _REFUSED_AT_CREATE:
        raise ValidationFailed(availability.reason, code=f"application.{availability.code}")
    kind, person, enterprise = _subject(user)
    return draft_insert(
        actor=actor,
        applicant=user,
        kind=kind,
        person=person,
        enterprise=enterprise,
        item=item,
        answers=answers,
        key=key,
    )


def draft_insert(
    *,
    actor: Actor,
    applicant: Any,
    kind: str,
    person: Person | None,
    enterprise: Enterprise | None,
    item: ServiceItem,
    answers: Mapping[str, Any] | None,
    key: str = "",
    mandate: Mandate | None = None,
) -> tuple[Application, bool]:
    """The new draft's row and its first timeline entry, once the caller has checked who
    may make it (application_create; application_create_on_behalf with the `mandate`)."""
    user = applicant
    definition, revision = selectors.item_form(item)
    cleaned = answers_check(definition, answers or {}, complete=False)
    application = Application(
        number=f"tmp-{timezone.now():%H%M%S%f}-{user.pk}",
        submitted_by=actor.user if mandate is not None else None,
        mandate=mandate,
        item=item,
        department_id=item.department_id,
        applicant=user,
        applicant_kind=kind,
        person=person,
        enterprise=enterprise,
        form_revision=revision,
        answers=cleaned,
        limit_days=item.promised_limit_days
        if item.promised_limit_days is not None
        else item.legal_limit_days,
        create_key=key,
    )
    try:
        with transaction.atomic():
            application.save(force_insert=True)
            # The number names the day and the row: unique without a sequence of its own.
            application.number = f"SQ{timezone.localdate():%Y%m%d}{application.pk:07d}"
            application.save(update_fields=["number"])
            record(
                actor=actor,
                application=application,
                kind="create",
                after=Status.DRAFT,
                data={
                    "item": item.code,
                    "fields": sorted(cleaned),
                    **({"mandate": mandate.pk} if mandate is not None else {}),
                },
            )
    except IntegrityError:
        # Two retries raced with one key: the other one's draft stands.
        earlier = Application.objects.filter(applicant=user, create_key=key).first()
        if not key or earlier is None:
            raise
        return idempotent_replay(earlier, same_request=earlier.item_id == item.pk), False
    return application, True


def _statements(application: Application, answers: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """Where the answers differ from what the file said: the applicant's statements."""
    statements = dict(application.statements)
    for key, value in answers.items():
        filled = application.prefill.get(key)
        if filled is None:
            continue
        if value != filled["value"]:
            statements[key] = {"value": value, "file_value": filled["value"]}
        else:
            statements.pop(key, None)
    return statements


def application_answers_update(
    *, actor: Actor, application: Application, answers: Mapping[str, Any]
) -> Application:
    """Save the applicant's answers (some or all). An answer that differs from the value
    filled from the file is kept as the applicant's statement beside the file's value; the
    file itself is never changed. A key the form does not have is 422
    `application.field_unknown` and nothing is saved."""
    owner_check(actor, application)
    definition, _revision = selectors.item_form(application.item)
    cleaned = answers_check(definition, answers, complete=False)
    with transaction.atomic():
        application = lock(application)
        editable_check(application)
        application.answers = {**application.answers, **cleaned}
        application.statements = _statements(application, cleaned)
        application.save(update_fields=["answers", "statements", "updated_at"])
        record(
            actor=actor,
            application=application,
            kind="answers",
            data={"fields": sorted(cleaned), "statements": sorted(application.statements)},
        )
    return application


def prefill_fields(application: Application) -> list[str]:
    """The file fields the item's form fills for this applicant's kind of file."""
    definition, _revision = selectors.item_form(application.item)
    subject: file_fields.Subject = (
        "enterprise" if application.applicant_kind == Applicant.ENTERPRISE else "person"
    )
    # The consent also covers the fields the item's instant-approval rule reads (0066).
    version = rule_in_force(application.item_id)
    ruled = rule_file_fields(version.rules, application.applicant_kind) if version else []
    return sorted(set(definition.file_keys(subject)) | set(ruled))


def prefill_consent(application: Application) -> Consent | None:
    """A valid consent of the applicant covering the form's file fields, if any."""
    keys = set(prefill_fields(application))
    now = timezone.now()
    owner = (
        {"enterprise_id": application.enterprise_id}
        if application.enterprise_id
        else {"person_id": application.person_id}
    )
    consents = Consent.objects.filter(
        **owner,
        purpose=PREFILL_PURPOSE,
        revoked_at__isnull=True,
        granted_at__lte=now,
        valid_until__gt=now,
    )
    return next((c for c in consents if keys <= set(c.fields)), None)


def application_prefill_consent(
    *, actor: Actor, application: Application, valid_until: dt.datetime | None = None
) -> Consent:
    """The applicant lets the item's department read the form's file fields for
    applications (identity's consent, purpose "application.prefill"), then the form is
    filled from the file."""
    owner_check(actor, application)
    keys = prefill_fields(application)
    subject = _applicant_of(application)
    consent = consent_grant(
        actor=actor,
        subject=subject,
        purpose=PREFILL_PURPOSE,
        requester=f"{application.department.name}（{application.item.name}）",
        fields=keys,
        valid_until=valid_until,
    )
    application_prefill(actor=actor, application=application)
    return consent


def _applicant_of(application: Application) -> Person | Enterprise:
    subject = application.enterprise or application.person
    if subject is None:  # pragma: no cover - the check constraint forbids it
        raise ValidationFailed(_("办件没有申请人"), code="application.no_identity")
    return subject


def _plain(spec: file_fields.FieldSpec, shown: str) -> str:
    """The file's value as a form answer: without the unit a number is shown with."""
    if spec.unit_suffix and shown.endswith(f" {spec.unit_suffix}"):
        return shown[: -len(spec.unit_suffix) - 1]
    return shown


def application_prefill(*, actor: Actor, application: Application) -> Application:
    """Fill the form from the applicant's file, read through identity's one access function
    (person_file_read / enterprise_file_read: under the applicant's consent, else 403
    `consent.required`; the read is recorded in their file's use log). Each filled field
    keeps its source (department, date); an answer the applicant has already corrected
    stays theirs."""
    owner_check(actor, application, reads_file=True)
    keys = prefill_fields(application)
    if not keys:
        return application
    subject = _applicant_of(application)
    # An agent reads under the authorisation the application was made with (decision 0072).
    agent = actor.user is not None and application.submitted_by_id == actor.user.pk
    mandate = application.mandate if agent else None
    if isinstance(subject, Enterprise):
        entries = enterprise_file_read(
            actor=actor, enterprise=subject, fields=keys, purpose=PREFILL_PURPOSE
        )
    else:
        entries = person_file_read(
            actor=actor, person=subject, fields=keys, purpose=PREFILL_PURPOSE, mandate=mandate
        )
    definition, _revision = selectors.item_form(application.item)
    with transaction.atomic():
        application = lock(application)
        editable_check(application)
        # Which consent these copies were made under: a withdrawal deletes them.
        consent_id = prefill_consent_id(application)
        prefill: dict[str, dict[str, str | int | None]] = {}
        answers = dict(application.answers)
        for spec in definition.fields:
            entry = entries.get(spec.file_field) if spec.file_field else None
            if entry is None:
                continue
            value = _plain(file_fields.FIELDS[spec.file_field], entry.value)
            prefill[spec.key] = {
                "value": value,
                "source": entry.source,
                "as_of": entry.as_of.isoformat(),
                "file_field": spec.file_field,
                "consent": consent_id,
            }
            if spec.key not in application.statements:
                answers[spec.key] = value
        application.prefill = prefill
        application.answers = answers
        application.save(update_fields=["prefill", "answers", "updated_at"])
        record(
            actor=actor,
            application=application,
            kind="prefill",
            data={"fields": sorted(prefill)},
        )
    return application


def application_drafts_purge(
    *, actor: Actor, now: dt.datetime | None = None, commit: bool = False
) -> int:
    """Delete drafts untouched for HONGMIAN_APPLICATION_DRAFT_DAYS (Myinfo's rule: data
    that was never submitted is not kept). A dry run unless `commit`; returns the count."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=int(settings.HONGMIAN_APPLICATION_DRAFT_DAYS))
    stale = Application.objects.filter(status=Status.DRAFT, updated_at__lt=cutoff)
    count = stale.count()
    if not commit or not count:
        return count
    with transaction.atomic():
        numbers = list(stale.values_list("number", flat=True)[:10_000])
        deleted = Application.objects.filter(number__in=numbers, status=Status.DRAFT)
        # The pre-filled values go with their draft; the person's use log says so.
        prefill_copies_note(actor=actor, applications=deleted.exclude(prefill={}))
        for application in deleted:
            audit_record(
                actor=actor,
                action="application.purge",
                target=application,
                after={"number": application.number, "updated_at": application.updated_at},
            )
        files = set(
            ApplicationMaterial.objects.filter(
                application__in=deleted, mode=MaterialMode.UPLOAD
            ).values_list("storage_name", flat=True)
        )
        count = deleted.delete()[1].get("applications.Application", 0)
        # A file another application still names (reused from this draft's upload) stays.
        kept = set(
            ApplicationMaterial.objects.filter(storage_name__in=files).values_list(
                "storage_name", flat=True
            )
        )
        transaction.on_commit(lambda: files_delete(sorted(files - kept - {""})))
    return count
