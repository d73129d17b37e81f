"""帮办代办 screens (decision 0072): the person's 我的授权 (grant online with a signed
letter, see everything done under each authorisation, revoke), a relative's 为家人办理,
and the hall's assisted-service desk (find the person present, record the authorisation,
start and submit an application for them, the hall's cases). Views parse input and call
the services; the form page is the applicant's own, served under the desk's names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongmian.applications import permissions, selectors
from hongmian.applications.forms import (
    AssistFilterForm,
    AssistFindForm,
    HallMandateForm,
    OnlineMandateForm,
)
from hongmian.applications.models import Application
from hongmian.applications.services import assisted
from hongmian.applications.views import form_page, material_act, prefill_act
from hongmian.appointments.models import Hall
from hongmian.appointments.selectors import halls_viewable_by
from hongmian.catalog.models import ServiceItem
from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.identity.models import FileUse, Mandate, Person, User
from hongmian.identity.selectors import (
    access_mandate_as_agent,
    access_my_mandate,
    mandate_agent_label,
    mandates_given,
    mandates_of_hall,
    mandates_received,
    person_view,
)
from hongmian.identity.services.mandates import (
    HallPlace,
    mandate_grant_at_hall,
    mandate_grant_online,
    mandate_revoke,
)
from hongmian.identity.states import MandateStatus, Role

PAGE_SIZE = 20
NS = "applications:assist_"
# How long the desk may go on with a person found at the window (their ID card read, or
# their booking): a visit, not a standing right.
PRESENCE = dt.timedelta(hours=4)
SESSION_KEY = "assist_presence"


def _page(request: HttpRequest, rows: Any, param: str = "page") -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get(param))


def _errors(form: Any) -> str:
    return "；".join(
        f"{form.fields[k].label}：{' '.join(v)}" if k in form.fields else " ".join(v)
        for k, v in form.errors.items()
    )


# --- the person: 我的授权 ------------------------------------------------------------------


def _citizen(request: HttpRequest) -> Any:
    user = request.user
    if not (user.is_authenticated and user.role == Role.CITIZEN):
        raise DjangoPermissionDenied
    return user


@login_required
def my_mandates(request: HttpRequest) -> HttpResponse:
    """我的授权: the authorisations I gave (paged, true count) with what was done under
    each, and those I hold for family (为家人办理). POST grants one online."""
    user = _citizen(request)
    person = Person.objects.filter(user_id=user.pk).first()
    form = OnlineMandateForm()
    status = 200
    if request.method == "POST":
        form = OnlineMandateForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                mandate = mandate_grant_online(
                    actor=Actor.from_request(request),
                    agent_resident_id=form.cleaned_data["agent_resident_id"],
                    agent_name=form.cleaned_data["agent_name"],
                    terms=form.terms(),
                    document=form.cleaned_data["document"],
                )
                messages.success(request, _("授权已生效。"))
                return HttpResponseRedirect(reverse("applications:my_mandate", args=[mandate.pk]))
            except ApplicationError as exc:
                messages.error(request, exc.message)
                status = exc.status_code
        else:
            messages.error(request, _errors(form))
            status = 400
    given = _page(request, mandates_given(person) if person else Mandate.objects.none())
    received = _page(request, mandates_received(user), "rpage")
    now = timezone.now()
    context = {
        "form": form,
        "given": given,
        "received": received,
        "usable": {
            m.pk
            for m in received.object_list
            if m.status == MandateStatus.ACTIVE and m.valid_from <= now < m.valid_until
        },
        "labels": {m.pk: mandate_agent_label(m) for m in given.object_list},
    }
    return render(request, "applications/my_mandates.html", context, status=status)


@login_required
def my_mandate(request: HttpRequest, id: int) -> HttpResponse:
    """One authorisation I gave: its terms and evidence, every application made under it
    and every read of my file under it (both paged), and the revoke button."""
    user = _citizen(request)
    try:
        mandate = access_my_mandate(user, id)
    except NotFound:
        raise Http404 from None
    applications = _page(
        request,
        Application.objects.filter(mandate=mandate)
        .select_related("item", "submitted_by")
        .order_by("-created_at", "-id"),
    )
    uses = _page(
        request, FileUse.objects.filter(mandate=mandate).order_by("-used_at", "-id"), "upage"
    )
    context = {
        "mandate": mandate,
        "agent_label": mandate_agent_label(mandate),
        "applications": applications,
        "uses": uses,
    }
    return render(request, "applications/my_mandate.html", context)


@login_required
@require_POST
def my_mandate_revoke(request: HttpRequest, id: int) -> HttpResponse:
    user = _citizen(request)
    try:
        mandate = access_my_mandate(user, id)
        mandate_revoke(
            actor=Actor.from_request(request),
            mandate=mandate,
            reason=request.POST.get("reason", "")[:200],
        )
    except NotFound:
        raise Http404 from None
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("授权已撤销，受托人不能再为您办理。"))
    return HttpResponseRedirect(reverse("applications:my_mandate", args=[id]))


def _item(code: str) -> ServiceItem:
    item = ServiceItem.objects.filter(code=code.strip()).first()
    if item is None:
        raise NotFound(_("事项不存在"), code="service_item.not_found")
    return item


def _apply_on_behalf(
    request: HttpRequest, user: User, mandate_id: int, *, done: str, back: Callable[[Mandate], str]
) -> HttpResponse:
    """A draft for the principal of the mandate `user` holds, for the item posted; on a
    refusal, a message and `back(mandate)`; on success, the draft's page `done`."""
    try:
        mandate = access_mandate_as_agent(user, mandate_id)
    except NotFound:
        raise Http404 from None
    try:
        application = assisted.application_create_on_behalf(
            actor=Actor.from_request(request),
            mandate=mandate,
            item=_item(request.POST.get("item", "")),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(back(mandate))
    return HttpResponseRedirect(reverse(done, args=[application.pk]))


@login_required
@require_POST
def family_apply(request: HttpRequest, id: int) -> HttpResponse:
    """为家人办理: a draft for the principal of the mandate I hold, for an item in scope."""
    return _apply_on_behalf(
        request,
        _citizen(request),
        id,
        done="applications:detail",
        back=lambda _mandate: reverse("applications:my_mandates"),
    )


# --- the hall's desk ------------------------------------------------------------------------


def _staff(request: HttpRequest) -> Any:
    if not permissions.can_assist(request.user):
        raise DjangoPermissionDenied
    return request.user


def _halls(user: Any) -> list[Hall]:
    return list(halls_viewable_by(user).select_related("org_unit"))


def _hall(user: Any, code: str) -> Hall | None:
    """The hall the staff member works at (chosen on the desk; the first of their unit's)."""
    halls = _halls(user)
    return next((h for h in halls if h.code == code), halls[0] if halls else None)


def _presence(request: HttpRequest, person: Person) -> dict[str, str] | None:
    entry = request.session.get(SESSION_KEY, {}).get(str(person.pk))
    if not entry:
        return None
    if timezone.now() - dt.datetime.fromisoformat(entry["at"]) > PRESENCE:
        return None
    return dict(entry)


@login_required
def assist(request: HttpRequest) -> HttpResponse:
    """帮办代办台: find the person at the window, and the hall's assisted cases (paged,
    true count, filters)."""
    user = _staff(request)
    halls = _halls(user)
    form = AssistFilterForm(request.GET or None)
    wanted: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    rows = selectors.assisted_application_list(
        user, status=wanted.get("status") or "", q=wanted.get("q") or ""
    )
    page = _page(request, rows)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "halls": halls,
        "find": AssistFindForm(),
        "form": form,
        "page": page,
        "query": params.urlencode(),
    }
    return render(request, "applications/assist.html", context)


@login_required
@require_POST
def assist_find(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    hall = _hall(user, request.POST.get("hall", ""))
    form = AssistFindForm(request.POST)
    if hall is None:
        messages.error(request, _("您的单位没有运营中的大厅"))
        return HttpResponseRedirect(reverse("applications:assist"))
    if not form.is_valid():
        messages.error(request, _errors(form))
        return HttpResponseRedirect(reverse("applications:assist"))
    try:
        presence = assisted.assist_person_find(
            actor=Actor.from_request(request), hall=hall, **form.cleaned_data
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return HttpResponseRedirect(reverse("applications:assist"))
    found = dict(request.session.get(SESSION_KEY, {}))
    found[str(presence.person_id)] = {
        "hall": presence.hall_code,
        "via": presence.via,
        "at": presence.at,
    }
    request.session[SESSION_KEY] = found
    return HttpResponseRedirect(reverse("applications:assist_person", args=[presence.person_id]))


def _person_at_desk(request: HttpRequest, pk: int) -> tuple[Any, Person, Hall, dict[str, str]]:
    """The person the desk may reach: found at the window in this visit, or holding an
    authorisation of the staff member's hall. Anyone else: not found."""
    user = _staff(request)
    person = Person.objects.filter(pk=pk).first()
    if person is None:
        raise Http404
    presence = _presence(request, person)
    if presence is None:
        now = timezone.now()
        held = (
            mandates_of_hall(user, person)
            .filter(status=MandateStatus.ACTIVE, valid_from__lte=now, valid_until__gt=now)
            .first()
        )
        if held is None:
            raise Http404
        presence = {"hall": held.hall_code, "via": "mandate", "at": now.isoformat()}
    hall = _hall(user, presence["hall"])
    if hall is None:
        raise Http404
    return user, person, hall, presence


@login_required
def assist_person(request: HttpRequest, id: int) -> HttpResponse:
    """The person at the window: who they are (masked as the role needs), their
    authorisations of this hall, recording a new one, and starting an application."""
    user, person, hall, presence = _person_at_desk(request, id)
    mandates = list(mandates_of_hall(user, person)[:50])
    with transaction.atomic():
        audit_record(
            actor=Actor.from_request(request),
            action="assist.person_view",
            target=person,
            after={
                "hall": hall.code,
                "via": presence["via"],
                "mandates": [m.pk for m in mandates if m.status == MandateStatus.ACTIVE],
            },
        )
    now = timezone.now()
    context = {
        "person": person_view(user, person),
        "person_id": person.pk,
        "hall": hall,
        "presence": presence,
        "mandates": mandates,
        "usable": {
            m.pk
            for m in mandates
            if m.status == MandateStatus.ACTIVE and m.valid_from <= now < m.valid_until
        },
        "form": HallMandateForm(initial={"valid_days": 30, "scope": "applications"}),
    }
    return render(request, "applications/assist_person.html", context)


@login_required
@require_POST
def assist_mandate(request: HttpRequest, id: int) -> HttpResponse:
    """Record the authorisation given at the window (the ID card read again)."""
    _user, person, hall, _seen = _person_at_desk(request, id)
    form = HallMandateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _errors(form))
        return HttpResponseRedirect(reverse("applications:assist_person", args=[id]))
    if hall.org_unit is None:  # halls_viewable_by gives halls the staff's unit runs
        raise Http404
    try:
        mandate_grant_at_hall(
            actor=Actor.from_request(request),
            principal=person,
            hall=HallPlace(code=hall.code, name=hall.name, unit=hall.org_unit),
            card_reading=form.cleaned_data["card_reading"],
            terms=form.terms(),
            agent_resident_id=form.cleaned_data["agent_resident_id"],
            agent_name=form.cleaned_data["agent_name"],
        )
        messages.success(request, _("授权已登记。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse("applications:assist_person", args=[id]))


@login_required
@require_POST
def assist_apply(request: HttpRequest, id: int) -> HttpResponse:
    """Start an application for the person under the hall's authorisation."""
    return _apply_on_behalf(
        request,
        _staff(request),
        id,
        done="applications:assist_detail",
        back=lambda mandate: reverse("applications:assist_person", args=[mandate.principal_id]),
    )


def _case(request: HttpRequest, pk: int) -> Application:
    user = _staff(request)
    try:
        return selectors.access_application_as_agent(user, pk)
    except NotFound:
        raise Http404 from None


@login_required
def assist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return form_page(request, _case(request, pk), NS)


@login_required
@require_POST
def assist_prefill(request: HttpRequest, pk: int) -> HttpResponse:
    return prefill_act(request, _case(request, pk), NS)


@login_required
@require_POST
def assist_material(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    return material_act(request, _case(request, pk), material_id, NS)
