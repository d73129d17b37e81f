"""The public contract: /api/certificates/… (keys, revocations, verify, wallet, issue, revoke)."""

from __future__ import annotations

import uuid

import jwt
import pytest
from django.test import Client

from hongmian.certificates.tests.conftest import LICENCE, MARRIAGE, World
from hongmian.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_keys_json_is_a_public_cacheable_jwk_set_that_verifies(
    client: Client, world: World
) -> None:
    cert = world.issue()
    response = client.get("/api/certificates/keys.json")
    assert response.status_code == 200
    assert "public" in response["Cache-Control"]
    body = response.json()
    assert [k["kid"] for k in body["keys"]] == [cert.kid]
    assert {"kty", "crv", "x", "y", "alg", "use"} <= body["keys"][0].keys()
    assert "d" not in body["keys"][0]
    key = jwt.PyJWKSet.from_dict(body)[cert.kid].key
    assert jwt.decode(cert.token, key, algorithms=["ES256"])["jti"] == str(cert.cert_id)


def test_verify_answers_valid_or_a_reason(client: Client, world: World) -> None:
    cert = world.issue()
    ok = client.post(
        "/api/certificates/verify", {"certificate": cert.token}, content_type="application/json"
    ).json()
    assert ok["valid"] is True
    assert ok["reason"] == "ok"
    assert ok["certificate"]["type"] == "marriage"
    assert ok["certificate"]["cert_id"] == str(cert.cert_id)
    bad = client.post(
        "/api/certificates/verify", {"certificate": "nonsense"}, content_type="application/json"
    ).json()
    assert bad == {"valid": False, "reason": "bad_format", "certificate": None}


def test_revoke_then_revoked_json_and_verify(client: Client, world: World) -> None:
    cert = world.issue()
    client.force_login(world.manager)
    response = client.post(
        f"/api/certificates/{cert.cert_id}/revoke",
        {"reason": "issued_in_error"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "revoked"
    client.logout()
    listed = client.get("/api/certificates/revoked.json").json()["revoked"]
    assert listed[0]["jti"] == str(cert.cert_id)
    assert listed[0]["reason"] == "issued_in_error"
    verdict = client.post(
        "/api/certificates/verify", {"certificate": cert.token}, content_type="application/json"
    ).json()
    assert verdict["reason"] == "revoked"


def test_wallet_lists_own_only_and_detail_is_audited(client: Client, world: World) -> None:
    mine = world.issue()
    world.issue(holder=world.other_person)
    licence = world.issue(type_code="biz_licence", holder=world.enterprise)
    client.force_login(world.citizen)
    page = client.get("/api/certificates/me").json()
    assert page["total"] == 1
    assert [c["cert_id"] for c in page["items"]] == [str(mine.cert_id)]
    detail = client.get(f"/api/certificates/{mine.cert_id}").json()
    assert detail["token"] == mine.token
    assert ["配偶姓名", "李四"] in detail["fields"]
    assert AuditEvent.objects.filter(action="certificate.read", target_id=str(mine.pk)).count() == 1
    # Another holder's certificate: the same 404 as one that does not exist.
    other = client.get(f"/api/certificates/{licence.cert_id}")
    missing = client.get(f"/api/certificates/{uuid.uuid4()}")
    assert other.status_code == missing.status_code == 404
    assert other.json()["code"] == missing.json()["code"] == "certificate.not_found"
    client.force_login(world.rep)
    assert [c["type"] for c in client.get("/api/certificates/me").json()["items"]] == [
        "biz_licence"
    ]


def test_issuing_staff_see_the_holder_masked(client: Client, world: World) -> None:
    cert = world.issue()
    client.force_login(world.clerk)
    detail = client.get(f"/api/certificates/{cert.cert_id}").json()
    assert detail["holder_name"] == "张*"
    client.force_login(world.market_clerk)
    assert client.get(f"/api/certificates/{cert.cert_id}").status_code == 404


def test_issue_through_the_api(client: Client, world: World) -> None:
    client.force_login(world.market_clerk)
    response = client.post(
        "/api/certificates/issue",
        {"type": "biz_licence", "holder": world.enterprise.credit_code, "data": LICENCE},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["type"] == "biz_licence"
    for body, status, code in [
        ({"type": "nope", "holder": "rep", "data": {}}, 422, "certificate.type_unknown"),
        (
            {"type": "marriage", "holder": "ghost", "data": MARRIAGE},
            422,
            "certificate.holder_unknown",
        ),
        (
            {"type": "biz_licence", "holder": world.enterprise.credit_code, "data": {"x": 1}},
            422,
            "certificate.data_invalid",
        ),
        (
            {"type": "marriage", "holder": "zhangsan", "data": MARRIAGE},
            403,
            "certificate.not_issuer",
        ),
    ]:
        answer = client.post("/api/certificates/issue", body, content_type="application/json")
        assert answer.status_code == status, answer.content
        assert answer.json()["code"] == code
    client.force_login(world.citizen)
    denied = client.post(
        "/api/certificates/issue",
        {"type": "marriage", "holder": "zhangsan", "data": MARRIAGE},
        content_type="application/json",
    )
    assert denied.status_code == 403


def test_types_are_public(client: Client) -> None:
    body = client.get("/api/certificates/types").json()
    codes = {t["code"] for t in body}
    assert {"birth", "household", "marriage", "biz_licence", "degree", "social_insurance"} <= codes
