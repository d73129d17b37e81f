"""Reads of the catalogue search: `catalog_search` for the API, the portal and the CLI.

The search is public (the catalogue is what the government offers everyone): only
published items valid today are found, and the database has the last word on each hit
(an index a moment behind a retirement never shows the retired item). A question the
best item covers poorly is answered "not sure" (`confident=False`), with the hotline to
call instead; the items are still listed, as suggestions.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.catalog.models import LifeEvent, ServiceItem, served_q
from hongmian.catalog.search.backend import Built, catalog_index
from hongmian.catalog.states import Audience, ItemLevel
from hongmian.core.errors import ValidationFailed
from hongmian.identity.models import OrgUnit

logger = logging.getLogger(__name__)

QUERY_MAX = 200
# Results a search may page through: the list past them is noise.
RESULTS_MAX = 100
PAGE_MAX = 50
ARTICLES = 3
# What a person is offered when the search is not sure.
HOTLINE = "12345"


@dataclass(frozen=True, slots=True)
class ItemResult:
    code: str
    name: str
    department: str
    item_type: str
    level: str
    online_depth: int


@dataclass(frozen=True, slots=True)
class ArticleResult:
    article_id: int
    title: str
    snippet: str
    owning_unit: str


@dataclass(frozen=True, slots=True)
class CatalogSearchPage:
    query: str
    items: list[ItemResult]
    # The true number of matching items (capped at RESULTS_MAX), for the pager.
    total: int
    offset: int
    limit: int
    confident: bool
    # The official words the question was read as (the lexicon's expansions).
    understood_as: list[str]
    # The best item or article the answer cites; None when there is none.
    cited: ItemResult | None
    articles: list[ArticleResult]
    hotline: str = HOTLINE


def _clean_query(query: str) -> str:
    query = (query or "").strip()
    if not query:
        raise ValidationFailed(
            gettext("请输入要查找的内容"),
            code="catalog_search.query_required",
            fields={"q": ["必填"]},
        )
    if len(query) > QUERY_MAX:
        raise ValidationFailed(
            gettext("查找内容不能超过%(QUERY_MAX)s个字") % {"QUERY_MAX": QUERY_MAX},
            code="catalog_search.query_too_long",
            fields={"q": ["过长"]},
        )
    return query


def _mask(
    built: Built,
    *,
    department: str | None,
    life_event: str | None,
    audience: str | None,
    level: str | None,
) -> npt.NDArray[np.bool_] | None:
    facets = built.facets
    mask = None

    def both(other: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        return other if mask is None else mask & other

    if department:
        unit = OrgUnit.objects.filter(code=department).values_list("pk", flat=True).first()
        if unit is None:
            raise ValidationFailed(
                gettext("未知的实施机构：%(department)s") % {"department": department},
                code="catalog_search.department_unknown",
                fields={"department": ["未知"]},
            )
        mask = both(facets.department_ids == unit)
    if life_event:
        if not LifeEvent.objects.filter(slug=life_event).exists():
            raise ValidationFailed(
                gettext("未知的人生事件：%(life_event)s") % {"life_event": life_event},
                code="catalog_search.life_event_unknown",
                fields={"life_event": ["未知"]},
            )
        events = facets.life_events.get(life_event)
        mask = both(events if events is not None else np.zeros(len(built.search), dtype=bool))
    if audience:
        if audience not in Audience.values:
            raise ValidationFailed(
                gettext("未知的服务对象：%(audience)s") % {"audience": audience},
                code="catalog_search.audience_invalid",
                fields={"audience": [f"应为 {'、'.join(Audience.values)}"]},
            )
        mask = both(facets.for_persons if audience == Audience.PERSON else facets.for_enterprises)
    if level:
        if level not in ItemLevel.values:
            raise ValidationFailed(
                gettext("未知的行使层级：%(level)s") % {"level": level},
                code="catalog_search.level_invalid",
                fields={"level": [f"应为 {'、'.join(ItemLevel.values)}"]},
            )
        mask = both(facets.levels == level)
    return mask


def catalog_search(
    query: str,
    *,
    department: str | None = None,
    life_event: str | None = None,
    audience: str | None = None,
    level: str | None = None,
    limit: int = 10,
    offset: int = 0,
    on: dt.date | None = None,
    with_articles: bool = True,
    prefer: str | None = None,
) -> CatalogSearchPage:
    """Items that answer `query` (a question in everyday words), best first, from
    `offset`, with the filters applied: department (an OrgUnit code), life_event (a
    LifeEvent slug), audience (person / enterprise), level (city, district, …). With
    `prefer` (an audience), the items for it come first, each group in rank order; the cited
    item stays the best answer whatever its audience."""
    query = _clean_query(query)
    limit = max(1, min(int(limit), PAGE_MAX))
    offset = max(0, int(offset))
    on = on or timezone.localdate()
    built = catalog_index()
    only = _mask(
        built, department=department, life_event=life_event, audience=audience, level=level
    )
    answer = built.search.search(query, limit=RESULTS_MAX, only=only, today=on)
    codes = [h.code for h in answer.hits]
    served = {
        item.code: item
        for item in ServiceItem.objects.filter(served_q(on=on), code__in=codes).select_related(
            "department"
        )
    }
    hits = [served[c] for c in codes if c in served]
    cited_item = hits[0] if hits and answer.confident else None
    if prefer in (Audience.PERSON, Audience.ENTERPRISE):
        # A stable partition: the preferred audience's items, then the rest, ranks kept.
        flag = "for_enterprises" if prefer == Audience.ENTERPRISE else "for_persons"
        hits.sort(key=lambda item: not getattr(item, flag))
    ranked = [_result(item) for item in hits]
    articles = _articles(query, on) if with_articles else []
    cited = _result(cited_item) if cited_item is not None else None
    return CatalogSearchPage(
        query=query,
        items=ranked[offset : offset + limit],
        total=min(answer.total, RESULTS_MAX) - (len(codes) - len(ranked)),
        offset=offset,
        limit=limit,
        confident=bool(ranked) and answer.confident,
        understood_as=[e.words for e in answer.expansions],
        cited=cited,
        articles=articles,
    )


def _result(item: ServiceItem) -> ItemResult:
    return ItemResult(
        code=item.code,
        name=item.name,
        department=item.department.short_name or item.department.name,
        item_type=item.get_item_type_display(),
        level=item.get_level_display(),
        online_depth=item.online_depth,
    )


def _articles(query: str, on: dt.date) -> list[ArticleResult]:
    """The knowledge base's best public articles for the question (cited beside the
    items); the knowledge search failing never fails the catalogue's."""
    from hongmian.knowledge.selectors import article_search

    try:
        hits = article_search(query, limit=ARTICLES, audience="public", on=on)
    except Exception:
        logger.exception("catalogue search: the knowledge search failed")
        return []
    return [ArticleResult(h.article_id, h.title, h.snippet, h.owning_unit) for h in hits]
