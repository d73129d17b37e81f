"""One authentication for the whole API (config/api.py): an API key works on every router,
the session's unsafe calls need the CSRF token (and are refused with the coded 403), a key
needs none, and a bad key is refused even when a session or nothing at all would do."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from hongmian.hotline.tests.http import api_key_for
from hongmian.identity import fakes
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory
from hongmian.knowledge.models import Article

pytestmark = pytest.mark.django_db

BAD_KEY = "hm_0123456789ab_not-a-key"
ORDER = {
    "channel": "phone",
    "request_type": "complaint",
    "title": "路灯不亮",
    "content": "天河路路灯连续三晚不亮。",
}
PERSON = {"name": "黄志明", "resident_id": fakes.resident_id("440105", dt.date(1985, 6, 1), 42)}


@pytest.fixture
def unit() -> OrgUnit:
    return OrgUnitFactory(code="a-water", name="广州市水务局", kind=UnitKind.CITY_DEPARTMENT)


@pytest.fixture
def handler(unit: OrgUnit) -> User:
    """A unit's handler: may write the unit's articles and read its org tree."""
    return UserFactory(role=Role.DEPT_HANDLER, org_unit=unit)


def _article(unit: OrgUnit) -> dict[str, Any]:
    return {"owning_unit_id": unit.pk, "title": "停水通知怎么查", "body": "在水务局网站查询。"}


def _keyed(user: User) -> tuple[Client, dict[str, str]]:
    # enforce_csrf_checks: a key request must pass without any token.
    return Client(enforce_csrf_checks=True), {"Authorization": f"Bearer {api_key_for(user)}"}


def _session(user: User) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def _code(response: Any, status: int) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    return str(body["code"])


def test_a_valid_key_works_on_every_router(unit: OrgUnit, handler: User) -> None:
    client, auth = _keyed(handler)
    # identity
    me = client.get("/api/identity/me", headers=auth)
    assert me.status_code == 200, me.content
    assert me.json()["username"] == handler.username
    # knowledge: a write (no CSRF token sent) …
    created = client.post(
        "/api/knowledge/articles", _article(unit), content_type="application/json", headers=auth
    )
    assert created.status_code == 201, created.content
    article_id = created.json()["id"]
    # … and a read open to anonymous visitors, where the key's account sees its own draft.
    assert client.get(f"/api/knowledge/articles/{article_id}", headers=auth).status_code == 200
    assert Client().get(f"/api/knowledge/articles/{article_id}").status_code == 404
    # geo and core (public operations: the key is simply not needed)
    assert client.get("/api/geo/divisions", headers=auth).status_code == 200
    valid = client.post(
        "/api/core/validate/mobile",
        {"value": "13812345678"},
        content_type="application/json",
        headers=auth,
    )
    assert valid.status_code == 200, valid.content
    # hotline
    agent_client, agent_auth = _keyed(UserFactory(role=Role.HOTLINE_AGENT))
    taken = agent_client.post(
        "/api/hotline/work-orders", ORDER, content_type="application/json", headers=agent_auth
    )
    assert taken.status_code == 201, taken.content
    assert agent_client.get("/api/hotline/work-orders", headers=agent_auth).status_code == 200


def test_a_session_call_without_the_csrf_token_is_refused_with_the_coded_error(
    unit: OrgUnit, handler: User
) -> None:
    hall = _session(UserFactory(role=Role.HALL_STAFF))
    refused = hall.post("/api/identity/persons", PERSON, content_type="application/json")
    assert _code(refused, 403) == "csrf_failed"
    refused = _session(handler).post(
        "/api/knowledge/articles", _article(unit), content_type="application/json"
    )
    assert _code(refused, 403) == "csrf_failed"
    refused = _session(UserFactory(role=Role.HOTLINE_AGENT)).post(
        "/api/hotline/work-orders", ORDER, content_type="application/json"
    )
    assert _code(refused, 403) == "csrf_failed"
    assert not Article.objects.exists()
    # Safe methods need no token.
    assert _session(handler).get("/api/identity/me").status_code == 200


def test_a_session_call_with_the_csrf_token_passes(unit: OrgUnit, handler: User) -> None:
    client = _session(handler)
    token = "a" * 32  # the secret in the cookie must match the header's
    client.cookies["csrftoken"] = token
    response = client.post(
        "/api/knowledge/articles",
        _article(unit),
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/identity/me"),
        ("get", "/api/knowledge/search?q=停水"),  # open to anonymous, but not to a bad key
        ("get", "/api/hotline/work-orders"),
        ("post", "/api/knowledge/articles"),
        ("post", "/api/hotline/work-orders"),
    ],
)
def test_a_bad_key_never_falls_back_to_the_session(handler: User, method: str, url: str) -> None:
    client = _session(handler)
    response = getattr(client, method)(
        url, content_type="application/json", headers={"Authorization": f"Bearer {BAD_KEY}"}
    )
    assert _code(response, 401) == "not_authenticated"


def test_a_revoked_key_is_refused(handler: User) -> None:
    from hongmian.core.actors import Actor
    from hongmian.identity.models import ApiKey
    from hongmian.identity.services import api_key_revoke

    client, auth = _keyed(handler)
    assert client.get("/api/identity/me", headers=auth).status_code == 200
    api_key_revoke(actor=Actor.cli(None), api_key=ApiKey.objects.get(user=handler))
    assert _code(client.get("/api/identity/me", headers=auth), 401) == "not_authenticated"


def test_the_openapi_document_names_the_one_scheme_and_the_public_operations() -> None:
    schema = Client().get("/api/openapi.json").json()
    assert set(schema["components"]["securitySchemes"]) == {"ApiKeyOrSession"}
    public = {
        (method, path)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if not operation.get("security")
    }
    assert public == {
        ("post", "/api/core/validate/resident-id"),
        ("post", "/api/core/validate/credit-code"),
        ("post", "/api/core/validate/mobile"),
        ("post", "/api/geo/parse"),
        ("get", "/api/geo/divisions"),
        ("post", "/api/hotline/work-orders/{number}/caller-rating"),
        # E-certificates are verified by anyone with the published keys (issue 13).
        ("get", "/api/certificates/keys.json"),
        ("get", "/api/certificates/revoked.json"),
        ("get", "/api/certificates/types"),
        ("post", "/api/certificates/verify"),
        # The city code's keys: offline verifiers fetch them (issue 14, decision 0062).
        ("get", "/api/citycode/keys.json"),
        # The life events offered as one application (issue 13, decision 0068).
        ("get", "/api/bundles/offers"),
        # 跨域通办: a partner platform authenticates by its signature (decision 0070).
        ("get", "/api/crosscity/keys.json"),
        ("post", "/api/crosscity/packages"),
        ("post", "/api/crosscity/status"),
        # The data catalogue in DCAT (issue 15, decision 0076).
        ("get", "/api/datahub/dcat.ttl"),
        ("get", "/api/datahub/dcat.jsonld"),
    }
    search = schema["paths"]["/api/knowledge/search"]["get"]
    assert search["security"] == [{"ApiKeyOrSession": []}, {}]
