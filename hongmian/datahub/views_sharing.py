"""Sharing's pages (decision 0081): the request form on a dataset, the consumer's "my
requests", the provider's inbox with a request's page (approve with fewer fields, refuse,
revoke), and "who uses my data". A request the user is on neither side of is a 404."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.validators import parse_id
from hongmian.datahub import selectors, selectors_sharing
from hongmian.datahub.forms import SharingApproveForm, SharingReasonForm, SharingRequestForm
from hongmian.datahub.models import SharingRequest
from hongmian.datahub.permissions import (
    can_answer_sharing,
    can_request_sharing,
    can_view_catalogue,
)
from hongmian.datahub.services.sharing import (
    sharing_request_approve,
    sharing_request_create,
    sharing_request_refuse,
    sharing_request_revoke,
)
from hongmian.datahub.states import Grade, RequestStatus

PAGE_SIZE = 20


def _errors_into(form: forms.Form, exc: ApplicationError, names: dict[str, str]) -> None:
    """A service's coded error onto the form: on the field it names, else the whole form."""
    targets = {names.get(name, name) for name in exc.fields} & set(form.fields)
    for target in sorted(targets):
        form.add_error(target, exc.message)
    if not targets:
        form.add_error(None, exc.message)


def _page(request: HttpRequest, rows: Any) -> tuple[Any, str]:
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return page, params.urlencode()


@login_required
def request_new(request: HttpRequest, code: str) -> HttpResponse:
    """申请共享: a consumer unit's steward or manager asks for a dataset."""
    try:
        dataset = selectors.access_dataset(request.user, code)
    except NotFound:
        raise Http404 from None
    if not can_request_sharing(request.user, dataset):
        raise DjangoPermissionDenied
    choices = [
        (f.name, f"{f.title or f.name}（{f.get_grade_display()}）") for f in dataset.fields.all()
    ]
    today = timezone.localdate()
    if request.method == "POST":
        form = SharingRequestForm(request.POST, choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                sharing_request_create(
                    actor=Actor.from_request(request),
                    dataset=dataset,
                    purpose=data["purpose"],
                    fields=data["fields_wanted"],
                    row_filter=data["row_filter"],
                    valid_from=data["valid_from"],
                    valid_to=data["valid_to"],
                )
            except ApplicationError as exc:
                _errors_into(form, exc, {"fields": "fields_wanted", "dataset": "__all__"})
            else:
                return redirect("datahub:sharing_mine")
    else:
        form = SharingRequestForm(
            choices=choices,
            initial={"valid_from": today, "valid_to": today + dt.timedelta(days=365)},
        )
    return render(request, "datahub/sharing/request_new.html", {"form": form, "d": dataset})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """我的共享申请: the requests of the user's unit."""
    if not can_view_catalogue(request.user):
        raise DjangoPermissionDenied
    status = request.GET.get("status", "")
    rows = selectors_sharing.sharing_requests_mine(request.user, status=status)
    page, query = _page(request, rows)
    return render(
        request,
        "datahub/sharing/list.html",
        {
            "page": page,
            "query": query,
            "mode": "mine",
            "status": status,
            "statuses": RequestStatus.choices,
        },
    )


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    """共享审核: the requests for the datasets the user's unit provides."""
    if not can_view_catalogue(request.user):
        raise DjangoPermissionDenied
    status = request.GET.get("status", "")
    rows = selectors_sharing.sharing_requests_inbox(request.user, status=status)
    page, query = _page(request, rows)
    return render(
        request,
        "datahub/sharing/list.html",
        {
            "page": page,
            "query": query,
            "mode": "inbox",
            "status": status,
            "statuses": RequestStatus.choices,
        },
    )


def _request_or_404(request: HttpRequest, id: int) -> SharingRequest:
    parsed = parse_id(id)
    if parsed is None:
        raise Http404
    try:
        return selectors_sharing.access_sharing_request(request.user, parsed)
    except NotFound:
        raise Http404 from None


def _answer_forms(req: SharingRequest, data: Any = None) -> SharingApproveForm:
    fields = {f.name: f for f in req.dataset.fields.all()}
    choices = [(n, fields[n].title or n if n in fields else n) for n in req.requested_fields]
    core = [(n, label) for n, label in choices if n in fields and fields[n].grade == Grade.CORE]
    return SharingApproveForm(
        data,
        choices=choices,
        core=core,
        initial={"fields_granted": req.requested_fields, "quota_rows_per_day": 10_000},
    )


def _detail(request: HttpRequest, req: SharingRequest, **forms_: Any) -> HttpResponse:
    answer = can_answer_sharing(request.user, req)
    context = {
        "r": req,
        "can_answer": answer and req.status == RequestStatus.REQUESTED,
        "can_revoke": answer and req.status == RequestStatus.APPROVED,
        "approve_form": forms_.get("approve_form") or _answer_forms(req),
        "refuse_form": forms_.get("refuse_form") or SharingReasonForm(),
        "revoke_form": forms_.get("revoke_form") or SharingReasonForm(),
        "titles": {f.name: f.title or f.name for f in req.dataset.fields.all()},
    }
    return render(request, "datahub/sharing/detail.html", context)


@login_required
def detail(request: HttpRequest, id: int) -> HttpResponse:
    return _detail(request, _request_or_404(request, id))


def _answerable(request: HttpRequest, id: int) -> SharingRequest:
    req = _request_or_404(request, id)
    if not can_answer_sharing(request.user, req):
        raise DjangoPermissionDenied
    return req


@login_required
@require_POST
def approve(request: HttpRequest, id: int) -> HttpResponse:
    req = _answerable(request, id)
    form = _answer_forms(req, request.POST)
    if form.is_valid():
        try:
            sharing_request_approve(
                actor=Actor.from_request(request),
                request=req,
                fields=form.cleaned_data["fields_granted"],
                core_granted=form.cleaned_data["core_granted"],
                quota_rows_per_day=form.cleaned_data["quota_rows_per_day"],
            )
        except ApplicationError as exc:
            _errors_into(form, exc, {"fields": "fields_granted"})
        else:
            return redirect("datahub:sharing_detail", id=req.pk)
    return _detail(request, req, approve_form=form)


def _reasoned(
    request: HttpRequest, id: int, act: Callable[..., object], form_key: str
) -> HttpResponse:
    """Refuse and revoke: the same form (a reason), the same answer on success or error."""
    req = _answerable(request, id)
    form = SharingReasonForm(request.POST)
    if form.is_valid():
        try:
            act(actor=Actor.from_request(request), request=req, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            _errors_into(form, exc, {})
        else:
            return redirect("datahub:sharing_detail", id=req.pk)
    return _detail(request, req, **{form_key: form})


@login_required
@require_POST
def refuse(request: HttpRequest, id: int) -> HttpResponse:
    return _reasoned(request, id, sharing_request_refuse, "refuse_form")


@login_required
@require_POST
def revoke(request: HttpRequest, id: int) -> HttpResponse:
    return _reasoned(request, id, sharing_request_revoke, "revoke_form")


@login_required
def usage(request: HttpRequest) -> HttpResponse:
    """谁在用我的数据: calls and rows per consumer and day, true counts, paged."""
    if not can_view_catalogue(request.user):
        raise DjangoPermissionDenied
    try:
        days = int(request.GET.get("days", "30"))
    except ValueError:
        days = 30
    days = max(1, min(days, selectors_sharing.USAGE_DAYS_MAX))
    rows = selectors_sharing.sharing_usage(request.user, days=days)
    page, query = _page(request, rows)
    totals = selectors_sharing.sharing_usage_totals(request.user, days=days)
    return render(
        request,
        "datahub/sharing/usage.html",
        {"page": page, "query": query, "days": days, "totals": totals},
    )
