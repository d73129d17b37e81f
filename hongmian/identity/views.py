"""The owner's pages of the person and enterprise files (我的档案, 我的授权, 企业档案).

Views parse input and call selectors and services; what is shown and recorded is decided
there, the same as through the API (identity/api.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.identity import file_fields, selectors, services
from hongmian.identity.assurance import AssuranceLevel, AssuranceMethod
from hongmian.identity.forms import ConsentForm, FaceCheckForm, IdPhoneCheckForm
from hongmian.identity.models import Person

USES_PER_PAGE = 20


def _person_or_none(request: HttpRequest) -> Person | None:
    try:
        return selectors.my_person(request.user)
    except NotFound:
        return None


def _field_labels() -> dict[str, str]:
    return {key: spec.label for key, spec in file_fields.FIELDS.items()}


@login_required
def my_file(request: HttpRequest, *, check_form: IdPhoneCheckForm | None = None) -> HttpResponse:
    """我的档案: the level, every field with its department and date, and who used what."""
    person = _person_or_none(request)
    context: dict[str, Any] = {"person": person}
    if person is not None:
        uses = Paginator(selectors.file_use_list(person), USES_PER_PAGE).get_page(
            request.GET.get("page")
        )
        labels = _field_labels()
        context.update(
            groups=selectors.file_groups(selectors.access_my_file(request.user)),
            level_label=AssuranceLevel(person.assurance_level).label,
            method_label=AssuranceMethod(person.assurance_method).label,
            may_check=person.assurance_level < AssuranceLevel.L2,
            check_form=check_form or IdPhoneCheckForm(),
            uses=uses,
            use_rows=[(u, [labels.get(f, f) for f in u.fields]) for u in uses],
        )
    status = 422 if check_form is not None and check_form.errors else 200
    return render(request, "identity/my_file.html", context, status=status)


@require_POST
@login_required
def my_assurance_id_phone(request: HttpRequest) -> HttpResponse:
    person = _person_or_none(request)
    if person is None:
        raise Http404
    form = IdPhoneCheckForm(request.POST)
    if form.is_valid():
        try:
            services.person_verify_id_and_phone(
                actor=Actor.from_request(request),
                person=person,
                resident_id=form.cleaned_data["resident_id"],
                mobile=form.cleaned_data["mobile"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("核验通过，您的实名认证等级已提升为 L2。"))
            return HttpResponseRedirect(reverse("identity:my_file"))
    return my_file(request, check_form=form)


@login_required
def my_assurance_face(request: HttpRequest) -> HttpResponse:
    """人脸核验: the person raises their own level to L3 by a photo of their face, compared
    with the ID card's photo by the verifier (identity/verification.py)."""
    person = _person_or_none(request)
    if person is None:
        raise Http404
    form = FaceCheckForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.person_verify_face_upload(
                    actor=Actor.from_request(request),
                    person=person,
                    upload=form.cleaned_data["photo"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("人脸核验通过，您的实名认证等级已提升为 L3。"))
                return HttpResponseRedirect(reverse("identity:my_assurance_face"))
        status = 422
    context = {
        "person": person,
        "form": form,
        "level_label": AssuranceLevel(person.assurance_level).label,
        "done": person.assurance_level >= AssuranceLevel.L3,
    }
    return render(request, "identity/face_check.html", context, status=status)


@login_required
def my_consents(request: HttpRequest) -> HttpResponse:
    """我的授权: what I let which service read, until when; grant and revoke here."""
    person = _person_or_none(request)
    if person is None:
        raise Http404
    form = ConsentForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.consent_grant(
                    actor=Actor.from_request(request),
                    subject=person,
                    purpose=data["purpose"],
                    requester=data["requester"],
                    fields=data["items"],
                    valid_until=timezone.now() + dt.timedelta(days=data["days"]),
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("已授权。您可以随时撤回。"))
                return HttpResponseRedirect(reverse("identity:my_consents"))
        status = 422
    labels = _field_labels()
    now = timezone.now()
    consents = [
        (c, [labels.get(f, f) for f in c.fields], c.revoked_at is None and c.valid_until > now)
        for c in selectors.consent_list(person)
    ]
    return render(
        request,
        "identity/my_consents.html",
        {"form": form, "consents": consents, "count": len(consents)},
        status=status,
    )


@require_POST
@login_required
def my_consent_revoke(request: HttpRequest, consent_id: int) -> HttpResponse:
    try:
        consent = selectors.access_my_consent(request.user, consent_id)
    except NotFound:
        raise Http404 from None
    services.consent_revoke(actor=Actor.from_request(request), consent=consent)
    messages.success(request, _("已撤回授权，使用方即刻不能再读取。"))
    return HttpResponseRedirect(reverse("identity:my_consents"))


@login_required
def enterprise_file(request: HttpRequest, enterprise_id: str) -> HttpResponse:
    """企业档案, for the enterprise's representatives; anyone else gets the 404 page."""
    try:
        enterprise, entries = selectors.access_enterprise_file(
            request.user, enterprise_id, actor=Actor.from_request(request)
        )
    except NotFound:
        raise Http404 from None
    return render(
        request,
        "identity/enterprise_file.html",
        {"enterprise": enterprise, "groups": selectors.file_groups(entries)},
    )
