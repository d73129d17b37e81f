"""The applicant's pages (apply from the item's page, 我的办件, the application form) and the
department's review desk. Views parse input and call the same services as the API; a
refused act shows its message on the page with the error's status (never a 500)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongmian.applications import permissions, presenters, selectors
from hongmian.applications.forms import DeskFilterForm
from hongmian.applications.models import Application
from hongmian.applications.services import bundles, drafts, lifecycle, materials
from hongmian.applications.states import DESK_STATUSES, EVENT_LABELS, Review, Status
from hongmian.catalog.selectors import access_item
from hongmian.core import deadlines
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.masking import mask_name

PAGE_SIZE = 20
# The form page's URL names: the applicant's (and a relative agent's) pages; the hall desk
# serves the same page under its own names (views_assist.py, "applications:assist_").
NS = "applications:"
# The desk's acts offered in each status (the transition table decides what is legal).
DESK_ACTS: dict[str, tuple[Review, ...]] = {
    Status.SUBMITTED: (Review.ACCEPT, Review.NOT_ACCEPT),
    Status.ACCEPTED: (Review.START,),
    Status.UNDER_REVIEW: (Review.APPROVE, Review.REJECT, Review.RETURN),
    Status.APPROVED: (Review.ISSUE,),
    Status.REJECTED: (Review.ARCHIVE,),
    Status.NOT_ACCEPTED: (Review.ARCHIVE,),
    Status.RESULT_ISSUED: (Review.ARCHIVE,),
    Status.WITHDRAWN: (Review.ARCHIVE,),
}


def _applicant(request: HttpRequest) -> Any:
    if not permissions.can_apply(request.user):
        raise DjangoPermissionDenied
    return request.user


def _reviewer(request: HttpRequest) -> Any:
    if not permissions.can_review(request.user):
        raise DjangoPermissionDenied
    return request.user


def _mine(request: HttpRequest, pk: int) -> Application:
    """The applicant's own application — or one a relative makes for them under a usable
    authorisation (帮办代办, decision 0072); everyone else: not found."""
    user = _applicant(request)
    try:
        application = selectors.access_application(user, pk)
    except NotFound:
        try:
            return selectors.access_application_as_agent(user, pk)
        except NotFound:
            raise Http404 from None
    if application.applicant_id != user.pk:
        raise Http404
    return application


def _events(application: Application) -> list[tuple[Any, str]]:
    return [
        (e, str(EVENT_LABELS.get(e.kind, e.kind)))
        for e in application.events.select_related("actor").order_by("at", "id")
    ]


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))


# --- the applicant --------------------------------------------------------------------------


@login_required
@require_POST
def apply(request: HttpRequest, code: str) -> HttpResponse:
    """办理 from the item's page: the applicant's open draft of the item, or a new one."""
    user = _applicant(request)
    try:
        item = access_item(user, code)
    except NotFound:
        raise Http404 from None
    draft = (
        Application.objects.filter(applicant=user, item=item, status=Status.DRAFT)
        .order_by("-id")
        .first()
    )
    if draft is None:
        try:
            draft, _created = drafts.application_create(
                actor=Actor.from_request(request), item=item
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("catalog:item", args=[item.code]))
    return HttpResponseRedirect(reverse("applications:detail", args=[draft.pk]))


@login_required
def my_applications(request: HttpRequest) -> HttpResponse:
    """我的办件: every application of the account, a page at a time, with the true count."""
    user = _applicant(request)
    page = _page(request, selectors.my_application_list(user))
    now = timezone.now()
    rows = [(a, selectors.application_light(a, now)) for a in page.object_list]
    return render(request, "applications/mine.html", {"page": page, "rows": rows})


def _form_context(application: Application, ns: str = NS) -> dict[str, Any]:
    return {
        "ns": ns,
        "on_behalf": application.mandate_id is not None,
        "application": application,
        "fields": presenters.form_rows(application),
        "materials": presenters.material_rows(application),
        "reusable": selectors.reusable_materials(application),
        "certificates": materials.material_certificates(application),
        "prefill_keys": drafts.prefill_fields(application),
        "prefill_consent": drafts.prefill_consent(application),
        "editable": application.status in (Status.DRAFT, Status.CORRECTION),
        "light": selectors.application_light(application),
        "events": _events(application),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The application form: each field with its value and source, the materials, the
    history. POST saves the answers (`action=save`), submits (`submit`) or sends the
    corrections back (`resubmit`)."""
    return form_page(request, _mine(request, pk), NS)


def form_page(request: HttpRequest, application: Application, ns: str) -> HttpResponse:
    """The form page of `application` (already accessed), its links under `ns`."""
    status = 200
    if request.method == "POST":
        actor = Actor.from_request(request)
        definition, _rev = selectors.item_form(application.item)
        answers = {f.key: request.POST.get(f.key, "") for f in definition.fields}
        action = request.POST.get("action", "save")
        try:
            # Refused (409 application.not_editable) once the application is submitted.
            application = drafts.application_answers_update(
                actor=actor, application=application, answers=answers
            )
            if action == "submit":
                bundles.bundle_part_check(application)
                lifecycle.application_submit(actor=actor, application=application)
                messages.success(request, _("申请已提交，请等待部门受理。"))
            elif action == "resubmit":
                lifecycle.application_correction_submit(actor=actor, application=application)
                messages.success(request, _("补正材料已提交。"))
            else:
                messages.success(request, _("已保存。"))
            return HttpResponseRedirect(reverse(f"{ns}detail", args=[application.pk]))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status_code
            application.refresh_from_db()
    return render(
        request, "applications/detail.html", _form_context(application, ns), status=status
    )


@login_required
@require_POST
def prefill(request: HttpRequest, pk: int) -> HttpResponse:
    """授权并自动填写: the applicant's consent (if not yet given), then the fill."""
    return prefill_act(request, _mine(request, pk), NS)


def prefill_act(request: HttpRequest, application: Application, ns: str) -> HttpResponse:
    actor = Actor.from_request(request)
    try:
        if application.applicant_id != request.user.pk:
            # An agent fills only under the person's own consent; they cannot give it.
            drafts.application_prefill(actor=actor, application=application)
            messages.success(request, _("已从委托人的档案填写，请逐项核对。"))
        elif drafts.prefill_consent(application) is None:
            drafts.application_prefill_consent(actor=actor, application=application)
            messages.success(request, _("已从您的档案填写，请逐项核对。"))
        else:
            drafts.application_prefill(actor=actor, application=application)
            messages.success(request, _("已从您的档案填写，请逐项核对。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse(f"{ns}detail", args=[application.pk]))


@login_required
@require_POST
def material(request: HttpRequest, pk: int, material_id: int) -> HttpResponse:
    """Provide one material: an upload (`file`), a reuse (`source`) or an e-certificate
    (`certificate`); the last two with the consent box ticked."""
    return material_act(request, _mine(request, pk), material_id, NS)


def material_act(
    request: HttpRequest, application: Application, material_id: int, ns: str
) -> HttpResponse:
    actor = Actor.from_request(request)
    consent = request.POST.get("consent") == "on"
    try:
        if request.POST.get("source"):
            materials.material_reuse(
                actor=actor,
                application=application,
                material_id=material_id,
                source_id=request.POST["source"],
                consent=consent,
            )
        elif request.POST.get("certificate"):
            materials.material_certificate_use(
                actor=actor,
                application=application,
                material_id=material_id,
                certificate_ref=request.POST["certificate"],
                consent=consent,
            )
        elif "file" in request.FILES:
            materials.material_upload(
                actor=actor,
                application=application,
                material_id=material_id,
                upload=request.FILES["file"],
            )
        else:
            messages.error(request, _("请选择文件，或选择复用的材料"))
            return HttpResponseRedirect(reverse(f"{ns}detail", args=[application.pk]))
        messages.success(request, _("材料已添加。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(reverse(f"{ns}detail", args=[application.pk]) + "#materials")


# --- the review desk ------------------------------------------------------------------------


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """审批台: the unit's applications in its hands, by deadline, with filters and pages."""
    user = _reviewer(request)
    form = DeskFilterForm(request.GET or None)
    wanted: dict[str, Any] = form.cleaned_data if form.is_valid() else {}
    now = timezone.now()
    rows = selectors.desk_application_list(
        user,
        status=wanted.get("status") or "",
        item_code=wanted.get("item") or "",
        light=wanted.get("light") or "",
        q=wanted.get("q") or "",
        now=now,
    )
    if not wanted.get("status"):
        rows = rows.filter(status__in=DESK_STATUSES)
    page = _page(request, rows)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": [
            (a, selectors.application_light(a, now), _applicant_label(a)) for a in page.object_list
        ],
        "query": params.urlencode(),
    }
    return render(
        request,
        "applications/desk.html",
        context,
        status=200 if form.is_valid() or not form.is_bound else 400,
    )


def _applicant_label(application: Application) -> str:
    """The queue shows whose application it is, the name masked (the page shows it whole)."""
    if application.enterprise is not None:
        return application.enterprise.name
    return mask_name(application.person.name) if application.person else ""


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """One application as the reviewer sees it, with the acts its status allows."""
    user = _reviewer(request)
    try:
        application = selectors.access_application_for_review(user, pk)
    except NotFound:
        raise Http404 from None
    status = 200
    if request.method == "POST":
        corrections = [
            line.strip()
            for line in request.POST.get("corrections", "").splitlines()
            if line.strip()
        ]
        try:
            lifecycle.application_review(
                actor=Actor.from_request(request),
                application=application,
                act=request.POST.get("act", ""),
                reason=request.POST.get("reason", ""),
                corrections=corrections,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("已办理。"))
            return HttpResponseRedirect(reverse("applications:review", args=[application.pk]))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status_code
            application.refresh_from_db()
    context = {
        "application": application,
        "fields": presenters.form_rows(application),
        "materials": presenters.material_rows(application),
        "acts": DESK_ACTS.get(application.status, ()),
        "light": selectors.application_light(application),
        "events": _events(application),
        "lights": deadlines,
    }
    return render(request, "applications/review.html", context, status=status)


@login_required
def material_file(request: HttpRequest, pk: int, material_id: int) -> FileResponse:
    """A provided material's file, for the reviewer of its application (a download, never
    shown inline: an uploaded PDF is not run in the desk's page)."""
    user = _reviewer(request)
    try:
        application = selectors.access_application_for_review(user, pk)
    except NotFound:
        raise Http404 from None
    row = application.materials.filter(material_id=material_id).exclude(storage_name="").first()
    if row is None:
        raise Http404
    handle = materials.material_storage().open(row.storage_name, "rb")
    return FileResponse(
        handle, as_attachment=True, filename=row.file_name, content_type=row.content_type
    )
