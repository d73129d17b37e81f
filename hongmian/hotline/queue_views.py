"""A queue's views (Zammad's overviews): the built-in tabs of each queue and the reader's
saved ones, each with its true count (decision 0028). Split from hotline/queues.py, which
filters, sorts and pages one list."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hongmian.hotline.models import WorkOrder
from hongmian.hotline.queues import queue_apply, queue_filter_parse
from hongmian.hotline.states import ClockLight, Status

# --- views: built-in per role, personal ones saved (models.SavedView) -----------------------


@dataclass(frozen=True, slots=True)
class QueueView:
    """One tab of a queue: a name and the parameters it stands for."""

    key: str
    label: str | Promise
    params: tuple[tuple[str, str], ...] = ()

    @property
    def query(self) -> str:
        return "?" + urlencode(self.params) if self.params else ""


# The built-in views (Zammad's overviews) of each queue, defined here rather than stored so
# that every office has the same ones. The unit's 待审批 (approvals) belongs to the approval
# work and joins this tuple from there.
BUILTIN_VIEWS: dict[str, tuple[QueueView, ...]] = {
    # The centre's 工单查询.
    "search": (
        QueueView("all", _("全部")),
        QueueView("to_dispatch", _("待派单"), (("status", Status.RECEIVED),)),
        QueueView("due_soon", _("即将超时"), (("light", ClockLight.YELLOW), ("sort", "deadline"))),
        QueueView("overdue", _("已超时"), (("overdue", "1"), ("sort", "lateness"))),
        QueueView("to_call_back", _("待回访"), (("status", Status.REPLIED), ("sort", "replied"))),
    ),
    # A unit's 待办工单.
    "inbox": (
        QueueView("all", _("全部待办")),
        QueueView("to_acknowledge", _("待签收"), (("status", Status.DISPATCHED),)),
        QueueView("mine", _("我的"), (("mine", "1"),)),
        QueueView("due_soon", _("即将超时"), (("light", ClockLight.YELLOW),)),
        QueueView("overdue", _("已超时"), (("overdue", "1"),)),
    ),
}


@dataclass(frozen=True, slots=True)
class ViewTab:
    view: QueueView
    count: int | None  # None: not counted yet (the page loads the counts after it, 0036)
    current: bool
    saved_id: int | None = None


def queue_view_tabs(
    base: QuerySet[WorkOrder],
    views: Sequence[QueueView],
    *,
    current_params: Sequence[tuple[str, str]],
    user: Any = None,
    now: dt.datetime,
    saved: Mapping[str, int] | None = None,
    counted: bool = True,
) -> list[ViewTab]:
    """Each view with its true count (one COUNT per view) over `base`, and which one the
    reader is on (its parameters are exactly the current filter's). `counted` false: no
    COUNT, `count` None (the list page draws its tabs at once and fetches the counts
    after, so that a page at a million orders does not wait for six counts)."""
    tabs = []
    wanted_now = sorted(current_params)
    for view in views:
        wanted, _problems = queue_filter_parse(_multi(view))
        count = (
            queue_apply(base, wanted, user=user, now=now).order_by().count() if counted else None
        )
        current = sorted(wanted.params(paging=False)) == [
            p for p in wanted_now if p[0] not in ("page", "per_page")
        ]
        tabs.append(ViewTab(view, count, current, (saved or {}).get(view.key)))
    return tabs


def _multi(view: QueueView) -> dict[str, list[str]]:
    # Repeated parameters (status=a&status=b) stay lists.
    merged: dict[str, list[str]] = {}
    for key, value in view.params:
        merged.setdefault(key, []).append(value)
    return merged
