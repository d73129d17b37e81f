"""`GET /api/catalog/search?q=…`: the catalogue search for everyone (anonymous visitors
too), paged, with the answer's confidence and the item or article it cites.

Its own router, mounted at /catalog/ beside the catalogue's (config/api.py), so that the
search and the catalogue's management can change apart. Errors become {code, message,
fields} with a 4xx status (core.api_errors).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from hongmian.catalog.search import selectors
from hongmian.core.api_errors import errors
from hongmian.identity.auth import ANONYMOUS_ALLOWED, api_key_session_or_anonymous

router = Router(tags=["catalog"])


class CatalogSearchParams(Schema):
    q: str
    department: str | None = Field(None, description="实施机构代码")
    life_event: str | None = Field(None, description="人生事件标识")
    audience: str | None = Field(None, description="person / enterprise")
    level: str | None = Field(None, description="city / district / street / community")
    limit: int = Field(10, ge=1, le=selectors.PAGE_MAX)
    offset: int = Field(0, ge=0, le=selectors.RESULTS_MAX)


class ItemResultOut(Schema):
    code: str
    name: str
    department: str
    item_type: str
    level: str
    online_depth: int


class ArticleResultOut(Schema):
    article_id: int
    title: str
    snippet: str
    owning_unit: str


class CatalogSearchOut(Schema):
    query: str
    items: list[ItemResultOut]
    total: int = Field(description="匹配的事项总数（最多 100）")
    offset: int
    limit: int
    confident: bool = Field(description="false：证据不足，请拨打 hotline 咨询")
    understood_as: list[str] = Field(description="问题被理解为的规范用语")
    cited: ItemResultOut | None = Field(description="回答所依据的事项（确信时）")
    articles: list[ArticleResultOut] = Field(description="知识库中的相关条目（出处）")
    hotline: str


@router.get(
    "/search",
    auth=api_key_session_or_anonymous,
    openapi_extra=ANONYMOUS_ALLOWED,
    response={200: CatalogSearchOut, **errors(422)},
    summary="用日常用语查找服务事项",
)
def catalog_search(
    request: HttpRequest, params: Query[CatalogSearchParams]
) -> selectors.CatalogSearchPage:
    """Published items that answer `q`, best first, from `offset` (`limit` a page, up to
    50), filtered by department, life event, audience and level; `confident` false
    means the evidence is weak: offer the hotline rather than the first item."""
    return selectors.catalog_search(
        params.q,
        department=params.department,
        life_event=params.life_event,
        audience=params.audience,
        level=params.level,
        limit=params.limit,
        offset=params.offset,
    )
