"""市民补充 — the caller adds to an order still being handled (an SMS reply today, a call
later): one public timeline entry the handling unit and the caller both read. The status
and the clocks do not change; the order's version does (its page shows something new)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from hongmian.core.actors import Actor
from hongmian.hotline import permissions
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.services.lifecycle_common import begin, record, require_status, save
from hongmian.hotline.services.lifecycle_common import text as clean_text
from hongmian.hotline.states import OPEN_STATUSES, Visibility

# Where a supplement came from, as the timeline names it.
SOURCES = {"sms": "短信", "phone": "电话"}


def _records_for_caller(user: Any, order: WorkOrder) -> bool:
    # The centre records what a caller adds (its gateways act as centre accounts).
    return permissions.is_centre_staff(user)


def work_order_supplement(
    *, actor: Actor, order: WorkOrder | int, text: str, source: str = "sms"
) -> WorkOrder:
    """Add the caller's `text` to an open order (409 `work_order.illegal_transition` once it
    is closed: a closed order's caller starts a new one)."""
    note = clean_text(text, "text")
    label = SOURCES.get(source, source)
    with transaction.atomic():
        locked = begin(actor, order, _records_for_caller)
        require_status(locked, OPEN_STATUSES, "补充诉求")
        save(locked)
        record(
            actor,
            locked,
            action="work_order.supplement",
            kind="citizen_supplement",
            visibility=Visibility.PUBLIC,
            text=f"市民补充（{label}）：{note}",
            after={"source": source},
            data={"source": source},
        )
    return locked
