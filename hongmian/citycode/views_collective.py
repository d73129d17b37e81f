"""集体码 screens (decision 0079): the administrator's codes (make one; the members with
their statuses within consent, paged with true counts by status; invite; the signed
collective QR), and the person's answers on 我的红棉码 (consent with the types they share,
decline, leave). Thin: they parse the request and call selectors and services."""

from __future__ import annotations

from typing import Any

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

from hongmian.citycode import selectors_collective as sc
from hongmian.citycode.forms import CollectiveCreateForm, ConsentForm, InviteForm
from hongmian.citycode.models import AttributeType, CollectiveCode, CollectiveMember
from hongmian.citycode.services import collective as svc
from hongmian.citycode.states import MemberStatus
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.masking import mask_resident_id
from hongmian.core.qr import qr_svg_inline
from hongmian.identity.models import Enterprise
from hongmian.identity.states import Role

MEMBERS_PER_PAGE = 20


def _administrator(request: HttpRequest) -> Any:
    user = request.user
    if not (user.is_authenticated and user.role in {Role.ENTERPRISE_REP, Role.DEPT_MANAGER}):
        raise DjangoPermissionDenied
    return user


def _errors(form: Any) -> str:
    return "；".join(" ".join(v) for v in form.errors.values())


def _create_form(user: Any, data: Any = None) -> CollectiveCreateForm:
    enterprises = (
        [(str(e.pk), e.name) for e in Enterprise.objects.filter(representatives=user)]
        if user.role == Role.ENTERPRISE_REP
        else []
    )
    types = [(t.code, t.name) for t in AttributeType.objects.order_by("code")]
    return CollectiveCreateForm(data, enterprises=enterprises, types=types)


@require_http_methods(["GET", "POST"])
@login_required
def collectives(request: HttpRequest) -> HttpResponse:
    """集体码: the codes the user administers; POST makes one for their organisation."""
    user = _administrator(request)
    form = _create_form(user)
    status = 200
    if request.method == "POST":
        form = _create_form(user, request.POST)
        if form.is_valid():
            data = form.cleaned_data
            enterprise = (
                Enterprise.objects.filter(pk=data["enterprise"], representatives=user).first()
                if user.role == Role.ENTERPRISE_REP and str(data["enterprise"]).isdecimal()
                else None
            )
            try:
                created = svc.collective_create(
                    actor=Actor.from_request(request),
                    name=data["name"],
                    type_codes=data["types"],
                    enterprise=enterprise,
                    org_unit=user.org_unit if user.role == Role.DEPT_MANAGER else None,
                )
            except ApplicationError as exc:
                messages.error(request, exc.message)
                status = exc.status_code
            else:
                messages.success(request, _("集体码已申领"))
                return HttpResponseRedirect(reverse("citycode:collective", args=[created.pk]))
        else:
            messages.error(request, _errors(form))
            status = 400
    rows = list(sc.collectives_administered(user))
    return render(
        request,
        "citycode/collectives.html",
        {"rows": rows, "form": form},
        status=status,
    )


def _collective(request: HttpRequest, collective_id: int) -> CollectiveCode:
    user = _administrator(request)
    try:
        return sc.access_collective(user, collective_id)
    except NotFound:
        raise Http404 from None


def _qr(request: HttpRequest, collective: CollectiveCode) -> dict[str, Any]:
    code = svc.collective_issue(actor=Actor.from_request(request), collective=collective)
    return {
        "collective": collective,
        "code": code,
        "qr_svg": qr_svg_inline(code.payload, scale=5),
        "expires_local": timezone.localtime(code.expires_at),
    }


@require_GET
@login_required
def collective(request: HttpRequest, collective_id: int) -> HttpResponse:
    """One code: its QR, the members (status filter, paged, true counts) with the values
    each consented to share, and the invitation form."""
    found = _collective(request, collective_id)
    wanted = request.GET.get("status", "")
    wanted = wanted if wanted in MemberStatus.values else ""
    page = Paginator(sc.member_list(found, wanted), MEMBERS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    members: list[CollectiveMember] = list(page.object_list)
    statuses = {row.member_id: row for row in sc.member_statuses(found, members)}
    context = {
        **_qr(request, found),
        "page": page,
        "rows": [(m, mask_resident_id(m.person.resident_id), statuses[m.pk]) for m in members],
        "counts": sc.member_counts(found),
        "status_choices": MemberStatus.choices,
        "wanted": wanted,
        "types": list(found.attribute_types.order_by("code")),
        "invite": InviteForm(),
    }
    return render(request, "citycode/collective.html", context)


@require_GET
@login_required
def collective_qr(request: HttpRequest, collective_id: int) -> HttpResponse:
    response = render(
        request, "citycode/_collective_qr.html", _qr(request, _collective(request, collective_id))
    )
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@login_required
def collective_invite(request: HttpRequest, collective_id: int) -> HttpResponse:
    found = _collective(request, collective_id)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            svc.member_invite(
                actor=Actor.from_request(request), collective=found, **form.cleaned_data
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已发出邀请，待本人确认"))
    return HttpResponseRedirect(reverse("citycode:collective", args=[found.pk]))


# --- the person --------------------------------------------------------------------------


def consent_forms(memberships: list[CollectiveMember]) -> dict[int, ConsentForm]:
    """A consent form per open invitation: the types its code asks, all ticked."""
    out = {}
    for m in memberships:
        if m.status == MemberStatus.INVITED:
            asked = list(m.collective.attribute_types.all())
            out[m.pk] = ConsentForm(
                types=[(t.code, t.name) for t in asked],
                initial={"types": [t.code for t in asked]},
                prefix=f"m{m.pk}",
            )
    return out


def _citizen(request: HttpRequest) -> Any:
    user = request.user
    if not (user.is_authenticated and user.role == Role.CITIZEN):
        raise DjangoPermissionDenied
    return user


def _answer(request: HttpRequest, act: Any, ok: str) -> HttpResponse:
    _citizen(request)
    try:
        act()
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, ok)
    return HttpResponseRedirect(reverse("citycode:mine") + "#collective-heading")


@require_POST
@login_required
def member_accept(request: HttpRequest, member_id: int) -> HttpResponse:
    types = [t[:40] for t in request.POST.getlist(f"m{member_id}-types")[:20]]
    return _answer(
        request,
        lambda: svc.member_accept(
            actor=Actor.from_request(request), member_id=member_id, type_codes=types
        ),
        _("已加入集体码"),
    )


@require_POST
@login_required
def member_decline(request: HttpRequest, member_id: int) -> HttpResponse:
    return _answer(
        request,
        lambda: svc.member_decline(actor=Actor.from_request(request), member_id=member_id),
        _("已拒绝邀请"),
    )


@require_POST
@login_required
def member_leave(request: HttpRequest, member_id: int) -> HttpResponse:
    return _answer(
        request,
        lambda: svc.member_leave(actor=Actor.from_request(request), member_id=member_id),
        _("已退出集体码，该组织不再能看到您的状态"),
    )
