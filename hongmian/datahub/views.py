"""The catalogue's pages: the list (filters, search, pages with the true count) and a
dataset's page (metadata, fields with grades, lineage, versions, runs and quality). Staff
only; a dataset the user may not see is a 404, like one that does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError, NotFound
from hongmian.datahub import selectors
from hongmian.datahub.forms import CatalogueFilterForm, DatasetEditForm, split_words
from hongmian.datahub.models import Dataset
from hongmian.datahub.permissions import (
    can_request_sharing,
    can_update_dataset,
    can_view_catalogue,
)
from hongmian.datahub.services.assets import dataset_read_record
from hongmian.datahub.services.datasets import DatasetMeta, dataset_update
from hongmian.identity.models import OrgUnit

PAGE_SIZE = 20


@login_required
def catalogue(request: HttpRequest) -> HttpResponse:
    """数据资源目录."""
    if not can_view_catalogue(request.user):
        raise DjangoPermissionDenied
    providers = [
        (u.code, u.name)
        for u in OrgUnit.objects.filter(datasets__isnull=False).distinct().order_by("code")
    ]
    form = CatalogueFilterForm(
        request.GET or None, providers=providers, themes=selectors.theme_choices()
    )
    wanted = form.cleaned_data if form.is_valid() else {}
    rows = selectors.dataset_list(
        request.user,
        q=wanted.get("q") or "",
        provider=wanted.get("provider") or "",
        theme=wanted.get("theme") or "",
        sharing_type=wanted.get("sharing_type") or "",
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "datahub/catalogue.html",
        {
            "form": form,
            "page": page,
            "datasets": list(page.object_list),
            "query": params.urlencode(),
        },
    )


@login_required
def dataset(request: HttpRequest, code: str) -> HttpResponse:
    """A dataset's page."""
    try:
        view = selectors.dataset_page(request.user, code)
    except NotFound:
        raise Http404 from None
    d: Dataset = view.dataset
    dataset_read_record(d, request.user)  # the asset's usage (decision 0085)
    return render(
        request,
        "datahub/dataset.html",
        {
            "view": view,
            "d": d,
            "can_edit": can_update_dataset(request.user, d),
            "can_request": can_request_sharing(request.user, d),
            "versions": list(d.versions.all()[:10]),
        },
    )


@login_required
def dataset_edit(request: HttpRequest, code: str) -> HttpResponse:
    """A steward (or the CDO) edits a dataset's catalogue metadata; others: 403 if they
    see the dataset, 404 if not."""
    try:
        d = selectors.access_dataset(request.user, code)
    except NotFound:
        raise Http404 from None
    if not can_update_dataset(request.user, d):
        raise DjangoPermissionDenied
    upstream = list(d.upstream.values_list("code", flat=True))
    if request.method == "POST":
        form = DatasetEditForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            meta = DatasetMeta(
                name=data["name"],
                summary=data["summary"],
                update_frequency=data["update_frequency"],
                format=d.format,
                sharing_type=data["sharing_type"],
                sharing_conditions=data["sharing_conditions"],
                legal_basis=data["legal_basis"],
                open_type=data["open_type"],
                themes=split_words(data["themes"]),
                keywords=split_words(data["keywords"]),
                pipeline=data["pipeline"],
                upstream=upstream,
                owner=d.owner,
                chief_data_officer=d.chief_data_officer,
            )
            try:
                dataset_update(actor=Actor.from_request(request), dataset=d, meta=meta)
            except ApplicationError as exc:
                for name, messages in exc.fields.items():
                    target = name if name in form.fields else None
                    for message in messages:
                        form.add_error(target, message)
                if not exc.fields:
                    form.add_error(None, exc.message)
            else:
                return redirect("datahub:dataset", code=d.code)
    else:
        form = DatasetEditForm(
            initial={
                "name": d.name,
                "summary": d.summary,
                "update_frequency": d.update_frequency,
                "sharing_type": d.sharing_type,
                "sharing_conditions": d.sharing_conditions,
                "legal_basis": d.legal_basis,
                "open_type": d.open_type,
                "themes": "、".join(d.themes),
                "keywords": "、".join(d.keywords),
                "pipeline": d.pipeline,
            }
        )
    return render(
        request, "datahub/edit.html", {"form": form, "d": d, "title": gettext("编辑数据资源")}
    )
