"""The hotline's one door to the insights app (`hongmian.insights`: classifiers, duplicate
candidates, hot spots, reply checks). The insights app reads orders through the hotline;
the hotline calls the insights app only through this module, and works without it:

- the console and `/api/hotline/suggestions` ask `suggest` for the active classifiers'
  categories and units (None without the app: the API answers 409, the console shows no
  slot — `available()` tells the console template whether to include it);
- after an intake, `record_intake_feedback` stores the category the agent chose against
  the suggestion the console showed; an accepted return (退单) calls `feedback_on_return`.
  Both never fail the act that calls them (the insights services log and swallow errors);
- the supervisor's board shows `board_hotspots`, `board_duplicates` (stored by the
  insights app's periodic scan) and, on its callback queue, `board_callbacks` (each reply
  with its check); without the app the two insight sections are left out and the queue has
  no checks; a merge tells the app through `orders_merged`, which drops the stored groups
  of the merged orders;
- the order page loads its 疑似重复 panel from `order_duplicates_url`; the console asks
  `draft_duplicates` for open orders like the request being typed, before 受理.

No other hotline module imports `hongmian.insights` (a test checks this). The insights
app's own pages (the hot-spot page, the console's slot, the order's duplicate panel) are
mounted under /hotline/ by config/urls.py with their `insights:` URL names.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from hongmian.core.actors import Actor

if TYPE_CHECKING:
    from hongmian.hotline.models import WorkOrder
    from hongmian.identity.models import OrgUnit

INSIGHTS_APP = "hongmian.insights"
# The intake form's hidden field that carries the suggestion the console showed, signed by
# the insights app (its slot template writes the field).
SUGGESTION_FIELD = "ml_suggestion"
# The board's sections that only the insights app fills.
BOARD_SECTIONS = frozenset({"hotspots", "merges"})


def _module(name: str) -> ModuleType | None:
    if not apps.is_installed(INSIGHTS_APP):
        return None
    try:
        return import_module(f"{INSIGHTS_APP}.{name}")
    except ImportError:
        return None


def available() -> bool:
    """Whether the insights app is installed (the console's slot, the board's sections)."""
    return _module("services") is not None


# --- suggestions at intake -------------------------------------------------------------------


def suggest(title: str, content: str, *, k: int = 3) -> Any | None:
    """The active classifiers' top-k categories and units (`classifier.suggest.Suggestions`);
    None without the app. Raises the app's ValidationFailed for a blank or over-long text."""
    module = _module("classifier.suggest")
    return None if module is None else module.suggest(title, content, k=k)


def record_intake_feedback(request: HttpRequest, order: WorkOrder, created: bool = True) -> None:
    """After a successful intake: the chosen category against the suggestion shown (once: a
    retried form that found its order already taken records nothing). Never raises — the
    order is taken whatever happens here."""
    token = request.POST.get(SUGGESTION_FIELD, "")
    services = _module("services.classifier")
    if not token or not created or services is None:
        return
    services.classifier_feedback_on_intake(
        actor=Actor.from_request(request), order=order, token=token
    )


def feedback_on_return(
    *, actor: Actor, order: WorkOrder, returned_unit: OrgUnit, new_unit: OrgUnit
) -> None:
    """An accepted return: `returned_unit` was wrong for the order and `new_unit` is right,
    which teaches the unit classifier. Called inside the review's transaction; never fails
    it (the service keeps its own savepoint)."""
    services = _module("services.classifier")
    if services is None:
        return
    services.classifier_feedback_on_return(
        actor=actor, order=order, returned_unit=returned_unit, new_unit=new_unit
    )


# --- the supervisor's board and the order page ------------------------------------------------


def board_hotspots() -> Any:
    """The board's 热点 section (open alerts, the latest scan's hottest groups); None
    without the app (the section is not shown)."""
    views = _module("views.board")
    return None if views is None else views.board_hotspots()


def board_duplicates(limit: int) -> Any | None:
    """The board's 并单候选 as the periodic scan stored them (`StoredGroups`: `count`, the
    first `limit` `groups`, `scanned_at` — None before the first scan, which is then
    queued); None without the app."""
    views = _module("views.board")
    return None if views is None else views.board_duplicates(limit)


def orders_merged(*, actor: Actor, order_ids: list[int]) -> None:
    """After a merge (inside its transaction): the board's stored duplicate groups that hold
    any of these orders go at once, not at the next scan."""
    services = _module("services.duplicates")
    if services is not None:
        services.duplicate_groups_forget(actor=actor, order_ids=order_ids)


def board_callbacks(orders: list[WorkOrder]) -> list[tuple[WorkOrder, Any]]:
    """The callback queue with each reply's check, replies that need a look first; without
    the app, the queue as it is, with no checks (None)."""
    views = _module("views.board")
    if views is None:
        return [(order, None) for order in orders]
    rows: list[tuple[WorkOrder, Any]] = views.board_callbacks(orders)
    return rows


def duplicate_window_days() -> int | None:
    """How many days apart two orders may be and still be duplicate candidates."""
    module = _module("analysis.duplicates")
    return None if module is None else int(module.WINDOW_DAYS)


def draft_duplicates(
    *,
    title: str,
    content: str,
    address: str = "",
    caller_phone: str = "",
    request_type: str = "",
    limit: int = 5,
) -> list[Any]:
    """Open orders that may report what the agent is typing, before it is taken (each a
    `Candidate`: `order`, `score`, `reasons`), best first; [] without the app. Reads only."""
    services = _module("services.duplicates")
    if services is None:
        return []
    found: list[Any] = services.draft_duplicate_candidates(
        title=title,
        content=content,
        address=address,
        caller_phone=caller_phone,
        request_type=request_type,
        at=timezone.now(),
        limit=limit,
    )
    return found


def order_duplicates_url(order: WorkOrder) -> str | None:
    """Where the order page loads the order's 疑似重复 panel; None without the app."""
    if not available():
        return None
    return reverse("insights:order_duplicates", args=(order.pk,))
