"""The public contract of /api/knowledge/."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from hongmian.identity.models import User
from hongmian.knowledge.models import Article, ArticleUsage
from hongmian.knowledge.states import ArticleStatus, Audience
from hongmian.knowledge.tests.conftest import Org, make_article

pytestmark = pytest.mark.django_db


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def post(client: Client, url: str, data: dict[str, Any] | None = None) -> Any:
    return client.post(url, data or {}, content_type="application/json")


def test_search_by_audience(org: Org) -> None:
    public = make_article(org, title="社保卡补办", body="社保卡遗失先挂失再补办。")
    internal = make_article(
        org, title="社保卡补办口径", body="社保卡补办内部口径。", audience=Audience.STAFF
    )
    anonymous = client_for(None).get("/api/knowledge/search", {"q": "社保卡补办"})
    assert anonymous.status_code == 200
    assert [h["article_id"] for h in anonymous.json()] == [public.pk]
    assert set(anonymous.json()[0]) == {
        "article_id",
        "title",
        "snippet",
        "score",
        "owning_unit",
        "audience",
        "category_codes",
    }
    citizen = client_for(org.citizen).get("/api/knowledge/search", {"q": "社保卡补办"})
    assert [h["article_id"] for h in citizen.json()] == [public.pk]
    agent = client_for(org.agent).get("/api/knowledge/search", {"q": "社保卡补办", "limit": 5})
    assert {h["article_id"] for h in agent.json()} == {public.pk, internal.pk}


def test_search_errors(org: Org) -> None:
    client = client_for(None)
    missing = client.get("/api/knowledge/search")
    assert missing.status_code == 422
    assert missing.json()["code"] == "validation_failed"
    blank = client.get("/api/knowledge/search", {"q": "  "})
    assert blank.status_code == 422
    assert blank.json() == {
        "code": "search.query_required",
        "message": "请输入要查找的内容",
        "fields": {"q": ["必填"]},
    }


def test_detail_forbidden_looks_like_not_found(org: Org) -> None:
    draft = make_article(org, publish=False)
    internal = make_article(org, title="内部", audience=Audience.STAFF)
    expired = make_article(org, title="过期", valid_until=dt.date(2020, 1, 1))
    for article in (draft, internal, expired):
        response = client_for(org.citizen).get(f"/api/knowledge/articles/{article.pk}")
        assert response.status_code == 404
        assert response.json()["code"] == "article.not_found"
    missing = client_for(org.citizen).get("/api/knowledge/articles/999999")
    assert (
        missing.json() == client_for(org.citizen).get(f"/api/knowledge/articles/{draft.pk}").json()
    )
    # Another unit's handler does not see this unit's draft either.
    other = client_for(org.water_author).get(f"/api/knowledge/articles/{draft.pk}")
    assert other.status_code == 404
    # Its own unit does, with the versions; staff read the internal one.
    own = client_for(org.author).get(f"/api/knowledge/articles/{draft.pk}")
    assert own.status_code == 200
    assert [v["number"] for v in own.json()["versions"]] == [1]
    assert client_for(org.agent).get(f"/api/knowledge/articles/{internal.pk}").status_code == 200


def test_reader_sees_served_text_without_versions(org: Org) -> None:
    article = make_article(org)
    body = client_for(None).get(f"/api/knowledge/articles/{article.pk}").json()
    assert body["title"] == article.title
    assert body["owning_unit"] == {"id": org.hrss.pk, "name": org.hrss.name}
    assert body["versions"] == []


def test_workflow_through_the_api(org: Org) -> None:
    author, manager = client_for(org.author), client_for(org.manager)
    created = post(
        author,
        "/api/knowledge/articles",
        {
            "owning_unit_id": org.hrss.pk,
            "title": "灵活就业参保",
            "body": "灵活就业人员可以个人身份参保。",
            "category_codes": ["社保"],
            "valid_from": "2026-01-01",
        },
    )
    assert created.status_code == 201, created.json()
    article_id = created.json()["id"]
    assert created.json()["status"] == ArticleStatus.DRAFT
    url = f"/api/knowledge/articles/{article_id}"

    patched = author.patch(url, {"title": "灵活就业人员参保"}, content_type="application/json")
    assert patched.status_code == 200
    assert patched.json()["title"] == "灵活就业人员参保"
    assert post(author, f"{url}/submit").json()["status"] == ArticleStatus.IN_REVIEW
    # The author cannot approve their own article.
    assert post(author, f"{url}/approve").status_code == 403
    approved = post(manager, f"{url}/approve", {"note": "同意"})
    assert approved.status_code == 200
    assert (approved.json()["status"], approved.json()["revision"]) == ("published", 1)

    # An edit of a published article waits as version 2; a reviewer sends it back.
    edited = author.patch(url, {"valid_from": None}, content_type="application/json")
    assert edited.json()["valid_from"] == "2026-01-01"  # still the served text
    assert edited.json()["versions"][0]["valid_from"] is None
    post(author, f"{url}/submit")
    rejected = post(manager, f"{url}/reject", {"note": "日期不能去掉"})
    assert rejected.json()["versions"][0]["review_note"] == "日期不能去掉"

    used = post(client_for(org.agent), f"{url}/usages", {"order_ref": "GZ-1"})
    assert used.status_code == 201
    assert used.json()["revision"] == 1
    assert ArticleUsage.objects.filter(article_id=article_id).count() == 1

    retired = post(author, f"{url}/retire", {"reason": "废止"})
    assert retired.json()["status"] == ArticleStatus.RETIRED
    assert client_for(None).get(url).status_code == 404


def test_write_errors_are_4xx(org: Org) -> None:
    assert post(client_for(None), "/api/knowledge/articles", {}).status_code == 401
    other_unit = post(
        client_for(org.water_author),
        "/api/knowledge/articles",
        {"owning_unit_id": org.hrss.pk, "title": "x", "body": "y"},
    )
    assert other_unit.status_code == 403
    assert other_unit.json()["code"] == "article.forbidden"
    invalid = post(
        client_for(org.author),
        "/api/knowledge/articles",
        {"owning_unit_id": org.hrss.pk, "title": "x", "body": " "},
    )
    assert invalid.status_code == 422
    assert invalid.json()["fields"] == {"body": ["请填写正文"]}
    no_unit = post(
        client_for(org.author),
        "/api/knowledge/articles",
        {"owning_unit_id": 999999, "title": "x", "body": "y"},
    )
    assert no_unit.status_code == 404
    article = make_article(org)
    twice = post(client_for(org.manager), f"/api/knowledge/articles/{article.pk}/approve")
    assert twice.status_code == 409
    assert twice.json()["code"] == "article.nothing_to_review"
    # A citizen may read the article but not record its use.
    used = post(
        client_for(org.citizen), f"/api/knowledge/articles/{article.pk}/usages", {"order_ref": "A"}
    )
    assert used.status_code == 403
    assert Article.objects.count() == 1
