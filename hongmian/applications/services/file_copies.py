"""The copies of file values an unsubmitted application holds (its pre-filled answers), and
their end: deleted with a purged draft, or when the person withdraws the consent they were
made under (Myinfo's rule, decision 0074). Either way the person's file-use log says so
(identity's `file_copies_deleted`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from hongmian.applications.models import Application
from hongmian.applications.services.common import lock, record
from hongmian.applications.states import Status
from hongmian.core.actors import Actor
from hongmian.identity.models import Consent, FileUse
from hongmian.identity.services.files import file_copies_deleted

# The purpose the applications name when they read a file (identity.models.Consent).
PREFILL_PURPOSE = "application.prefill"


def prefill_consent_id(application: Application) -> int | None:
    """The consent the pre-fill just read under: the newest use of the applicant's file for
    pre-filling (identity's one read writes it in the same transaction)."""
    owner = (
        {"enterprise_id": application.enterprise_id}
        if application.enterprise_id
        else {"person_id": application.person_id}
    )
    found: int | None = (
        FileUse.objects.filter(**owner, purpose=PREFILL_PURPOSE)
        .order_by("-id")
        .values_list("consent_id", flat=True)
        .first()
    )
    return found


def _by_consent(application: Application, keys: Iterable[str]) -> dict[int, list[str]]:
    """The file fields behind `keys` of the draft's pre-fill, grouped by consent."""
    grouped: dict[int, list[str]] = defaultdict(list)
    for key in keys:
        entry = application.prefill.get(key) or {}
        consent_id = entry.get("consent")
        if consent_id:
            grouped[int(consent_id)].append(str(entry.get("file_field") or key))
    return grouped


def _what(application: Application) -> str:
    return _("申请 %(number)s 的草稿") % {"number": application.number}


def prefill_copies_note(*, actor: Actor, applications: Iterable[Application]) -> None:
    """Tell each applicant that the pre-filled values of these drafts (about to be deleted
    whole) are gone; inside the deleting transaction."""
    for application in applications:
        grouped = _by_consent(application, application.prefill)
        consents = Consent.objects.in_bulk(list(grouped))
        for consent_id, fields in grouped.items():
            if consent_id in consents:
                file_copies_deleted(
                    actor=actor,
                    consent=consents[consent_id],
                    fields=fields,
                    what=_what(application),
                )


def application_prefill_withdraw(actor: Actor, consent: Consent) -> None:
    """The consent is withdrawn: every draft of its subject loses the answers pre-filled
    under it (an answer the applicant corrected is their own statement and stays), each with
    a timeline entry and a line on the file's use log. Registered with identity's
    CONSENT_COPY_HOLDERS; runs inside the revoking transaction."""
    subject = (
        Q(enterprise=consent.enterprise) if consent.enterprise_id else Q(person=consent.person)
    )
    drafts = Application.objects.filter(subject, status=Status.DRAFT).exclude(prefill={})
    with transaction.atomic():
        for draft in drafts:
            keys = [k for k, e in draft.prefill.items() if (e or {}).get("consent") == consent.pk]
            if not keys:
                continue
            application = lock(draft)
            fields = _by_consent(application, keys).get(consent.pk, [])
            prefill = {k: v for k, v in application.prefill.items() if k not in keys}
            answers = {
                k: v
                for k, v in application.answers.items()
                if k not in keys or k in application.statements
            }
            application.prefill, application.answers = prefill, answers
            application.save(update_fields=["prefill", "answers", "updated_at"])
            record(
                actor=actor,
                application=application,
                kind="prefill_withdrawn",
                data={"fields": sorted(keys), "consent": consent.pk},
            )
            file_copies_deleted(
                actor=actor, consent=consent, fields=fields, what=_what(application)
            )
