"""The identity API's public contract: status codes, bodies and the error shape."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from hongmian.core.models import AuditEvent
from hongmian.identity import fakes
from hongmian.identity.models import Person, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.conftest import Tree
from hongmian.identity.tests.factories import (
    EnterpriseFactory,
    OrgUnitFactory,
    PersonFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

API = "/api/identity"
RID = fakes.resident_id("440105", dt.date(1985, 6, 1), 42)


def _client(user: User | None = None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    body: dict[str, Any] = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    return body


def test_me(tree: Tree) -> None:
    user = UserFactory(
        role=Role.DEPT_HANDLER,
        org_unit=tree.water,
        display_name="梁伟",
        mobile="13812345678",
        elder_mode=True,
    )
    body = _client(user).get(f"{API}/me").json()
    assert body == {
        "username": user.username,
        "display_name": "梁伟",
        "role": "dept_handler",
        "role_label": "承办人员",
        "org_unit": {"id": tree.water.pk, "name": "市水务局"},
        "elder_mode": True,
        "language": "zh-hans",
        "mobile_masked": "138****5678",
        "assurance_level": 1,
    }


@pytest.mark.parametrize(
    "url", [f"{API}/me", f"{API}/org-units", f"{API}/persons/1", f"{API}/enterprises/1"]
)
def test_anonymous_is_401(url: str) -> None:
    _error(_client().get(url), 401, "not_authenticated")


def test_org_units_lists_children(tree: Tree, django_assert_max_num_queries: Any) -> None:
    client = _client(UserFactory())
    roots = client.get(f"{API}/org-units").json()
    assert [(u["code"], u["has_children"]) for u in roots] == [("t-city", True)]

    # Session and user, the parent, the list (children flags included), then 3 statements
    # that renew the session (SESSION_SAVE_EVERY_REQUEST). No query per row.
    with django_assert_max_num_queries(7):
        body = client.get(f"{API}/org-units", {"parent": tree.tianhe.pk}).json()
    assert [u["code"] for u in body] == ["t-liede", "t-shipai"]
    assert set(body[0]) == {
        "id",
        "code",
        "name",
        "short_name",
        "kind",
        "parent_id",
        "depth",
        "division_code",
        "has_children",
    }
    assert {u["code"]: u["has_children"] for u in body} == {"t-liede": False, "t-shipai": True}


def test_org_units_unknown_parent_is_404(tree: Tree) -> None:
    _error(
        _client(UserFactory()).get(f"{API}/org-units", {"parent": 999_999}),
        404,
        "org_unit.not_found",
    )
    _error(
        _client(UserFactory()).get(f"{API}/org-units", {"parent": "x"}), 422, "validation_failed"
    )


def test_org_units_hide_inactive(tree: Tree) -> None:
    OrgUnitFactory(code="t-closed", parent=tree.tianhe, kind=UnitKind.STREET, is_active=False)
    body = _client(UserFactory()).get(f"{API}/org-units", {"parent": tree.tianhe.pk}).json()
    assert "t-closed" not in {u["code"] for u in body}


def test_person_detail_masked_for_a_lookup_role_and_audited() -> None:
    person = PersonFactory(mobile="13812345678")
    cdo = UserFactory(role=Role.CHIEF_DATA_OFFICER)
    response = _client(cdo).get(f"{API}/persons/{person.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == person.public_id
    assert body["mobile"] == "138****5678"
    assert body["resident_id"] != person.resident_id
    assert "*" in body["resident_id"]
    assert set(body["masked"]) == {"name", "resident_id", "mobile", "address"}
    event = AuditEvent.objects.get(action="person.read")
    assert event.via == "api"
    assert event.client_address == "127.0.0.1"


def test_person_detail_forbidden_looks_like_not_found() -> None:
    person = PersonFactory()
    handler = UserFactory(role=Role.DEPT_HANDLER)
    forbidden = _client(handler).get(f"{API}/persons/{person.public_id}")
    missing = _client(handler).get(f"{API}/persons/{'A' * 22}")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    _error(forbidden, 404, "person.not_found")


def test_person_reads_own_file() -> None:
    owner = UserFactory()
    person = PersonFactory(user=owner)
    body = _client(owner).get(f"{API}/persons/{person.public_id}").json()
    assert body["resident_id"] == person.resident_id
    assert body["masked"] == []


def test_create_person() -> None:
    hall = UserFactory(role=Role.HALL_STAFF)
    payload = {"name": "黄志明", "resident_id": RID, "mobile": "13900001111", "address": "广州市"}
    response = _client(hall).post(f"{API}/persons", payload, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    person = Person.objects.get(resident_id=RID)
    assert body["id"] == person.public_id
    assert body["resident_id"] == RID
    assert body["masked"] == ["address"]

    again = _client(hall).post(f"{API}/persons", payload, content_type="application/json")
    _error(again, 409, "person.duplicate")


@pytest.mark.parametrize(
    ("resident_id", "code"),
    [("440105198506010000", "resident_id.checksum"), ("abc", "resident_id.format")],
)
def test_create_person_bad_id_is_422_with_field(resident_id: str, code: str) -> None:
    hall = UserFactory(role=Role.HALL_STAFF)
    response = _client(hall).post(
        f"{API}/persons", {"name": "x", "resident_id": resident_id}, content_type="application/json"
    )
    body = _error(response, 422, code)
    assert body["fields"]["resident_id"]
    assert not Person.objects.exists()


def test_create_person_missing_field_is_422() -> None:
    response = _client(UserFactory(role=Role.HALL_STAFF)).post(
        f"{API}/persons", {"resident_id": RID}, content_type="application/json"
    )
    assert "name" in _error(response, 422, "validation_failed")["fields"]


def test_create_person_needs_the_right_role() -> None:
    response = _client(UserFactory(role=Role.DEPT_HANDLER)).post(
        f"{API}/persons", {"name": "x", "resident_id": RID}, content_type="application/json"
    )
    _error(response, 403, "person.forbidden")


def test_create_person_checks_csrf_for_sessions() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(role=Role.HALL_STAFF))
    response = client.post(
        f"{API}/persons", {"name": "x", "resident_id": RID}, content_type="application/json"
    )
    assert response.status_code == 403
    assert not Person.objects.exists()


def test_enterprise_detail() -> None:
    rep = UserFactory(role=Role.ENTERPRISE_REP)
    enterprise = EnterpriseFactory(representatives=[rep])
    body = _client(rep).get(f"{API}/enterprises/{enterprise.public_id}").json()
    assert body["credit_code"] == enterprise.credit_code
    assert body["masked"] == []
    other = _client(UserFactory(role=Role.ENTERPRISE_REP))
    forbidden = other.get(f"{API}/enterprises/{enterprise.public_id}")
    missing = other.get(f"{API}/enterprises/{'A' * 22}")
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
