"""坐席工作台 — the agent's console: intake while the caller speaks, with the caller's
history, a live reading of the address, the dispatch catalogue's suggestion and the
knowledge base beside the form; then dispatch at once or keep the order. Also the order
search that the centre and the units share."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from hongmian.core.errors import ApplicationError
from hongmian.core.validators import parse_id
from hongmian.geo.address import MAX_ADDRESS_LENGTH, parse_address
from hongmian.hotline import insights_hook, selectors, telephony_hook
from hongmian.hotline import knowledge_bridge as knowledge
from hongmian.hotline.forms.common import categories_active, category_choices, new_idempotency_key
from hongmian.hotline.forms.console import DispatchForm, IntakeForm
from hongmian.hotline.models import WorkOrder
from hongmian.hotline.permissions import CENTRE_ROLES, is_centre_staff
from hongmian.hotline.services import lifecycle_closing, lifecycle_dispatch
from hongmian.hotline.services.attachments import work_order_intake_with_attachments
from hongmian.hotline.services.catalogue import dispatch_suggest
from hongmian.hotline.services.intake_validation import CONTENT_MAX, TITLE_MAX
from hongmian.hotline.states import Status
from hongmian.hotline.views import lists
from hongmian.hotline.views.common import (
    STAFF_ORDER_ROLES,
    actor,
    call_service,
    error_status,
    hotline_nav,
    order_or_404,
    role_required,
)
from hongmian.hotline.views.order import area_label
from hongmian.identity.states import Role

centre_required = role_required(*CENTRE_ROLES)
# The caller's history shows this many earlier orders; older ones are a search away.
HISTORY_LIMIT = 10
# Fewer characters of title and content than this say too little to compare with open orders.
DUPLICATE_MIN_CHARS = 6


def _console_page(request: HttpRequest, form: IntakeForm, *, status: int = 200) -> HttpResponse:
    phone = form["caller_phone"].value() or ""
    address = form["address"].value() or ""
    context = {
        "form": form,
        "hotline_nav": hotline_nav(request, "hotline:console"),
        "knowledge_available": knowledge.available(),
        "insights_available": insights_hook.available(),
        **telephony_hook.console_context(request),
        **_history_context(phone),
        **_address_context(address),
    }
    return render(request, "hotline/console.html", context, status=status)


@centre_required
def console(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _console_page(
            request, IntakeForm(initial={"idempotency_key": new_idempotency_key()})
        )
    form = IntakeForm(request.POST, request.FILES)
    if not form.is_valid():
        return _console_page(request, form, status=400)
    data = form.cleaned_data
    article = None
    if request.POST.get("article"):
        article = knowledge.article_get(request.user, request.POST["article"])
        if article is None:
            form.add_error(None, gettext("所选知识条目已不存在，请重新检索。"))
            return _console_page(request, form, status=400)
    answering = article is not None or request.POST.get("action") == "direct_answer"
    if answering and article is None and not data["answer"].strip():
        form.add_error("answer", gettext("直接答复时请填写答复内容。"))
        return _console_page(request, form, status=400)
    ok, result = call_service(
        form,
        work_order_intake_with_attachments,
        actor=actor(request),
        request=form.to_intake(),
        uploads=data["attachments"],
        idempotency_key=data["idempotency_key"] or None,
    )
    if not ok:
        return _console_page(request, form, status=error_status(form))
    order: WorkOrder = result[0]
    insights_hook.record_intake_feedback(request, *result)
    telephony_hook.link_call(request, order)
    if (merge_into := parse_id(request.POST.get("merge_into"))) is not None:
        return _merge_after_intake(request, order, merge_into)
    if not answering:
        target = reverse("hotline:intake_dispatch", args=(order.pk,))
        chosen = data.get("lead_unit")
        suggested = dispatch_suggest(order) if chosen is not None else None
        if chosen is not None and (suggested is None or suggested.lead_unit != chosen):
            # The agent's own pick in the console, which the dispatch page preselects over
            # the catalogue's (the catalogue's unit it preselects anyway).
            target += f"?unit={chosen.pk}"
        return redirect(target)
    answer = article.answer if article is not None else data["answer"]
    # With an article, the service records its use in the answer's own transaction.
    ok, _closed = call_service(
        form,
        lifecycle_dispatch.work_order_direct_answer,
        actor=actor(request),
        order=order,
        answer=answer,
        source=article.source if article is not None else "",
        article=article.article if article is not None else None,
    )
    if not ok:
        # The order is recorded; only the answer failed. Show the order with the reason.
        for error in form.non_field_errors():
            messages.error(request, str(error))
        return redirect("hotline:order", pk=order.pk)
    messages.success(
        request, gettext("工单 %(number)s 已直接答复办结。") % {"number": order.number}
    )
    return redirect("hotline:console")


def _merge_after_intake(request: HttpRequest, order: WorkOrder, master_id: int) -> HttpResponse:
    """受理并并入: the order just taken joins the open order the agent found among the
    duplicate candidates, through the same merge service as the board and the order page.
    The order is recorded whatever happens; a refused merge is shown on it."""
    try:
        master = selectors.work_order_get(request.user, master_id)
        lifecycle_closing.work_order_merge(actor=actor(request), master=master, duplicates=[order])
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("hotline:order", pk=order.pk)
    messages.success(
        request,
        gettext("工单 %(number)s 已受理，并入 %(master)s 合并办理。")
        % {"number": order.number, "master": master.number},
    )
    return redirect("hotline:order", pk=master.pk)


@centre_required
def intake_dispatch(request: HttpRequest, pk: int) -> HttpResponse:
    """After intake: dispatch now (the catalogue's unit preselected) or keep the order."""
    order = order_or_404(request, pk)
    if order.status != Status.RECEIVED:
        return redirect("hotline:order", pk=order.pk)
    suggestion = dispatch_suggest(order)
    initial: dict[str, Any] = {"version": order.version}
    if suggestion is not None:
        initial["lead_unit"] = suggestion.lead_unit.pk
        initial["co_units"] = [u.pk for u in suggestion.co_units]
    # The unit picked in the console before 受理 (an id the form then checks like any other).
    if (unit := parse_id(request.GET.get("unit"))) is not None:
        initial["lead_unit"] = unit
    context = {
        "order": order,
        "form": DispatchForm(prefix="dispatch", initial=initial),
        "suggestion": suggestion,
        "suggestion_asked": True,
        "area_label": area_label(order),
        "hotline_nav": hotline_nav(request, "hotline:console"),
        "next": reverse("hotline:console"),
    }
    return render(request, "hotline/intake_dispatch.html", context)


# --- the console's live slots (HTMX fragments) ---------------------------------------------


def _history_context(phone: str) -> dict[str, Any]:
    phone = phone.strip()
    if not phone:
        return {"history_phone": "", "history": []}
    return {
        "history_phone": phone,
        "history": list(selectors.caller_history(phone)[:HISTORY_LIMIT]),
    }


def _address_context(address: str) -> dict[str, Any]:
    address = address.strip()[:MAX_ADDRESS_LENGTH]
    if not address:
        return {"parsed": None}
    parsed = parse_address(address)
    return {"parsed": parsed, "parsed_confidence": f"{parsed.confidence:.0%}"}


@require_GET
@centre_required
def caller_history(request: HttpRequest) -> HttpResponse:
    context = _history_context(request.GET.get("caller_phone", ""))
    return render(request, "hotline/console/_history.html", context)


@require_GET
@centre_required
def address_preview(request: HttpRequest) -> HttpResponse:
    context = _address_context(request.GET.get("address", ""))
    return render(request, "hotline/console/_address.html", context)


@require_GET
@centre_required
def suggestion(request: HttpRequest) -> HttpResponse:
    """The dispatch catalogue's rule for the category and address typed so far. An unsaved
    order carries them to `dispatch_suggest`, which reads only those fields."""
    category = None
    if (category_id := parse_id(request.GET.get("category"))) is not None:
        category = categories_active().filter(pk=category_id).first()
    address = request.GET.get("address", "").strip()[:MAX_ADDRESS_LENGTH]
    context: dict[str, Any] = {"suggestion": None, "suggestion_asked": False}
    if category is not None and address:
        parsed = parse_address(address)
        draft = WorkOrder(
            category=category,
            district_code=parsed.district.code if parsed.district else "",
            street_code=parsed.street.code if parsed.street else "",
        )
        context = {"suggestion": dispatch_suggest(draft), "suggestion_asked": True}
    return render(request, "hotline/console/_suggestion.html", context)


@require_GET
@centre_required
def categories(request: HttpRequest) -> HttpResponse:
    """The category picker's options narrowed to `q` (name or keyword). A single match is
    selected, so Alt+4 and a keyword is often all the agent types."""
    q = request.GET.get("q", "").strip()[:50]
    rows = list(categories_active())
    hits = {c.pk for c in rows if q in c.name or q in c.keywords} if q else None
    choices = category_choices(rows, only=hits)
    groups = [(name, items) for name, items in choices[1:]]
    options = [pk for _name, items in groups for pk, _label in items]
    selected = parse_id(request.GET.get("category"))
    if len(options) == 1:
        selected = options[0]
    context = {"blank": choices[0][1], "groups": groups, "selected": selected}
    return render(request, "hotline/console/_categories.html", context)


@require_GET
@centre_required
def knowledge_search(request: HttpRequest) -> HttpResponse:
    """The knowledge slot: the keywords typed in its box when there are any, else the
    request's own title and content as the agent types them (no button to press)."""
    query = request.GET.get("q", "").strip()[:100]
    context: dict[str, Any] = {"knowledge_query": query, "articles": []}
    if query:
        context["articles"] = knowledge.article_search(request.user, query)
    else:
        title = request.GET.get("title", "")[:TITLE_MAX]
        content = request.GET.get("content", "")[:CONTENT_MAX]
        context["articles"] = knowledge.article_suggest(request.user, title, content)
        context["knowledge_from_text"] = bool(title.strip() or content.strip())
    return render(request, "hotline/console/_knowledge.html", context)


@require_GET
@centre_required
def draft_duplicates(request: HttpRequest) -> HttpResponse:
    """疑似重复 while the request is typed, before 受理: open orders like it (the insights
    app's scoring, through the hook), each with a link and a 受理并并入 button."""
    title = request.GET.get("title", "").strip()[:TITLE_MAX]
    content = request.GET.get("content", "").strip()[:CONTENT_MAX]
    asked = len(title) + len(content) >= DUPLICATE_MIN_CHARS
    candidates = []
    if asked:
        candidates = insights_hook.draft_duplicates(
            title=title,
            content=content,
            address=request.GET.get("address", "")[:MAX_ADDRESS_LENGTH],
            caller_phone=request.GET.get("caller_phone", "")[:40],
            request_type=request.GET.get("request_type", "")[:20],
        )
    context = {
        "duplicates_asked": asked,
        "candidates": candidates,
        "window_days": insights_hook.duplicate_window_days(),
    }
    return render(request, "hotline/console/_duplicates.html", context)


# --- search ------------------------------------------------------------------------------


# The dashboard's readers (city leader, data officer, administrator) open the list from its
# figures: read-only, the list shows no caller data (analytics decisions/0033).
@role_required(*STAFF_ORDER_ROLES, Role.CITY_LEADER, Role.CHIEF_DATA_OFFICER, Role.SYSTEM_ADMIN)
def search(request: HttpRequest) -> HttpResponse:
    """工单查询: every order the reader may see, filtered, sorted and paged with the queue
    contract (hotline/queues.py, docs/hotline.md) — the links of the dashboard and of saved
    views land here. `q` matches the number, title or content; for the centre also the
    caller's phone and the address (units never search by the caller). The centre's
    built-in views are tabs with their counts."""
    now = timezone.now()
    centre = is_centre_staff(request.user)
    base = selectors.work_order_list(request.user)
    if lists.tabs_requested(request):
        return lists.tabs_fragment(request, base, "search", now=now, builtin=centre)
    if lists.count_requested(request):
        return lists.count_fragment(
            request, base, now=now, default_sort="-received", search_caller=centre
        )
    found = lists.listing(
        request, base, now=now, default_sort="-received", search_caller=centre, count_later=True
    )
    context = {
        "listing": found,
        "page": found.page,
        "count_url": lists.count_url(request) if found.page.counting else "",
        "choices": lists.filter_choices(found, units=lists.units_for(request.user)),
        "action": reverse("hotline:search"),
        "base": reverse("hotline:search"),
        "hotline_nav": hotline_nav(request, "hotline:search"),
        **lists.view_tabs(request, base, "search", found, now=now, builtin=centre),
    }
    return render(request, "hotline/search.html", context, status=found.status)
