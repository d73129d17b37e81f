"""Knowledge endpoints: search and reading for everyone (public articles for the public,
all served articles for staff), writing and review for the units and reviewers.

An API key or the session (the API's one default, config/api.py); search and reading take
anonymous visitors too. Operations parse input and call selectors and services, which check
permissions; errors become {code, message, fields} with a 4xx status (core.api_errors).
"""

from __future__ import annotations

from typing import Any, cast

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from hongmian.core.actors import Actor
from hongmian.core.api_errors import errors
from hongmian.core.schemas import DbId
from hongmian.identity.auth import ANONYMOUS_ALLOWED, api_key_session_or_anonymous
from hongmian.identity.models import User
from hongmian.identity.selectors import org_unit_get
from hongmian.knowledge import permissions, selectors, services
from hongmian.knowledge.models import Article, ArticleUsage
from hongmian.knowledge.schemas import (
    ArticleCreateIn,
    ArticleDetailOut,
    ArticleOut,
    ArticleRetireIn,
    ArticleReviewIn,
    ArticleUpdateIn,
    ArticleUsageOut,
    ArticleUsedIn,
    SearchHitOut,
    UnitRef,
    VersionOut,
)

router = Router(tags=["knowledge"])


def _reader(request: HttpRequest) -> Any:
    # Search and reading are open to anonymous visitors (public articles only): the auth
    # class puts the key's or the session's account on request.auth, or an AnonymousUser.
    user = request.auth  # type: ignore[attr-defined]
    return user if user.is_authenticated else None


def _user(request: HttpRequest) -> User:
    return cast(User, request.auth)  # type: ignore[attr-defined]


def _actor(request: HttpRequest) -> Actor:
    return Actor.from_request(request, via="api")


def _article_out(article: Article) -> dict[str, Any]:
    unit = article.owning_unit
    return {
        **{f: getattr(article, f) for f in ArticleOut.model_fields if f != "owning_unit"},
        "owning_unit": UnitRef(id=unit.pk, name=unit.name),
    }


def _detail(user: Any, article: Article) -> dict[str, Any]:
    versions = [VersionOut.model_validate(v) for v in selectors.article_versions(user, article)]
    return {**_article_out(article), "versions": versions}


class SearchParams(Schema):
    q: str
    limit: int = Field(10, ge=1, le=50)


@router.get(
    "/search",
    auth=api_key_session_or_anonymous,
    openapi_extra=ANONYMOUS_ALLOWED,
    response=list[SearchHitOut],
    summary="查找知识条目",
)
def article_search(request: HttpRequest, params: Query[SearchParams]) -> list[selectors.SearchHit]:
    """The served articles that best answer `q`, best first (at most `limit`, up to 50).
    Staff find internal articles too; everyone else only public ones."""
    return selectors.article_search(
        params.q,
        limit=params.limit,
        audience=permissions.audience_of(_reader(request)),
    )


@router.get(
    "/articles/{article_id}",
    auth=api_key_session_or_anonymous,
    openapi_extra=ANONYMOUS_ALLOWED,
    response={200: ArticleDetailOut, **errors(404)},
    summary="知识条目",
)
def article_detail(request: HttpRequest, article_id: DbId) -> dict[str, Any]:
    user = _reader(request)
    return _detail(user, selectors.access_article(user, article_id))


@router.post(
    "/articles",
    response={201: ArticleDetailOut, **errors(403, 404, 409)},
    summary="新建知识条目（草稿）",
)
def article_create(request: HttpRequest, payload: ArticleCreateIn) -> Status[dict[str, Any]]:
    user = _user(request)
    article = services.article_create(
        actor=_actor(request),
        owning_unit=org_unit_get(payload.owning_unit_id),
        title=payload.title,
        body=payload.body,
        category_codes=payload.category_codes,
        audience=payload.audience,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        external_id=payload.external_id,
    )
    return Status(201, _detail(user, selectors.access_article(user, article.pk)))


@router.patch(
    "/articles/{article_id}",
    response={200: ArticleDetailOut, **errors(403, 404, 409)},
    summary="修改知识条目",
)
def article_update(
    request: HttpRequest, article_id: DbId, payload: ArticleUpdateIn
) -> dict[str, Any]:
    """A published article keeps being served; the change waits as a new version."""
    user = _user(request)
    article = selectors.access_article(user, article_id)
    changes = payload.model_dump(exclude_unset=True)
    services.article_update(actor=_actor(request), article=article, **changes)
    return _detail(user, selectors.access_article(user, article_id))


@router.post(
    "/articles/{article_id}/submit",
    response={200: ArticleDetailOut, **errors(403, 404, 409)},
    summary="提交审核",
)
def article_submit(request: HttpRequest, article_id: DbId) -> dict[str, Any]:
    user = _user(request)
    article = selectors.access_article(user, article_id)
    services.article_submit(actor=_actor(request), article=article)
    return _detail(user, selectors.access_article(user, article_id))


@router.post(
    "/articles/{article_id}/approve",
    response={200: ArticleDetailOut, **errors(403, 404, 409)},
    summary="审核通过并发布",
)
def article_approve(
    request: HttpRequest, article_id: DbId, payload: ArticleReviewIn
) -> dict[str, Any]:
    user = _user(request)
    article = selectors.access_article(user, article_id)
    services.article_approve(actor=_actor(request), article=article, note=payload.note)
    return _detail(user, selectors.access_article(user, article_id))


@router.post(
    "/articles/{article_id}/reject",
    response={200: ArticleDetailOut, **errors(403, 404, 409)},
    summary="退回修改",
)
def article_reject(
    request: HttpRequest, article_id: DbId, payload: ArticleReviewIn
) -> dict[str, Any]:
    user = _user(request)
    article = selectors.access_article(user, article_id)
    services.article_reject(actor=_actor(request), article=article, note=payload.note)
    return _detail(user, selectors.access_article(user, article_id))


@router.post(
    "/articles/{article_id}/retire",
    response={200: ArticleDetailOut, **errors(403, 404, 409)},
    summary="停用知识条目",
)
def article_retire(
    request: HttpRequest, article_id: DbId, payload: ArticleRetireIn
) -> dict[str, Any]:
    user = _user(request)
    article = selectors.access_article(user, article_id)
    services.article_retire(actor=_actor(request), article=article, reason=payload.reason)
    return _detail(user, selectors.access_article(user, article_id))


@router.post(
    "/articles/{article_id}/usages",
    response={201: ArticleUsageOut, **errors(403, 404, 409)},
    summary="记录直接答复所用知识",
)
def article_used(
    request: HttpRequest, article_id: DbId, payload: ArticleUsedIn
) -> Status[ArticleUsage]:
    article = selectors.access_article(_user(request), article_id)
    usage = services.article_used(
        actor=_actor(request), article=article, order_ref=payload.order_ref
    )
    return Status(201, usage)
