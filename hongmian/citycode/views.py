"""The person's code page (我的红棉码: the QR code that refreshes itself before it expires,
consent, a new code id) and the staff screens (terminals and their scan logs, attributes for
authorised units). Thin: they parse the request and call selectors and services."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from hongmian.citycode import permissions, selectors
from hongmian.citycode.forms import (
    AttributeClearForm,
    AttributeSetForm,
    LookupForm,
    ShareForm,
    TerminalFilterForm,
)
from hongmian.citycode.models import CodeHolder
from hongmian.citycode.selectors_collective import my_memberships
from hongmian.citycode.services.attributes import attribute_clear, attribute_set
from hongmian.citycode.services.codes import (
    citycode_holder_ensure,
    citycode_issue,
    citycode_reissue,
    citycode_share_set,
    ttl_seconds,
)
from hongmian.citycode.states import IdentityField
from hongmian.citycode.views_collective import consent_forms
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.masking import mask_name, mask_resident_id
from hongmian.core.qr import qr_svg_inline
from hongmian.identity.selectors import my_person
from hongmian.portal.preferences import elder_mode_for

TERMINALS_PER_PAGE = 20
SCANS_PER_PAGE = 50


def _holder(request: HttpRequest) -> CodeHolder | None:
    """The signed-in citizen's code id (made on first visit); None without a real-name
    person yet. Staff and enterprise accounts hold no code: 403."""
    if not permissions.can_hold_code(request.user):
        raise DjangoPermissionDenied
    try:
        person = my_person(request.user)
    except NotFound:
        return None
    return citycode_holder_ensure(actor=Actor.from_request(request), person=person)


def refresh_seconds() -> int:
    """When the page fetches the next code: 10 s before this one expires (half its life for a
    very short one), so the code on screen is always valid when a terminal reads it."""
    ttl = ttl_seconds()
    return max(1, ttl - 10) if ttl > 20 else max(1, ttl // 2)


def _qr_context(request: HttpRequest, holder: CodeHolder) -> dict[str, Any]:
    code = citycode_issue(holder=holder)
    # Larger modules in elder mode: a terminal reads it from further, an old phone's screen
    # shows it crisper.
    scale = 7 if elder_mode_for(request) else 5
    return {
        "code": code,
        "qr_svg": qr_svg_inline(code.payload, scale=scale),
        "refresh": refresh_seconds(),
        "expires_local": timezone.localtime(code.expires_at),
    }


@require_GET
@login_required
def mine(request: HttpRequest) -> HttpResponse:
    holder = _holder(request)
    context: dict[str, Any] = {"holder": holder, "ttl": ttl_seconds()}
    if holder is not None:
        context |= _qr_context(request, holder)
        context["share_form"] = ShareForm(initial={"shared": holder.shared})
        context["shared_labels"] = [IdentityField(f).label for f in holder.shared]
        # 集体码 invitations and memberships (decision 0079), paged.
        memberships = Paginator(my_memberships(holder.person), 10).get_page(
            request.GET.get("mpage")
        )
        context["memberships"] = memberships
        context["consent_forms"] = consent_forms(list(memberships.object_list))
    return render(request, "citycode/mine.html", context)


@require_GET
@login_required
def qr(request: HttpRequest) -> HttpResponse:
    """The QR fragment alone (HTMX swaps it in before the shown code expires)."""
    holder = _holder(request)
    if holder is None:
        raise Http404
    response = render(request, "citycode/_qr.html", _qr_context(request, holder))
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def share(request: HttpRequest) -> HttpResponse:
    holder = _holder(request)
    if holder is None:
        raise Http404
    form = ShareForm(request.POST)
    if form.is_valid():
        citycode_share_set(
            actor=Actor.from_request(request),
            person=holder.person,
            fields=form.cleaned_data["shared"],
        )
        messages.success(request, _("授权设置已保存"))
    else:
        messages.error(request, _("授权项无效"))
    return HttpResponseRedirect(reverse("citycode:mine"))


@require_POST
@login_required
def reissue(request: HttpRequest) -> HttpResponse:
    holder = _holder(request)
    if holder is None:
        raise Http404
    citycode_reissue(actor=Actor.from_request(request), person=holder.person)
    messages.success(request, _("已换发新码，旧码立即作废"))
    return HttpResponseRedirect(reverse("citycode:mine"))


# --- staff -----------------------------------------------------------------------------------


def _reader(request: HttpRequest) -> None:
    if not permissions.can_read_terminals(request.user):
        raise DjangoPermissionDenied


@require_GET
@login_required
def terminals(request: HttpRequest) -> HttpResponse:
    """核验终端: the terminals the reader may see, paged with the true count."""
    _reader(request)
    search = TerminalFilterForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    rows = selectors.terminal_list(request.user, q=q)
    page = Paginator(rows, TERMINALS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "citycode/terminals.html",
        {
            "page": page,
            "count": page.paginator.count,
            "q": q,
            "pager_query": urlencode({"q": q}) if q else "",
        },
    )


@require_GET
@login_required
def terminal_detail(request: HttpRequest, terminal_id: int) -> HttpResponse:
    """A terminal and its scan log, newest first, paged with the true count."""
    _reader(request)
    try:
        terminal = selectors.access_terminal(request.user, terminal_id)
    except NotFound:
        raise Http404 from None
    page = Paginator(selectors.scan_list(terminal), SCANS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "citycode/terminal.html",
        {"terminal": terminal, "page": page, "count": page.paginator.count},
    )


def _setter(request: HttpRequest) -> None:
    if not permissions.can_set_attributes(request.user):
        raise DjangoPermissionDenied


@require_http_methods(["GET", "POST"])
@login_required
def attributes(request: HttpRequest) -> HttpResponse:
    """状态属性: find a person by ID number, see the attributes of the types this unit is
    authorised for, set one."""
    _setter(request)
    actor = Actor.from_request(request)
    types = [(t.code, t.name) for t in selectors.attribute_types_of_unit(request.user.org_unit)]  # type: ignore[union-attr]
    if request.method == "POST":
        form = AttributeSetForm(request.POST, types=types)
        if form.is_valid():
            data = form.cleaned_data
            until = data["valid_until"]
            try:
                attribute_set(
                    actor=actor,
                    person=data["resident_id"],
                    type_code=data["type"],
                    value=data["value"],
                    valid_until=timezone.make_aware(dt.datetime.combine(until, dt.time(23, 59, 59)))
                    if until
                    else None,
                )
                messages.success(request, _("状态属性已设置"))
            except ApplicationError as exc:
                messages.error(request, exc.message)
        else:
            messages.error(request, _("请检查填写的内容"))
        query = urlencode({"resident_id": request.POST.get("resident_id", "")[:18]})
        return HttpResponseRedirect(f"{reverse('citycode:attributes')}?{query}")
    lookup = LookupForm(request.GET or None)
    context: dict[str, Any] = {"lookup": lookup, "types": types}
    # A unit authorised for no type has no reason to look anyone up.
    if lookup.is_valid() and types:
        resident_id = lookup.cleaned_data["resident_id"].upper()
        try:
            person = selectors.person_by_resident_id(resident_id)
        except NotFound:
            context["not_found"] = True
        else:
            rows = selectors.access_person_attributes(request.user, person, actor=actor)
            label = f"{mask_name(person.name)}（{mask_resident_id(person.resident_id)}）"
            context |= {
                "person_label": label,
                "rows": rows,
                "set_form": AttributeSetForm(initial={"resident_id": resident_id}, types=types),
                "resident_id": resident_id,
            }
    return render(request, "citycode/attributes.html", context)


@require_POST
@login_required
def attribute_clear_view(request: HttpRequest) -> HttpResponse:
    _setter(request)
    form = AttributeClearForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效"))
        return HttpResponseRedirect(reverse("citycode:attributes"))
    try:
        attribute_clear(
            actor=Actor.from_request(request), attribute_id=form.cleaned_data["attribute_id"]
        )
        messages.success(request, _("状态属性已撤销"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    query = urlencode({"resident_id": form.cleaned_data["resident_id"]})
    return HttpResponseRedirect(f"{reverse('citycode:attributes')}?{query}")
