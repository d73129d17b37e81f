"""经办人 — who inside the unit works an order. The unit's manager names a handler of the
unit (or changes or clears it); a handler takes (领取) an assignment nobody holds yet. The
order's status and clocks do not move: this is the unit's own division of work."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from hongmian.hotline import permissions
from hongmian.hotline.models import Assignment
from hongmian.hotline.services.lifecycle_common import begin, record
from hongmian.hotline.states import Visibility
from hongmian.identity.models import User


def _handler_label(user: User | None) -> str:
    if user is None:
        return ""
    return user.display_name or user.username


def assignment_assign_handler(
    *, actor: Actor, assignment: Assignment | int, handler: User | None
) -> Assignment:
    """Set the assignment's 经办人 to `handler` (None clears it). Refused: an order the actor
    cannot see (404), someone who may not (403: `permissions.can_assign_handler`), an
    assignment no longer in the unit's hands (409 `assignment.not_active`), a handler who is
    not an active handler or manager of the assignment's own unit (422
    `assignment.handler`). Audited on the order, with a staff timeline entry (the centre
    and the units read it, the caller never does)."""
    pk = assignment.pk if isinstance(assignment, Assignment) else assignment
    order_id = Assignment.objects.filter(pk=pk).values_list("order_id", flat=True).first()
    if order_id is None:
        raise NotFound(gettext("派单记录不存在"), code="assignment.not_found")
    with transaction.atomic():
        # The order first (every act on an order locks it), then the row itself.
        order = begin(actor, order_id, lambda user, _order: permissions.is_unit_handler(user))
        row = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("unit", "handler")
            .get(pk=pk)
        )
        if not permissions.can_assign_handler(actor.user, row, handler):
            raise PermissionDenied(gettext("无权指定该工单的经办人"), code="assignment.forbidden")
        if row.status not in permissions.ACTIVE_ASSIGNMENT_STATUSES:
            raise Conflict(
                gettext("该派单已不在本单位办理中"),
                code="assignment.not_active",
                fields={"status": [row.status]},
            )
        if handler is not None and not (
            handler.is_active
            and handler.role in permissions.UNIT_HANDLER_ROLES
            and handler.org_unit_id == row.unit_id
        ):
            message = "经办人须是本单位在职的承办人员"
            raise ValidationFailed(
                message, code="assignment.handler", fields={"handler": [message]}
            )
        before = row.handler
        if (before.pk if before else None) == (handler.pk if handler else None):
            return row
        row.handler = handler
        row.save(update_fields=["handler", "updated_at"])
        label = _handler_label(handler)
        record(
            actor,
            order,
            action="assignment.handler_assigned",
            kind="handler_assigned",
            visibility=Visibility.STAFF,
            text=f"{row.unit.name}经办人：{label}" if handler else f"{row.unit.name}取消经办人",
            before={"unit": row.unit_id, "handler": before.pk if before else None},
            after={"unit": row.unit_id, "handler": handler.pk if handler else None},
            data={"unit": row.unit_id, "handler": handler.pk if handler else None},
        )
    return row
