"""What every list screen shares (board sections, callback queue, inbox, search, 我的诉求):
the filter read from the query string, its problems shown on the page, the true count,
the page, and the choices the filter bar offers. The queue logic itself is
hotline/queues.py; this module only puts it in a template's context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from html import escape
from typing import Any
from urllib.parse import parse_qsl, urlencode

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.validators import parse_id
from hongmian.geo.selectors import gazetteer
from hongmian.hotline.forms.common import categories_active, category_choices, handling_units
from hongmian.hotline.models import SavedView, WorkOrder
from hongmian.hotline.permissions import handler_unit_path
from hongmian.hotline.queue_views import BUILTIN_VIEWS, QueueView, queue_view_tabs
from hongmian.hotline.queues import (
    PER_PAGE_CHOICES,
    SORTS,
    STATUS_GROUP_LABELS,
    TAGS,
    QueueFilter,
    QueuePage,
    QueueProblem,
    queue_apply,
    queue_filter_parse,
    queue_page,
)
from hongmian.hotline.services import queues as queue_services
from hongmian.hotline.states import ClockLight, Satisfaction, Status
from hongmian.hotline.views.common import STAFF_ORDER_ROLES, actor, role_required, safe_next
from hongmian.identity.models import OrgUnit

# Which parts of the filter bar a list shows (a citizen's list has no units or lights).
STAFF_FIELDS = frozenset(
    {
        "q",
        "status",
        "category",
        "district",
        "unit",
        "light",
        "overdue",
        "tag",
        "dates",
        "satisfaction",
    }
)
CITIZEN_FIELDS = frozenset({"q", "status", "dates"})


@dataclass(frozen=True, slots=True)
class Listing:
    """One list as the template draws it."""

    wanted: QueueFilter
    problems: list[QueueProblem]
    page: QueuePage

    @property
    def values(self) -> dict[str, Any]:
        """The filter as the bar's inputs show it (strings; several statuses or tags as
        lists)."""
        w = self.wanted
        return {
            "q": w.q,
            "statuses": list(w.statuses),
            "category": "" if w.category is None else str(w.category),
            "district": w.district,
            "unit": "" if w.unit is None else str(w.unit),
            "light": w.light,
            "overdue": w.overdue,
            "tags": list(w.tags),
            "from": w.date_from.isoformat() if w.date_from else "",
            "to": w.date_to.isoformat() if w.date_to else "",
            "satisfaction": w.satisfaction,
            "mine": w.mine,
            "sort": w.sort,
            "per_page": w.per_page,
        }

    @property
    def status(self) -> int:
        # A page asked with a bad value still shows (without that value), but says so.
        return 400 if self.problems else 200


def read_filter(
    request: HttpRequest, *, sorts: Iterable[str] = SORTS
) -> tuple[QueueFilter, list[QueueProblem]]:
    return queue_filter_parse(request.GET, sorts=sorts)


def listing(
    request: HttpRequest,
    base: QuerySet[WorkOrder],
    *,
    now: dt.datetime,
    default_sort: str,
    sorts: Iterable[str] = SORTS,
    search_caller: bool = False,
    parsed: tuple[QueueFilter, list[QueueProblem]] | None = None,
    count_later: bool = False,
) -> Listing:
    """The list's filter, problems and page. `count_later`: a common `q`'s count may be
    left to the page's `?count=1` fragment (`count_fragment`; decision 0051)."""
    wanted, problems = parsed or read_filter(request, sorts=sorts)

    def applied(text_index: bool = True) -> QuerySet[WorkOrder]:
        return queue_apply(
            base,
            wanted,
            user=request.user,
            now=now,
            default_sort=default_sort,
            search_caller=search_caller,
            text_index=text_index,
        )

    page = queue_page(
        applied(), wanted, unindexed=lambda: applied(text_index=False), count_later=count_later
    )
    return Listing(wanted, problems, page)


# `?count=1` on a list's own URL answers its true count alone, as its two pagers (out of
# band): a page whose count was left for later (`QueuePage.counting`) asks for it once it
# has loaded. Not part of the filter.
COUNT_PARAM = "count"


def count_requested(request: HttpRequest) -> bool:
    return request.GET.get(COUNT_PARAM) == "1"


def count_url(request: HttpRequest) -> str:
    """This page's URL asking for its count."""
    params = [(k, v) for k, values in request.GET.lists() if k != COUNT_PARAM for v in values]
    return f"{request.path}?{urlencode([*params, (COUNT_PARAM, '1')])}"


def count_fragment(
    request: HttpRequest,
    base: QuerySet[WorkOrder],
    *,
    now: dt.datetime,
    default_sort: str,
    search_caller: bool = False,
) -> HttpResponse:
    """The list's true count (one COUNT) drawn as its two pagers, which replace the
    counting ones out of band."""
    wanted, _problems = read_filter(request)
    orders = queue_apply(
        base,
        wanted,
        user=request.user,
        now=now,
        default_sort=default_sort,
        search_caller=search_caller,
    )
    count = orders.order_by().count()
    number = min(wanted.page, max(1, -(-count // wanted.per_page)))
    page = QueuePage([], count, number, wanted.per_page, replace(wanted, page=number))
    return render(
        request, "hotline/queue/_pager_counted.html", {"page": page, "base": request.path}
    )


@dataclass(frozen=True, slots=True)
class Choice:
    value: str
    label: str | Promise


def _options(items: Iterable[tuple[Any, Any]], selected: str) -> SafeString:
    # Hundreds of options (categories, units): written here, not by a template loop that
    # took most of a list page's time; escaped by the standard library's html.escape (the
    # same five characters as Django's escape) rather than format_html per option, whose
    # lazy wrappers were ≈ 3,500 calls a board page (decision 0051).
    out = []
    for value, label in items:
        text = str(value)
        mark = " selected" if text == selected else ""
        out.append(f'<option value="{escape(text)}"{mark}>{escape(str(label))}</option>')
    return mark_safe("".join(out))  # noqa: S308 — every value and label escaped above


def filter_choices(
    listing_: Listing | None = None,
    *,
    fields: frozenset[str] = STAFF_FIELDS,
    sorts: Iterable[str] = SORTS,
    units: QuerySet[OrgUnit] | None = None,
) -> dict[str, Any]:
    """The options of the filter bar (`hotline/queue/_filters.html`); the long lists come
    as ready <option> elements with the listing's choice selected."""
    values = listing_.values if listing_ is not None else {}
    choices: dict[str, Any] = {
        "fields": fields,
        "sorts": [Choice(k, SORTS[k]) for k in sorts],
        "per_page_choices": PER_PAGE_CHOICES,
        "statuses": [Choice(k, v) for k, v in STATUS_GROUP_LABELS.items()]
        + [Choice(str(v), label) for v, label in Status.choices],
    }
    if "category" in fields:
        selected = values.get("category", "")
        choices["category_options"] = format_html_join(
            "",
            '<optgroup label="{}">{}</optgroup>',
            (
                (group, _options(items, selected))
                for group, items in category_choices(categories_active())[1:]
            ),
        )
    if "district" in fields:
        choices["district_options"] = _options(
            ((d.code, d.name) for d in gazetteer().districts()), values.get("district", "")
        )
    if "unit" in fields:
        shown = units if units is not None else handling_units()
        choices["unit_options"] = _options(shown.values_list("pk", "name"), values.get("unit", ""))
    if "light" in fields:
        choices["lights"] = [Choice(str(v), label) for v, label in ClockLight.choices]
    if "tag" in fields:
        choices["tags"] = [Choice(k, label) for k, (label, _q) in TAGS.items()]
    if "satisfaction" in fields:
        choices["satisfactions"] = [Choice(str(v), label) for v, label in Satisfaction.choices]
    return choices


def units_for(user: Any) -> QuerySet[OrgUnit] | None:
    """The units a reader may filter by: a unit's own subtree; None (every handling unit)
    for the centre."""
    path = handler_unit_path(user)
    if path is None:
        return None
    return OrgUnit.objects.filter(is_active=True, path__startswith=path).order_by("path")


def saved_views(request: HttpRequest, queue: str) -> list[SavedView]:
    return list(SavedView.objects.filter(owner_id=request.user.pk, queue=queue))


# `?tabs=1` on a list's own URL answers its views' tabs with their counts, alone: the page
# draws the tabs without counts and fetches them after it loads (htmx), so the list shows
# as soon as its own count and rows are read (decision 0036). Not part of the filter.
TABS_PARAM = "tabs"


def tabs_requested(request: HttpRequest) -> bool:
    return request.GET.get(TABS_PARAM) == "1"


def tabs_url(request: HttpRequest) -> str:
    """This page's URL asking for its tabs' counts."""
    params = [(k, v) for k, values in request.GET.lists() if k != TABS_PARAM for v in values]
    return f"{request.path}?{urlencode([*params, (TABS_PARAM, '1')])}"


def tabs_fragment(
    request: HttpRequest,
    base: QuerySet[WorkOrder],
    queue: str,
    *,
    now: dt.datetime,
    builtin: bool = True,
) -> HttpResponse:
    """The tabs of `queue` with their true counts, as the page's tabs are replaced by."""
    wanted, problems = read_filter(request)
    shown = Listing(wanted, problems, QueuePage([], 0, 1, wanted.per_page, wanted))
    context = {
        "listing": shown,
        "base": request.path,
        **view_tabs(request, base, queue, shown, now=now, builtin=builtin, counted=True),
    }
    return render(request, "hotline/queue/_views.html", context)


def view_tabs(
    request: HttpRequest,
    base: QuerySet[WorkOrder],
    queue: str,
    listing_: Listing,
    *,
    now: dt.datetime,
    builtin: bool = True,
    counted: bool = False,
) -> dict[str, Any]:
    """The built-in views of `queue` (unless `builtin` is false: the centre's views are not
    a unit's) and the reader's saved ones; counted only when `counted` (the `?tabs=1`
    fragment), otherwise the page fetches the counts from `tabs_url`."""
    current = listing_.wanted.params(paging=False)
    saved = saved_views(request, queue)
    personal = [QueueView(f"saved-{v.pk}", v.name, tuple(parse_qsl(v.query))) for v in saved]
    return {
        "queue": queue,
        "tabs": queue_view_tabs(
            base,
            BUILTIN_VIEWS.get(queue, ()) if builtin else (),
            current_params=current,
            user=request.user,
            now=now,
            counted=counted,
        ),
        "saved_tabs": queue_view_tabs(
            base,
            personal,
            current_params=current,
            user=request.user,
            now=now,
            saved={f"saved-{v.pk}": v.pk for v in saved},
            counted=counted,
        ),
        "tabs_url": "" if counted else tabs_url(request),
    }


# --- saving and deleting a personal view -----------------------------------------------------


@require_POST
@role_required(*STAFF_ORDER_ROLES)
def saved_view_create(request: HttpRequest) -> HttpResponse:
    back = safe_next(request, reverse("hotline:search"))
    try:
        view = queue_services.saved_view_create(
            actor=actor(request),
            queue=request.POST.get("queue", ""),
            name=request.POST.get("name", ""),
            query=request.POST.get("query", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, gettext("已保存视图“%(name)s”。") % {"name": view.name})
    return redirect(back + ("?" + view.query if view.query else ""))


@require_POST
@role_required(*STAFF_ORDER_ROLES)
def saved_view_delete(request: HttpRequest) -> HttpResponse:
    """`view`: the id of one of the reader's own views (another's is "not found")."""
    back = safe_next(request, reverse("hotline:search"))
    raw = request.POST.get("view", "")
    try:
        if (view := parse_id(raw)) is None:
            raise NotFound(gettext("视图不存在"), code="saved_view.not_found")
        queue_services.saved_view_delete(actor=actor(request), view=view)
    except NotFound as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(request, gettext("已删除视图。"))
    return redirect(back)
