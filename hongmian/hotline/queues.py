"""队列 — the one way every list of orders is filtered, sorted, counted and paged: the
supervisor board's sections, the callback queue, a unit's inbox, 工单查询 and a citizen's
我的诉求 (docs/hotline.md, "Queues"; decision 0028).

A list is three steps, each one call:

1. `queue_filter_parse(request.GET)` → a `QueueFilter` (typed, immutable) and the problems
   of the values it could not read, each with a stable code; a bad value is dropped, never
   a 500, and the page says what was wrong.
2. `queue_apply(orders, wanted, user=…, now=…)` narrows and sorts a queryset the caller
   has already scoped (`selectors.work_order_list`, `selectors.unit_inbox`, a board
   section): this module decides nothing about who sees what.
3. `queue_page(orders, wanted)` → a `QueuePage`: the true count (one COUNT) and one page
   of rows (one query), with what the pager needs.

The parameter names are a contract (other screens link here); change them only with
docs/hotline.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Protocol
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hongmian.core.errors import ValidationFailed
from hongmian.core.validators import DB_ID_MAX, parse_id
from hongmian.hotline.models import Assignment, Category, SlaClock, WorkOrder
from hongmian.hotline.models.orders import AGE_SORT_KEY
from hongmian.hotline.permissions import ACTIVE_ASSIGNMENT_STATUSES
from hongmian.hotline.services.intake_validation import validate_caller_phone
from hongmian.hotline.states import (
    FINISHED_STATUSES,
    OPEN_STATUSES,
    WITH_UNIT_STATUSES,
    AssignmentStatus,
    ClockKind,
    ClockLight,
    Satisfaction,
    Status,
)
from hongmian.hotline.text_search import order_text_q, text_index_used
from hongmian.identity.models import OrgUnit
from hongmian.identity.scoping import InSubquery

# Dates in the filter are the centre's calendar days, whatever the server's zone.
SHANGHAI = ZoneInfo("Asia/Shanghai")

# `status=` takes a Status value or one of these names.
STATUS_GROUPS: dict[str, frozenset[Status]] = {
    "open": OPEN_STATUSES,
    "with_unit": WITH_UNIT_STATUSES,
    "finished": FINISHED_STATUSES,
}
STATUS_GROUP_LABELS: dict[str, str | Promise] = {
    "open": _("未办结"),
    "with_unit": _("在承办单位"),
    "finished": _("已办结"),
}

# `tag=`: what an order is marked as.
TAGS: dict[str, tuple[str | Promise, Q]] = {
    "enterprise": (_("涉企"), Q(is_enterprise=True)),
    "emergency": (_("应急"), Q(is_emergency=True)),
    "confidential": (_("保密"), Q(confidential=True)),
}

# `sort=`: the key and what it reads as. Every sort ends with the id, so pages never
# overlap or skip a row when many orders share a time.
SORTS: dict[str, str | Promise] = {
    "deadline": _("按办结期限（最近的在前）"),
    "lateness": _("按超时程度（最紧急的在前）"),
    "age": _("按在办时长（最久的在前）"),
    "-received": _("按受理时间（最新的在前）"),
    "received": _("按受理时间（最早的在前）"),
    "replied": _("按答复时间（最早的在前）"),
    "-replied": _("按答复时间（最新的在前）"),
}

PER_PAGE_CHOICES = (20, 50, 100, 200)
DEFAULT_PER_PAGE = 50
# Deeper than anyone pages by hand; a larger number is a typo (or a probe), not a page.
MAX_PAGE = 1_000_000
Q_MAX = 100


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the reader asked of a list. Every field's empty value means "any"; `sort` empty
    means the list's own order (each queue has one)."""

    q: str = ""
    statuses: tuple[str, ...] = ()  # Status values and group names, as given
    category: int | None = None  # a Category pk; its descendants too
    district: str = ""  # a 9-digit division code (440106 is read as 440106000)
    unit: int | None = None  # an OrgUnit pk: orders it holds or held (not withdrawn)
    light: str = ""  # a ClockLight value
    overdue: bool = False
    tags: tuple[str, ...] = ()
    date_from: dt.date | None = None  # received on or after (Asia/Shanghai)
    date_to: dt.date | None = None  # received on or before (Asia/Shanghai)
    satisfaction: str = ""
    mine: bool = False  # the inbox's 我的: assignments whose handler is the reader
    sort: str = ""
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    def params(self, *, paging: bool = True) -> list[tuple[str, str]]:
        """The filter as query parameters, in one canonical order (saved views keep this)."""
        out: list[tuple[str, str]] = []
        if self.q:
            out.append(("q", self.q))
        out += [("status", s) for s in self.statuses]
        if self.category is not None:
            out.append(("category", str(self.category)))
        if self.district:
            out.append(("district", self.district))
        if self.unit is not None:
            out.append(("unit", str(self.unit)))
        if self.light:
            out.append(("light", self.light))
        if self.overdue:
            out.append(("overdue", "1"))
        out += [("tag", t) for t in self.tags]
        if self.date_from:
            out.append(("from", self.date_from.isoformat()))
        if self.date_to:
            out.append(("to", self.date_to.isoformat()))
        if self.satisfaction:
            out.append(("satisfaction", self.satisfaction))
        if self.mine:
            out.append(("mine", "1"))
        if self.sort:
            out.append(("sort", self.sort))
        if paging:
            if self.per_page != DEFAULT_PER_PAGE:
                out.append(("per_page", str(self.per_page)))
            if self.page != 1:
                out.append(("page", str(self.page)))
        return out

    def query_string(self, **changes: Any) -> str:
        """`?…` for this filter with `changes` (e.g. page=3); "" when nothing is asked."""
        wanted = replace(self, **changes) if changes else self
        params = wanted.params()
        return "?" + urlencode(params) if params else ""

    @property
    def filtered(self) -> bool:
        """Anything asked besides sort and paging (the page says "筛选后")."""
        return any(name != "sort" for name, _value in self.params(paging=False))

    def status_values(self) -> set[str]:
        values: set[str] = set()
        for name in self.statuses:
            values |= {str(s) for s in STATUS_GROUPS.get(name, {name})}
        return values


@dataclass(frozen=True, slots=True)
class QueueProblem:
    """One parameter that could not be read: dropped from the filter, shown on the page, or
    answered as 400 with `code` by the API."""

    param: str
    code: str
    message: str


class _Params(Protocol):
    def getlist(self, key: str) -> list[str]: ...


def _getlist(params: _Params | Mapping[str, Any], key: str) -> list[str]:
    if hasattr(params, "getlist"):
        values = params.getlist(key)
    else:
        raw = params.get(key)
        values = [] if raw is None else raw if isinstance(raw, list | tuple) else [raw]
    return [str(v).strip() for v in values if str(v).strip()]


def _one(params: _Params | Mapping[str, Any], key: str) -> str:
    values = _getlist(params, key)
    return values[-1] if values else ""


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if len(raw) == 10 else None
    except ValueError:
        return None


def _positive_int(raw: str, *, limit: int = DB_ID_MAX) -> int | None:
    value = parse_id(raw)
    return value if value is not None and value <= limit else None


def queue_filter_parse(
    params: _Params | Mapping[str, Any],
    *,
    sorts: Iterable[str] = SORTS,
) -> tuple[QueueFilter, list[QueueProblem]]:
    """Read a list's query parameters (a QueryDict, or a mapping of name → value or list).
    Each unreadable value becomes a `QueueProblem` (codes `queue.<param>`) and is left out;
    the rest still filter. `sorts`: the keys this list accepts."""
    problems: list[QueueProblem] = []

    def bad(param: str, message: str) -> None:
        problems.append(QueueProblem(param, f"queue.{param}", message))

    q = _one(params, "q")
    if len(q) > Q_MAX:
        bad("q", gettext("查询文字不能超过 {limit} 字").format(limit=Q_MAX))
        q = ""
    elif "\x00" in q:
        # PostgreSQL cannot even compare a NUL: it was a 500 at the search (decision 0046).
        bad("q", "查询文字不能包含空字符（NUL）")
        q = ""

    statuses: list[str] = []
    for value in _getlist(params, "status"):
        if value in STATUS_GROUPS or value in Status.values:
            if value not in statuses:
                statuses.append(value)
        else:
            bad("status", gettext("没有这个状态：{value}").format(value=value[:20]))

    category: int | None = None
    if raw := _one(params, "category"):
        pk = _positive_int(raw)
        if pk is None or not Category.objects.filter(pk=pk).exists():
            bad("category", gettext("分类不存在"))
        else:
            category = pk

    district = ""
    if raw := _one(params, "district"):
        if raw.isascii() and raw.isdigit() and len(raw) in (6, 9):
            district = raw if len(raw) == 9 else raw + "000"
        else:
            bad("district", gettext("区划代码应为 6 位或 9 位数字，例如 440106"))

    unit: int | None = None
    if raw := _one(params, "unit"):
        pk = _positive_int(raw)
        if pk is None or not OrgUnit.objects.filter(pk=pk).exists():
            bad("unit", gettext("单位不存在"))
        else:
            unit = pk

    light = _one(params, "light")
    if light and light not in ClockLight.values:
        bad("light", gettext("时限灯号应为 green、yellow、red、met 或 met_late"))
        light = ""

    overdue = False
    if raw := _one(params, "overdue"):
        if raw in ("1", "0"):
            overdue = raw == "1"
        else:
            bad("overdue", gettext("overdue 只能是 1 或 0"))

    mine = False
    if raw := _one(params, "mine"):
        if raw in ("1", "0"):
            mine = raw == "1"
        else:
            bad("mine", gettext("mine 只能是 1 或 0"))

    tags: list[str] = []
    for value in _getlist(params, "tag"):
        if value in TAGS:
            if value not in tags:
                tags.append(value)
        else:
            bad("tag", gettext("没有这个标签：{value}").format(value=value[:20]))

    dates: dict[str, dt.date | None] = {}
    for param in ("from", "to"):
        raw = _one(params, param)
        dates[param] = _date(raw) if raw else None
        if raw and dates[param] is None:
            bad(param, gettext("日期格式应为 YYYY-MM-DD"))
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        problems.append(QueueProblem("to", "queue.date_range", gettext("结束日期不能早于开始日期")))
        dates["to"] = None

    satisfaction = _one(params, "satisfaction")
    if satisfaction and satisfaction not in Satisfaction.values:
        bad("satisfaction", gettext("满意度应为 satisfied、basic 或 dissatisfied"))
        satisfaction = ""

    sort = _one(params, "sort")
    if sort and sort not in set(sorts):
        bad("sort", gettext("不支持的排序：{value}").format(value=sort[:20]))
        sort = ""

    per_page = DEFAULT_PER_PAGE
    if raw := _one(params, "per_page"):
        size = _positive_int(raw, limit=10_000)
        if size is None or size not in PER_PAGE_CHOICES:
            choices = gettext("、").join(str(c) for c in PER_PAGE_CHOICES)
            bad("per_page", gettext("每页条数只能是 {choices}").format(choices=choices))
        else:
            per_page = size

    page = 1
    if raw := _one(params, "page"):
        number = _positive_int(raw, limit=MAX_PAGE)
        if number is None:
            bad("page", gettext("页码应为正整数"))
        else:
            page = number

    wanted = QueueFilter(
        q=q,
        statuses=tuple(statuses),
        category=category,
        district=district,
        unit=unit,
        light=light,
        overdue=overdue,
        tags=tuple(tags),
        date_from=dates["from"],
        date_to=dates["to"],
        satisfaction=satisfaction,
        mine=mine,
        sort=sort,
        page=page,
        per_page=per_page,
    )
    return wanted, problems


# --- applying it ---------------------------------------------------------------------------


def light_q(light: str, now: dt.datetime) -> Q:
    """Orders whose worst clock shows `light` (as the lists draw it, `views.order.order_light`):
    red — a running clock is past due; yellow — past its warning, none past due; green —
    clocks run, none past its warning; met / met late — no clock runs and a resolution clock
    stopped in time / late. The running clocks are read from the order's copy of them
    (`clock_due_at`, `clock_yellow_at`: the earliest of any running clock, kept by
    `sla.sla_order_clocks_sync`), one indexed column rather than a subquery per order."""
    if light == ClockLight.RED:
        return Q(clock_due_at__lte=now)
    if light == ClockLight.YELLOW:
        return Q(clock_yellow_at__lte=now, clock_due_at__gt=now)
    if light == ClockLight.GREEN:
        return Q(clock_yellow_at__gt=now, clock_due_at__gt=now)
    stopped = SlaClock.objects.filter(
        order=OuterRef("pk"), kind=ClockKind.RESOLUTION, stopped_at__isnull=False
    )
    stopped_late = Exists(stopped.filter(stopped_at__gt=F("due_at")))
    if light == ClockLight.MET_LATE:
        return Q(clock_due_at__isnull=True) & Q(stopped_late)
    return Q(clock_due_at__isnull=True) & Q(Exists(stopped)) & ~Q(stopped_late)


def category_and_below(pk: int) -> list[int]:
    """The category and every category under it (three levels: at most two hops)."""
    ids = [pk]
    level = [pk]
    for _hop in range(2):
        level = list(Category.objects.filter(parent_id__in=level).values_list("pk", flat=True))
        ids += level
    return ids


def queue_apply(
    orders: QuerySet[WorkOrder],
    wanted: QueueFilter,
    *,
    user: Any = None,
    now: dt.datetime,
    default_sort: str = "-received",
    search_caller: bool = False,
    text_index: bool = True,
) -> QuerySet[WorkOrder]:
    """`orders` (already scoped to the reader) narrowed by `wanted` and sorted. `user` is
    needed for `mine`. `search_caller`: `q` also matches the caller's phone and the address
    (the centre's search; never a unit's). `text_index` false: `q` without its bigram
    condition (the same rows; see `queue_page`'s `unindexed`)."""
    if values := wanted.status_values():
        orders = orders.filter(status__in=sorted(values))
    if wanted.q and WorkOrder.objects.filter(number=wanted.q).exists():
        # A whole order number (the usual thing typed): that order, by the unique index,
        # rather than a scan of every title and text for it (9 s at a million orders).
        orders = orders.filter(number=wanted.q)
    elif wanted.q:
        phone = _phone(wanted.q) if search_caller else ""
        orders = orders.filter(
            order_text_q(
                wanted.q, phone=phone, address=search_caller, using=orders.db, indexed=text_index
            )
        )
    if wanted.category is not None:
        orders = orders.filter(category_id__in=category_and_below(wanted.category))
    if wanted.district:
        orders = orders.filter(district_code=wanted.district)
    if wanted.unit is not None:
        # The unit's orders read once, as a list of ids (its (unit, status) index), rather
        # than an EXISTS per order while walking a million by date (0.3–0.9 s; 0037).
        held = (
            Assignment.objects.filter(unit_id=wanted.unit)
            .exclude(status=AssignmentStatus.WITHDRAWN)
            .order_by()
            .values("order_id")
        )
        orders = orders.filter(InSubquery(F("pk"), Subquery(held)))
    if wanted.light:
        orders = orders.filter(light_q(wanted.light, now))
    if wanted.overdue:
        orders = orders.filter(light_q(ClockLight.RED, now))
    for tag in wanted.tags:
        orders = orders.filter(TAGS[tag][1])
    if wanted.date_from:
        start = dt.datetime.combine(wanted.date_from, dt.time.min, tzinfo=SHANGHAI)
        orders = orders.filter(created_at__gte=start)
    if wanted.date_to:
        end = dt.datetime.combine(wanted.date_to + dt.timedelta(days=1), dt.time.min, SHANGHAI)
        orders = orders.filter(created_at__lt=end)
    if wanted.satisfaction:
        orders = orders.filter(satisfaction=wanted.satisfaction)
    if wanted.mine:
        mine = Assignment.objects.filter(
            order=OuterRef("pk"),
            handler_id=getattr(user, "pk", None),
            status__in=sorted(ACTIVE_ASSIGNMENT_STATUSES),
        )
        orders = orders.filter(Exists(mine))
    return queue_sort(orders, wanted.sort or default_sort)


def _phone(text: str) -> str:
    try:
        return validate_caller_phone(text)
    except ValidationFailed:
        return ""


def queue_sort(orders: QuerySet[WorkOrder], sort: str) -> QuerySet[WorkOrder]:
    """Order `orders` by one of `SORTS`. The deadline sorts read the running clocks (their
    copy on the order); orders without one come last."""
    if sort == "deadline":
        return orders.order_by(F("resolution_due_at").asc(nulls_last=True), "id")
    if sort == "lateness":
        return orders.order_by(F("clock_due_at").asc(nulls_last=True), "id")
    if sort == "age":
        # The expression its index is on (never-dispatched last, as NULLS LAST would).
        return orders.order_by(AGE_SORT_KEY.asc(), "created_at", "id")
    if sort == "received":
        return orders.order_by("created_at", "id")
    if sort == "replied":
        return orders.order_by(F("replied_at").asc(nulls_last=True), "id")
    if sort == "-replied":
        return orders.order_by(F("replied_at").desc(nulls_last=True), "-id")
    if sort == "updated":
        # Not offered to readers: the board's review sections wait longest-unchanged first.
        return orders.order_by("updated_at", "id")
    return orders.order_by("-created_at", "-id")


# --- paging --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueuePage:
    """One page of a list and its true count. `number` is the page shown: a page past the
    end shows the last one (a list that shrank while the reader paged)."""

    items: list[Any]
    count: int
    number: int
    per_page: int
    wanted: QueueFilter = field(default_factory=QueueFilter)
    # True: the count is still being taken (the page fetches it after it loads, decision
    # 0051); `count` is then only the rows up to this page's last, a lower bound.
    counting: bool = False

    @property
    def num_pages(self) -> int:
        return max(1, -(-self.count // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        if self.counting:
            return len(self.items) == self.per_page
        return self.number < self.num_pages

    @property
    def start_index(self) -> int:
        return 0 if self.count == 0 else (self.number - 1) * self.per_page + 1

    @property
    def end_index(self) -> int:
        return min(self.count, self.number * self.per_page)

    def window(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last, and `around` either side of this
        one; None where pages are skipped (drawn as …)."""
        last = self.num_pages
        shown = {1, last, *range(self.number - around, self.number + around + 1)}
        pages = sorted(p for p in shown if 1 <= p <= last)
        out: list[int | None] = []
        for p in pages:
            if out and p - (out[-1] or 0) > 1:
                out.append(None)
            out.append(p)
        return out

    def url(self, page: int) -> str:
        """The query string of page `page` of the same filter."""
        return self.wanted.query_string(page=page)

    @property
    def links(self) -> dict[str, str]:
        """first / prev / next / last, as query strings (the template adds the path)."""
        out: dict[str, str] = {}
        if self.has_previous:
            out |= {"first": self.url(1), "prev": self.url(self.number - 1)}
        if self.has_next:
            out |= {"next": self.url(self.number + 1), "last": self.url(self.num_pages)}
        return out

    @property
    def window_links(self) -> list[tuple[int | None, str]]:
        return [(n, self.url(n) if n else "") for n in self.window()]


# A `q` found in at least this many orders is "common": its page walks the list's order
# with the substring test alone, and its count may come after the page (decision 0051).
TEXT_PROBE = 5000
# Deeper than this, a walk in the list's order would read too far for a common word: the
# page asks the bigram index as before.
TEXT_WALK_MAX_ROWS = 500


def queue_page(
    orders: QuerySet[Any],
    wanted: QueueFilter,
    *,
    unindexed: Callable[[], QuerySet[Any]] | None = None,
    count_later: bool = False,
) -> QueuePage:
    """Count `orders` and read the asked page (two queries; a page past the end reads the
    last one, a third).

    `unindexed`: makes the same list with `q` as the substring test alone
    (`queue_apply(…, text_index=False)`; called only when needed), for when `q` asks the
    bigram index. Then the count first stops at `TEXT_PROBE` rows: under it, it is the
    true count and the page asks the index; at it, the word is common — a share of the
    list the planner cannot see (it takes the bigrams of a phrase as independent, 0037) —
    and a shallow page walks the list's own order with `unindexed`, stopping at the page
    (the same rows). The true count of a common word visits every order that has it
    (0.4–0.9 s at a million): with `count_later` it is not taken here, the page says it
    is counting (`QueuePage.counting`) and fetches it after it loads; without, it is taken
    as before."""
    if unindexed is not None and text_index_used(wanted.q, using=orders.db):
        probe = orders.order_by()[:TEXT_PROBE].count()
        if probe >= TEXT_PROBE:
            return _common_text_page(orders, unindexed, wanted, count_later=count_later)
        return _page(orders, wanted, probe)
    return _page(orders, wanted, orders.count())


def _common_text_page(
    orders: QuerySet[Any],
    unindexed: Callable[[], QuerySet[Any]],
    wanted: QueueFilter,
    *,
    count_later: bool,
) -> QueuePage:
    start = (wanted.page - 1) * wanted.per_page
    shown = unindexed() if start + wanted.per_page <= TEXT_WALK_MAX_ROWS else orders
    if not count_later:
        return _page(orders, wanted, orders.count(), read=shown)
    items = queue_rows(shown, start, wanted.per_page)
    if not items and wanted.page > 1:
        # Past the end of the list: count now, to show its last page.
        return _page(orders, wanted, orders.count(), read=shown)
    return QueuePage(items, start + len(items), wanted.page, wanted.per_page, wanted, counting=True)


def _page(
    orders: QuerySet[Any], wanted: QueueFilter, count: int, *, read: QuerySet[Any] | None = None
) -> QueuePage:
    rows = orders if read is None else read
    last = max(1, -(-count // wanted.per_page))
    number = min(wanted.page, last)
    start = (number - 1) * wanted.per_page
    items = queue_rows(rows, start, wanted.per_page) if count else []
    return QueuePage(items, count, number, wanted.per_page, replace(wanted, page=number))


# From this offset on, a page reads its ids first (`queue_rows`).
DEEP_PAGE_ROWS = 500


def queue_rows(rows: QuerySet[Any], start: int, size: int) -> list[Any]:
    """Rows `start` to `start + size` of the sorted `rows`. A deep page reads the ids of
    its rows first, then those rows by id: an OFFSET over whole rows reads every row it
    skips from the table (and joins it), where the ids alone come from a narrow index
    that holds the filter, the sort and the id (decision 0051: 10,000 rows skipped in
    the index rather than the table). A row that left the list between the two
    statements is not shown, as a list read a moment later would not show it."""
    if start < DEEP_PAGE_ROWS:
        return list(rows[start : start + size])
    ids = list(rows.values_list("pk", flat=True)[start : start + size])
    found = {row.pk: row for row in rows.filter(pk__in=ids)} if ids else {}
    return [found[pk] for pk in ids if pk in found]
