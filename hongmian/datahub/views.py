"""The catalogue's pages: the list (filters, search, pages with the true count) and a
dataset's page (metadata, fields with grades, lineage, versions, runs and quality). Staff
only; a dataset the user may not see is a 404, like one that does not exist."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from hongmian.core.errors import NotFound
from hongmian.datahub import selectors
from hongmian.datahub.forms import CatalogueFilterForm
from hongmian.datahub.models import Dataset
from hongmian.datahub.permissions import can_update_dataset, can_view_catalogue
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
    return render(
        request,
        "datahub/dataset.html",
        {
            "view": view,
            "d": d,
            "can_edit": can_update_dataset(request.user, d),
            "versions": list(d.versions.all()[:10]),
        },
    )
