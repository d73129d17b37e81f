"""The portal's service pages (办事服务, issue 12 item 3): the finder, an item's page and a
life event's page. Public: the catalogue is what the government offers everyone; what a
signed-in person may apply for is said on the item's page (`item_available_to`).

The finder searches with `catalog_search` when a question is asked and lists the catalogue
(`catalog_item_list`) when only filters are chosen; both with the true count and pages.
Through HTMX (the form's live filters) only the results fragment is returned."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from hongmian.catalog import selectors
from hongmian.catalog.forms import ServiceFinderForm
from hongmian.catalog.search.selectors import catalog_search
from hongmian.catalog.states import Channel, OnlineDepth
from hongmian.core.errors import NotFound
from hongmian.identity.models import OrgUnit

PAGE_SIZE = 10


def services(request: HttpRequest) -> HttpResponse:
    form = ServiceFinderForm(request.GET or None)
    context: dict[str, Any] = {"form": form, "searched": False}
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
    elif form.is_bound:
        context |= _results(form, prefer=selectors.audience_of(request.user))
    if request.headers.get("HX-Request") and form.is_bound:
        return render(request, "catalog/_results.html", context, status=status)
    context["life_events"] = selectors.life_event_list()
    # An enterprise's representative sees the items for enterprises first; a citizen, persons'.
    context["popular"] = selectors.popular_item_list(prefer=selectors.audience_of(request.user))
    return render(request, "catalog/services.html", context, status=status)


def _results(form: ServiceFinderForm, *, prefer: str) -> dict[str, Any]:
    data = form.cleaned_data
    number: int = data.get("page") or 1
    query: str = data.get("q") or ""
    department = data.get("department") or None
    life_event = data.get("life_event") or None
    audience = data.get("audience") or None
    level = data.get("level") or None
    if query:

        def search_page(number: int) -> Any:
            return catalog_search(
                query,
                department=department,
                life_event=life_event,
                audience=audience,
                level=level,
                limit=PAGE_SIZE,
                offset=(number - 1) * PAGE_SIZE,
                prefer=prefer,
            )

        answer = search_page(number)
        num_pages = max(1, math.ceil(answer.total / PAGE_SIZE))
        if number > num_pages:  # a page past the end shows the last one, as Paginator does
            number = num_pages
            answer = search_page(number)
        items: list[Any] = answer.items
        total = answer.total
        search: Any = answer
    else:
        department_id = (
            OrgUnit.objects.filter(code=department).values_list("pk", flat=True).first()
            if department
            else None
        )
        items_qs = selectors.catalog_item_list(
            department_id=department_id,
            life_event=life_event,
            audience=audience,
            level=level,
            prefer=prefer,
        )
        page = Paginator(items_qs, PAGE_SIZE).get_page(number)
        items = [
            {
                "code": item.code,
                "name": item.name,
                "department": item.department.short_name or item.department.name,
                "item_type": item.get_item_type_display(),
                "level": item.get_level_display(),
                "online_depth": item.online_depth,
            }
            for item in page.object_list
        ]
        total, num_pages, number, search = (
            page.paginator.count,
            page.paginator.num_pages,
            page.number,
            None,
        )
    params = {k: v for k, v in form.cleaned_data.items() if v and k != "page"}
    return {
        "searched": True,
        "search": search,
        "items": items,
        "total": total,
        "page_number": number,
        "num_pages": num_pages,
        "first_index": (number - 1) * PAGE_SIZE + 1 if items else 0,
        "last_index": (number - 1) * PAGE_SIZE + len(items),
        "previous_url": _page_url(params, number - 1) if number > 1 else "",
        "next_url": _page_url(params, number + 1) if number < num_pages else "",
        "ask_url": _ask_url(query) if query else "",
    }


def _page_url(params: dict[str, Any], number: int) -> str:
    return f"{reverse('catalog:services')}?{urlencode({**params, 'page': number})}"


def _ask_url(topic: str) -> str:
    """我要反映 with the topic filled in as the title (the citizen can change it)."""
    return f"{reverse('hotline:submit')}?{urlencode({'title': topic[:200]})}"


def item_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        item = selectors.access_item(request.user, code)
    except NotFound:
        raise Http404 from None
    channels = [Channel(c).label for c in item.channels if c in Channel.values]
    context = {
        "item": item,
        "materials": list(item.materials.all()),
        "life_events": list(item.life_events.all()),
        "deadline": selectors.item_deadline(item),
        "availability": selectors.item_available_to(user=request.user, item=item),
        "online_depth": OnlineDepth(item.online_depth).label,
        "channels": channels,
        "ask_url": _ask_url(_("咨询：%(name)s") % {"name": item.name}),
    }
    return render(request, "catalog/item.html", context)


def life_event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        event = selectors.life_event_get(slug)
    except NotFound:
        raise Http404 from None
    items = selectors.life_event_item_list(event)
    return render(request, "catalog/life_event.html", {"event": event, "items": items})
