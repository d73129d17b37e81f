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


def owner_check(actor: Actor, application: Application) -> None:
    """Only the applicant acts on their own application; anyone else is told it does not
    exist (habit 3)."""
    if actor.user is None:
        raise NotAuthenticated(_("需要登录后操作"))
    if application.applicant_id != actor.user.pk:
        raise NotFound(_("办件不存在"), code="application.not_found")


def editable_check(application: Application) -> None:
    if application.status not in EDITABLE:
        raise Conflict(
            _("办件已提交，不能再修改"),
            code="application.not_editable",
            fields={"status": [application.status]},
        )
