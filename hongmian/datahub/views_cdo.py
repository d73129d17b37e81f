"""The chief data officers' pages: the city's ranking of departments (the data bureau and the
city's CDO), a department's dashboard (its own stewards and manager, and the city), the asset
registry with usage and quality over time. A department the user may not look at is a 404,
like one that does not exist; a role with no CDO page at all is a 403."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from hongmian.datahub import selectors_assets as s
from hongmian.datahub.models_assets import AssetKind
from hongmian.datahub.permissions import can_view_cdo, can_view_city_ranking
from hongmian.identity.models import OrgUnit

PAGE_SIZE = 20


def _gate(request: HttpRequest) -> None:
    if not can_view_cdo(request.user):
        raise DjangoPermissionDenied


def _query_without(request: HttpRequest, *names: str) -> str:
    params = request.GET.copy()
    for name in names:
        params.pop(name, None)
    return params.urlencode()


@login_required
def cdo_home(request: HttpRequest) -> HttpResponse:
    """首席数据官: the city's ranking for the city; a department's own dashboard otherwise."""
    _gate(request)
    if not can_view_city_ranking(request.user):
        own: OrgUnit | None = getattr(request.user, "org_unit", None)
        if own is None:  # can_view_cdo holds only for a steward with a unit
            raise DjangoPermissionDenied
        return _dashboard(request, own)
    ranking = s.city_ranking()
    page = Paginator(ranking, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "datahub/cdo/ranking.html",
        {"page": page, "cards": list(page.object_list), "weights": s.WEIGHTS, "query": ""},
    )


def _unit_for(request: HttpRequest, code: str) -> OrgUnit:
    unit = s.cdo_units(request.user).filter(code=code).first()
    if unit is None:
        raise Http404
    return unit


@login_required
def cdo_unit(request: HttpRequest, code: str) -> HttpResponse:
    """A department's dashboard."""
    _gate(request)
    return _dashboard(request, _unit_for(request, code))


def _dashboard(request: HttpRequest, unit: OrgUnit) -> HttpResponse:
    now = timezone.now()
    (card,) = s.scorecards([unit], now)
    if can_view_city_ranking(request.user):
        ranked = {c.unit.pk: c for c in s.city_ranking(now)}
        card.rank = ranked[unit.pk].rank if unit.pk in ranked else None
        places = len(ranked)
    else:
        places = 0
    incomplete = Paginator(s.incomplete_datasets(unit), PAGE_SIZE).get_page(request.GET.get("page"))
    stale = Paginator(s.stale_datasets(unit, now), PAGE_SIZE).get_page(request.GET.get("spage"))
    alerts = Paginator(s.recent_alerts(unit), PAGE_SIZE).get_page(request.GET.get("apage"))
    context: dict[str, Any] = {
        "unit": unit,
        "card": card,
        "places": places,
        "trend": card.trend,
        "consumers": s.top_consumers(unit, now),
        "incomplete": incomplete,
        "stale": stale,
        "alerts": alerts,
        "q_incomplete": _query_without(request, "page"),
        "q_stale": _query_without(request, "spage"),
        "q_alerts": _query_without(request, "apage"),
        "city": can_view_city_ranking(request.user),
    }
    return render(request, "datahub/cdo/unit.html", context)


@login_required
def asset_list(request: HttpRequest) -> HttpResponse:
    """数据资产登记: every asset the user answers for, with 30 days' reads and calls."""
    _gate(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in AssetKind.values else ""
    unit = request.GET.get("unit", "")[:32]
    rows = s.asset_list(request.user, kind=kind, unit=unit)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "datahub/cdo/assets.html",
        {
            "page": page,
            "assets": list(page.object_list),
            "kinds": AssetKind.choices,
            "kind": kind,
            "unit": unit,
            "query": _query_without(request, "page"),
        },
    )


@login_required
def asset_detail(request: HttpRequest, id: int) -> HttpResponse:
    """An asset's usage per day and, for a dataset, its quality over its last loads."""
    _gate(request)
    view = s.asset_page(request.user, id)
    if view is None:
        raise Http404
    peak = max((n for _, n in view.usage), default=0)
    return render(request, "datahub/cdo/asset.html", {"view": view, "peak": peak or 1})
