"""What every application service shares: the timeline entry written with each act, and
the checks of who may act."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from hongmian.applications.models import Application, ApplicationEvent
from hongmian.applications.states import Status
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
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


def lock(application: Application) -> Application:
    """The application's row, locked for the act (select_for_update)."""
    return Application.objects.select_for_update().select_related("item").get(pk=application.pk)


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
