"""督办台 — the centre's board (what must be acted on now) and the centre's acts on an
order: dispatch and re-dispatch, direct answer, return review, joint meeting, extension
decision, callback and its review, urging and supervision, and merging duplicates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from hongmian.core.errors import ApplicationError
from hongmian.core.validators import parse_id
from hongmian.hotline import insights_hook, selectors, telephony_hook
from hongmian.hotline.forms.board import (
    CallbackForm,
    CallbackReviewForm,
    ExtensionDecideForm,
    JointMeetingForm,
    MergeForm,
    ReturnReviewForm,
    SuperviseForm,
)
from hongmian.hotline.forms.console import DirectAnswerForm, DispatchForm
from hongmian.hotline.models import ExtensionRequest, ReturnRequest, WorkOrder
from hongmian.hotline.permissions import CENTRE_ROLES
from hongmian.hotline.queues import QueuePage, queue_apply
from hongmian.hotline.services import lifecycle_closing, lifecycle_dispatch, lifecycle_handling
from hongmian.hotline.states import ClockLight, ExtensionStatus, ReturnStatus
from hongmian.hotline.views import lists
from hongmian.hotline.views.attachments import with_files
from hongmian.hotline.views.common import (
    actor,
    hotline_nav,
    role_required,
    safe_next,
)
from hongmian.hotline.views.order import clock_rows, order_light, perform
from hongmian.identity.states import Role

centre_required = role_required(*CENTRE_ROLES)
supervisor_required = role_required(Role.HOTLINE_SUPERVISOR)

# On the whole board each section shows its first rows and its true count; `?section=<key>`
# (and /board/callbacks/) shows one section alone, paged.
BOARD_PREVIEW = 10
# Duplicate groups are the insights app's panel, not a queue: it shows this many at most.
MERGE_GROUPS = 50


def _with_light(orders: Any, now: dt.datetime) -> list[tuple[WorkOrder, ClockLight | None]]:
    return [(order, order_light(clock_rows(order, now))) for order in orders]


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    title: str
    count: int | None  # None: not counted yet, the page fetches `count_url` after it loads
    url: str = ""
    count_url: str = ""


# The whole board draws each section's first rows at once and fetches what is slow after it
# has loaded (htmx, decision 0037): `?count=<key>` answers one section's true count alone,
# `?panel=merges` the duplicate panel. Like `?tabs=1`, neither is part of the filter.
COUNT_PARAM = "count"
PANEL_PARAM = "panel"


# Each order section's default order: the clocked ones longest in the unit's hands first,
# the reviews longest-waiting first, the callback queue oldest reply first.
_DEFAULT_SORTS = {
    "overdue": "age",
    "due_soon": "age",
    "returns": "updated",
    "extensions": "updated",
    "callback_reviews": "updated",
    "joint_meetings": "updated",
    "callbacks": "replied",
}
_TITLES = {
    "overdue": _("已超时"),
    "due_soon": _("即将到期"),
    "returns": _("退单待审核"),
    "extensions": _("延期待审批"),
    "callback_reviews": _("回访不满意待审核"),
    "joint_meetings": _("待联席会商"),
    "hotspots": _("热点诉求与预警"),
    "merges": _("疑似重复（并单候选）"),
    "callbacks": _("待回访"),
}


def _section_rows(key: str, items: list[WorkOrder], now: dt.datetime) -> Any:
    """A page of a section's orders as its template draws them."""
    if key in ("overdue", "due_soon"):
        return _with_light(items, now)
    if key == "callbacks":
        return insights_hook.board_callbacks(items)
    return items


def _section_queryset(key: str, now: dt.datetime) -> Any:
    orders = selectors.board_section_orders(key, now)
    if key in ("overdue", "due_soon"):
        return orders.prefetch_related("clocks")
    if key == "returns":
        pending = ReturnRequest.objects.filter(status=ReturnStatus.PENDING).select_related("unit")
        return orders.prefetch_related(
            Prefetch("returns", queryset=pending, to_attr="pending_returns")
        )
    if key == "extensions":
        pending_x = ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING).select_related(
            "unit"
        )
        return orders.prefetch_related(
            Prefetch("extensions", queryset=pending_x, to_attr="pending_extensions")
        )
    return orders


def _fragment_url(base_url: str, wanted: Any, param: str, key: str) -> str:
    query = wanted.query_string(page=1)
    return f"{base_url}?{param}={key}" + ("&" + query[1:] if query else "")


def _count_fragment(request: HttpRequest, key: str, now: dt.datetime) -> HttpResponse:
    """One section's true count (one COUNT) with the filter applied: the board-nav's count
    and, out of band, the section's "查看全部…（共 N 张）" link."""
    wanted, _problems = lists.read_filter(request)
    orders = queue_apply(
        selectors.board_section_orders(key, now),
        wanted,
        user=request.user,
        now=now,
        default_sort=_DEFAULT_SORTS[key],
    )
    query = wanted.query_string(page=1)
    url = reverse("hotline:board") + "?section=" + key + ("&" + query[1:] if query else "")
    section = Section(key, str(_TITLES[key]), orders.count(), url)
    return render(request, "hotline/board/_count.html", {"s": section})


def _merges_fragment(request: HttpRequest) -> HttpResponse:
    """The duplicate panel from the insights app's stored scan (decision 0049): its first
    groups, and out of band its true count; before the first scan, "being computed", and
    the fragment asks again by itself."""
    wanted, _problems = lists.read_filter(request)
    stored = insights_hook.board_duplicates(BOARD_PREVIEW)
    section = Section("merges", str(_TITLES["merges"]), 0 if stored is None else stored.count)
    context = {
        "s": section,
        "merges": stored,
        "again": request.get_full_path(),
        "window_days": insights_hook.duplicate_window_days(),
        # A merge returns to the board the reader is on, not to this fragment.
        "here": reverse("hotline:board") + wanted.query_string(page=1),
    }
    return render(request, "hotline/board/_merges.html", context)


@supervisor_required
def board(request: HttpRequest, only: str = "") -> HttpResponse:
    """督办台: every section with its true count and first rows, filtered by the queue
    contract (hotline/queues.py) — a filter narrows every section; `?section=<key>` shows
    one section alone with sorting and pages. On the whole board the counts and the
    duplicate panel arrive after the page (`?count=<key>`, `?panel=merges`)."""
    now = timezone.now()
    section = only or request.GET.get("section", "")
    # Hot spots and duplicate groups are the insights app's; without it they are left out.
    hidden = set() if insights_hook.available() else insights_hook.BOARD_SECTIONS
    counted = request.GET.get(COUNT_PARAM, "")
    if not only and counted in _DEFAULT_SORTS:
        return _count_fragment(request, counted, now)
    if not only and request.GET.get(PANEL_PARAM) == "merges" and "merges" not in hidden:
        return _merges_fragment(request)
    parsed = lists.read_filter(request)
    keys = [section] if section in _TITLES else [k for k in _TITLES if k not in hidden]
    single = len(keys) == 1
    wanted, problems = parsed
    if not single:
        # The whole board shows each section's head; paging is a section's own.
        parsed = (replace(wanted, page=1, per_page=BOARD_PREVIEW), problems)
    base_url = reverse("hotline:callbacks") if only else reverse("hotline:board")
    lists_: dict[str, Any] = {}
    pages: dict[str, Any] = {}
    sections = []
    for key in keys:
        if key == "hotspots":
            lists_[key] = insights_hook.board_hotspots()
            sections.append(Section(key, str(_TITLES[key]), len(lists_[key] or [])))
            continue
        if key == "merges":
            if single:
                lists_[key] = insights_hook.board_duplicates(MERGE_GROUPS)
                sections.append(Section(key, str(_TITLES[key]), len(lists_[key])))
            else:
                url = _fragment_url(base_url, wanted, PANEL_PARAM, key)
                sections.append(Section(key, str(_TITLES[key]), None, "", url))
            continue
        keep = "" if only else "section=" + key
        query = wanted.query_string(page=1)
        url = base_url + ("?" + keep + ("&" + query[1:] if query else "") if keep else query)
        if single:
            found = lists.listing(
                request,
                _section_queryset(key, now),
                now=now,
                default_sort=_DEFAULT_SORTS[key],
                parsed=parsed,
            )
            pages[key] = found.page
            lists_[key] = _section_rows(key, found.page.items, now)
            sections.append(Section(key, str(_TITLES[key]), found.page.count, url))
            continue
        # The head alone (one query); the true count follows from `count_url`.
        head = queue_apply(
            _section_queryset(key, now),
            parsed[0],
            user=request.user,
            now=now,
            default_sort=_DEFAULT_SORTS[key],
        )
        items = list(head[:BOARD_PREVIEW])
        pages[key] = QueuePage(items, len(items), 1, BOARD_PREVIEW, parsed[0])
        lists_[key] = _section_rows(key, items, now)
        count_url = _fragment_url(base_url, wanted, COUNT_PARAM, key)
        sections.append(Section(key, str(_TITLES[key]), None, url, count_url))
    # The filter bar's page: the section shown alone, else the first one.
    shown_page = pages.get(keys[0]) or next(iter(pages.values()), None)
    listing = lists.Listing(
        wanted, problems, shown_page or QueuePage([], 0, 1, wanted.per_page, wanted)
    )
    context = {
        **lists_,
        "pages": pages,
        "sections": sections,
        "shown": set(keys),
        "only": only,
        "section": section if single else "",
        "single": single,
        "listing": listing,
        "page": listing.page,
        "choices": lists.filter_choices(listing),
        "action": base_url,
        "base": base_url,
        "keep": [("section", section)] if single and not only else [],
        "window_days": insights_hook.duplicate_window_days(),
        "missed_calls": telephony_hook.callback_queue_count(request.user),
        "missed_calls_url": telephony_hook.callback_queue_url(),
        "hotline_nav": hotline_nav(request, "hotline:board"),
        "here": request.get_full_path(),
    }
    return render(request, "hotline/board.html", context, status=listing.status)


@supervisor_required
def callbacks(request: HttpRequest) -> HttpResponse:
    """回访评价: the board's callback queue alone, paged."""
    return board(request, only="callbacks")


# --- the centre's acts on one order --------------------------------------------------------


@require_POST
@centre_required
def dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=DispatchForm,
        service=lifecycle_dispatch.work_order_dispatch,
        arguments=lambda d, order: {
            "order": order,
            "lead_unit": d["lead_unit"],
            "co_units": d["co_units"],
            "note": d["note"],
        },
        done=_("工单 %(number)s 已派单。"),
    )


@require_POST
@centre_required
def direct_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=DirectAnswerForm,
        service=lifecycle_dispatch.work_order_direct_answer,
        arguments=lambda d, order: {"order": order, "answer": d["answer"]},
        done=_("工单 %(number)s 已直接答复办结。"),
    )


@require_POST
@centre_required
def return_review(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=ReturnReviewForm,
        service=lifecycle_dispatch.work_order_return_review,
        arguments=lambda d, order: {
            "order": order,
            "accept": d["decision"] == "accept",
            "to_joint_meeting": d["decision"] == "joint_meeting",
            "new_unit": d["new_unit"] if d["decision"] == "accept" else None,
            "note": d["note"],
        },
        done=_("工单 %(number)s 的退单已审核。"),
    )


@require_POST
@centre_required
def joint_meeting(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=JointMeetingForm,
        service=lifecycle_dispatch.work_order_joint_meeting,
        arguments=lambda d, order: {
            "order": order,
            "units": d["units"],
            "decided_unit": d["decided_unit"],
            "minutes": d["minutes"],
        },
        done=_("已记录工单 %(number)s 的会商结果并派单。"),
    )


@require_POST
@centre_required
def extension_decide(request: HttpRequest, pk: int, extension_pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=ExtensionDecideForm,
        service=lifecycle_handling.work_order_extension_decide,
        arguments=lambda d, order: {
            "extension": _extension_of(order, extension_pk),
            "approve": d["approve"],
            "note": d["note"],
        },
        done=_("工单 %(number)s 的延期申请已审批。"),
    )


def _extension_of(order: WorkOrder, extension_pk: int) -> int:
    # The extension must belong to the order in the URL, which the reader may see; an id
    # from elsewhere is treated as a missing extension by the service.
    return extension_pk if order.extensions.filter(pk=extension_pk).exists() else 0


@require_POST
@centre_required
def callback(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=CallbackForm,
        service=with_files(lifecycle_closing.work_order_callback, "callback", "callback_unreached"),
        arguments=lambda d, order: {
            "order": order,
            "reached": d["reached"],
            "satisfaction": d["satisfaction"] if d["reached"] else "",
            "resolved": d["resolved"] if d["reached"] else None,
            "comment": d["comment"],
            "uploads": d["attachments"],
        },
        done=_("已记录工单 %(number)s 的回访。"),
    )


@require_POST
@supervisor_required
def callback_review(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=CallbackReviewForm,
        service=lifecycle_closing.work_order_callback_review,
        arguments=lambda d, order: {"order": order, "reopen": d["reopen"], "reason": d["reason"]},
        done=_("工单 %(number)s 的不满意回访已审核。"),
    )


@require_POST
@centre_required
def supervise(request: HttpRequest, pk: int) -> HttpResponse:
    return perform(
        request,
        pk,
        form_class=SuperviseForm,
        service=lifecycle_handling.work_order_supervise,
        arguments=lambda d, order: {"order": order, "kind": d["kind"], "note": d["note"]},
        done=_("已对工单 %(number)s 发出催办/督办。"),
    )


@require_POST
@centre_required
def merge(request: HttpRequest) -> HttpResponse:
    """One click on the board: the chosen master and the ticked duplicates."""
    ids = [pk for v in request.POST.getlist("duplicates") if (pk := parse_id(v)) is not None]
    form = MergeForm(request.POST, order_ids=ids)
    back = safe_next(request, reverse("hotline:board") + "#merges")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    data = form.cleaned_data
    try:
        master = selectors.work_order_get(request.user, data["master"])
        lifecycle_closing.work_order_merge(
            actor=actor(request),
            master=master,
            duplicates=data["duplicates"],
            note=data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    messages.success(
        request,
        gettext("已将 %(count)d 张工单并入 %(number)s。")
        % {"count": len(data["duplicates"]), "number": master.number},
    )
    return redirect(back)
