"""The applicant's pages of life-event bundles (一件事一次办): the start page reached from
the life event's page (一次办理), the combined form (shared fields once, each part's own,
the materials once) and, once submitted, the combined status with each part's outcome.
Views parse input and call services.bundles, as the API does."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hongmian.applications import bundle_forms, permissions, selectors_bundles
from hongmian.applications.models import BundleApplication
from hongmian.applications.services import bundles, drafts, materials
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.core.validators import parse_id

PAGE_SIZE = 20


def _applicant(request: HttpRequest) -> Any:
    if not permissions.can_apply(request.user):
        raise DjangoPermissionDenied
    return request.user


def _mine(request: HttpRequest, id: int) -> BundleApplication:
    user = _applicant(request)
    try:
        return selectors_bundles.access_bundle_application(user, id)
    except NotFound:
        raise Http404 from None


def _detail_url(row: BundleApplication, anchor: str = "") -> str:
    return reverse("applications:bundle", args=[row.pk]) + anchor


@login_required
def bundle_start(request: HttpRequest, slug: str) -> HttpResponse:
    """一次办理: what the bundle files and where (the district, when a part is a district
    item); POST starts the combined application — or continues the one being filled."""
    user = _applicant(request)
    try:
        bundle = selectors_bundles.bundle_for_event(slug)
    except NotFound:
        raise Http404 from None
    places = bundles.bundle_places(bundle)
    status = 200
    if request.method == "POST":
        row = selectors_bundles.open_bundle_draft(user, bundle)
        if row is not None:
            return HttpResponseRedirect(_detail_url(row))
        place = next((p for p in places if p.code == request.POST.get("place")), None)
        try:
            row, _created = bundles.bundle_start(
                actor=Actor.from_request(request), bundle=bundle, place=place
            )
            return HttpResponseRedirect(_detail_url(row))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status_code
    context = {
        "bundle": bundle,
        "event": bundle.life_event,
        "names": bundle.item_names,
        "places": places,
        "draft": selectors_bundles.open_bundle_draft(user, bundle),
    }
    return render(request, "applications/bundles/start.html", context, status=status)


@login_required
def my_bundles(request: HttpRequest) -> HttpResponse:
    """我的一件事: every combined application of the account with its combined status."""
    user = _applicant(request)
    page = Paginator(selectors_bundles.my_bundle_list(user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [selectors_bundles.bundle_view(row) for row in page.object_list]
    return render(request, "applications/bundles/mine.html", {"page": page, "rows": rows})


def _materials(parts: list[Any]) -> list[dict[str, Any]]:
    out = []
    for index, need in enumerate(bundle_forms.material_union(parts), start=1):
        provided = [a.materials.filter(material=m).first() for a, m in need.needs]
        first = need.needs[0][0]
        certs = materials.material_certificates(first).get(need.needs[0][1].pk, [])
        out.append(
            {
                "index": index,
                "name": need.name,
                "required": need.required,
                "parts": [a.item.name for a, _m in need.needs],
                "done": all(provided),
                "file_name": provided[0].file_name if provided[0] else "",
                "certificates": certs,
            }
        )
    return out


@login_required
def bundle_detail(request: HttpRequest, id: int) -> HttpResponse:
    """The combined form while being filled (POST `action=save` or `submit`), then the
    combined status and each part's outcome: one page for the whole life event."""
    row = _mine(request, id)
    parts = bundles.parts_of(row)
    status = 200
    if request.method == "POST":
        actor = Actor.from_request(request)
        form = bundle_forms.combined_form(parts)
        shared = {spec.key: request.POST.get(f"s-{spec.key}", "") for spec, _p in form.shared}
        own = {
            position: {f.key: request.POST.get(f"p{position}-{f.key}", "") for f in fields}
            for position, fields in form.own.items()
        }
        try:
            bundles.bundle_answers_update(
                actor=actor, bundle_application=row, shared=shared, own=own
            )
            if request.POST.get("action") == "submit":
                bundles.bundle_submit(actor=actor, bundle_application=row)
                messages.success(request, _("已一次提交，各部门将分别受理。"))
            else:
                messages.success(request, _("已保存。"))
            return HttpResponseRedirect(_detail_url(row))
        except ApplicationError as exc:
            messages.error(request, exc.message)
            status = exc.status_code
            row = _mine(request, id)
            parts = bundles.parts_of(row)
    view = selectors_bundles.bundle_view(row)
    context: dict[str, Any] = {
        "row": row,
        "view": view,
        "due_at": selectors_bundles.parts_due(view),
        "editable": row.submitted_at is None,
    }
    if row.submitted_at is None:
        context |= {
            "combined": bundle_forms.combined_rows(parts),
            "materials": _materials(parts),
            "prefill_needed": any(drafts.prefill_fields(a) for a in parts),
        }
    return render(request, "applications/bundles/detail.html", context, status=status)


@login_required
@require_POST
def bundle_prefill(request: HttpRequest, id: int) -> HttpResponse:
    """授权并自动填写, for every part at once."""
    row = _mine(request, id)
    try:
        bundles.bundle_prefill(actor=Actor.from_request(request), bundle_application=row)
        messages.success(request, _("已从您的档案填写，请逐项核对。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(_detail_url(row))


@login_required
@require_POST
def bundle_material(request: HttpRequest, id: int) -> HttpResponse:
    """Provide one material of the union (`index`) for every part that asks for it: an
    upload (`file`) or an e-certificate (`certificate`, with the consent box ticked)."""
    row = _mine(request, id)
    union = bundle_forms.material_union(bundles.parts_of(row))
    index = parse_id(request.POST.get("index"))  # 1-based, as the page numbers them
    if index is None or index > len(union):
        raise Http404
    actor = Actor.from_request(request)
    name = union[index - 1].name
    try:
        if request.POST.get("certificate"):
            bundles.bundle_material_certificate_use(
                actor=actor,
                bundle_application=row,
                name=name,
                certificate_ref=request.POST["certificate"],
                consent=request.POST.get("consent") == "on",
            )
        elif "file" in request.FILES:
            bundles.bundle_material_upload(
                actor=actor, bundle_application=row, name=name, upload=request.FILES["file"]
            )
        else:
            messages.error(request, _("请选择文件，或选择电子证照"))
            return HttpResponseRedirect(_detail_url(row, "#materials"))
        messages.success(request, _("材料已添加，所有需要它的事项共用这一份。"))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return HttpResponseRedirect(_detail_url(row, "#materials"))
