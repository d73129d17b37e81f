"""What every application service shares: the timeline entry written with each act, and
the checks of who may act."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from hongmian.applications.models import Application, ApplicationEvent
from hongmian.applications.states import Status
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_event, audit_record, audit_record_many
from hongmian.core.errors import Conflict, NotAuthenticated, NotFound
from hongmian.identity.selectors import mandate_check

# The statuses in which the applicant may still change answers and materials.
EDITABLE = frozenset({Status.DRAFT, Status.CORRECTION})


def record(
    *,
    actor: Actor,
    application: Application,
    kind: str,
    before: str = "",
    after: str = "",
    note: str = "",
    data: dict[str, Any] | None = None,
) -> ApplicationEvent:
    """The timeline entry and the audit entry of one act; inside the act's transaction."""
    event = ApplicationEvent.objects.create(
        application=application,
        actor=actor.user,
        kind=kind,
        from_status=before,
        to_status=after,
        note=note,
        data=data or {},
    )
    audit_record(
        actor=actor,
        action=f"application.{kind}",
        target=application,
        before={"status": before} if before else None,
        after={"status": after or application.status, **(data or {})},
    )
    return event


@dataclass(frozen=True, slots=True)
class Step:
    """One act for `record_many`: what `record` takes, kept until the acts are written."""

    actor: Actor
    kind: str
    before: str = ""
    after: str = ""
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)


def record_many(*, application: Application, steps: Sequence[Step]) -> None:
    """The timeline and audit entries of several acts done in one transaction (a submission
    and its instant approval, three reused materials), in their order: one INSERT of the
    events and one turn of the audit chain for all (core.audit.audit_record_many)."""
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(
            application=application,
            actor=s.actor.user,
            kind=s.kind,
            from_status=s.before,
            to_status=s.after,
            note=s.note,
            data=s.data,
        )
        for s in steps
    )
    audit_record_many(
        [
            audit_event(
                actor=s.actor,
                action=f"application.{s.kind}",
                target=application,
                before={"status": s.before} if s.before else None,
                after={"status": s.after or application.status, **s.data},
            )
            for s in steps
        ]
    )


def lock(application: Application) -> Application:
    """The application's row, locked for the act (select_for_update) — that row only: the
    item (and the person, whose file 秒批 reads) come with it unlocked, or every act on any
    application of the item would wait for the one before it to commit."""
    return (
        Application.objects.select_for_update(of=("self",))
        .select_related("item", "person")
        .get(pk=application.pk)
    )


def owner_check(actor: Actor, application: Application, *, reads_file: bool = False) -> None:
    """Only the applicant acts on their own application — or the agent it was made by,
    under its authorisation while that is usable for the item (帮办代办, decision 0072:
    403 mandate.revoked / expired / out_of_scope, and mandate.read_not_allowed for an act
    that uses the applicant's file, `reads_file`). Anyone else is told it does not exist
    (habit 3)."""
    if actor.user is None:
        raise NotAuthenticated(_("需要登录后操作"))
    if application.applicant_id == actor.user.pk:
        return
    mandate = application.mandate if application.mandate_id else None
    if mandate is None or application.submitted_by_id is None:
        raise NotFound(_("办件不存在"), code="application.not_found")
    try:
        mandate_check(
            mandate, user=actor.user, item_code=application.item.code, read_file=reads_file
        )
    except NotFound:
        raise NotFound(_("办件不存在"), code="application.not_found") from None


def editable_check(application: Application) -> None:
    if application.status not in EDITABLE:
        raise Conflict(
            _("办件已提交，不能再修改"),
            code="application.not_editable",
            fields={"status": [application.status]},
        )


def idempotent_replay[T](earlier: T, *, same_request: bool) -> T:
    """What a retried create with an Idempotency-Key gets: the row the key made first, or
    409 when the key was used for another request (another item, another bundle)."""
    if not same_request:
        raise Conflict(
            _("该幂等键已用于另一个申请"),
            code="application.idempotency_mismatch",
            fields={"Idempotency-Key": [_("已用于另一个申请")]},
        )
    return earlier
