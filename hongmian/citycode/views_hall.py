"""码上办 at the hall desk (decision 0079): right after a hall terminal scanned the person's
code, the hall's staff open the desk from the scan (the service context `scan:<id>`), see
who it is (masked as their role needs), choose one of the code-service items, and the
application opens pre-filled on the assisted desk. Thin: services/hall.py does the work."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from hongmian.applications.permissions import can_assist
from hongmian.citycode.services.hall import (
    DeskVisit,
    code_service_items,
    code_service_start,
    desk_visit,
)
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.identity.selectors import person_view

ITEMS_PER_PAGE = 20


def _visit(request: HttpRequest, scan_id: int) -> DeskVisit:
    if not can_assist(request.user):
        raise DjangoPermissionDenied
    try:
        with transaction.atomic():
            return desk_visit(actor=Actor.from_request(request), scan_id=scan_id)
    except NotFound:
        raise Http404 from None


@require_http_methods(["GET", "POST"])
@login_required
def desk(request: HttpRequest, scan_id: int) -> HttpResponse:
    """GET: the person the scan found and the 码上办 items (paged, true count, search).
    POST `item`: start it — the application opens pre-filled on the assisted desk."""
    visit = _visit(request, scan_id)
    status = 200
    if request.method == "POST":
        try:
            application = code_service_start(
                actor=Actor.from_request(request),
                visit=visit,
                item_code=request.POST.get("item", "")[:64],
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status_code
        else:
            return HttpResponseRedirect(
                reverse("applications:assist_detail", args=[application.pk])
            )
    q = request.GET.get("q", "").strip()[:50]
    page = Paginator(code_service_items(q), ITEMS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "visit": visit,
        "person": person_view(request.user, visit.person),
        "page": page,
        "q": q,
    }
    return render(request, "citycode/desk.html", context, status=status)
