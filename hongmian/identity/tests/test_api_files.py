"""The file API's contract: a department's key pushes, owners read and consent, others 404."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.identity import selectors
from hongmian.identity.models import FileValue
from hongmian.identity.services.api_keys import api_key_create
from hongmian.identity.tests.files_fixtures import Depts, Owners

pytestmark = pytest.mark.django_db

API = "/api/identity"


def _key_client(user: Any) -> Client:
    _row, key = api_key_create(actor=Actor.cli(None), user=user, name="档案推送")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def _logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_department_pushes_with_its_key_and_a_bad_batch_names_its_records(
    depts: Depts, owners: Owners
) -> None:
    client = _key_client(depts.police_steward)
    rid = owners.person.resident_id
    batch = {
        "batch_id": "police-20261101",
        "records": [
            {
                "resident_id": rid,
                "field": "identity.gender",
                "value": "女",
                "as_of": "2026-11-01T09:00:00+08:00",
            },
            {
                "resident_id": rid,
                "field": "vehicles.list",
                "value": [{"plate": "粤A·D12345", "type": "小型新能源汽车"}],
                "as_of": "2026-11-01T09:00:00+08:00",
            },
        ],
    }
    response = _post(client, f"{API}/files/push", batch)
    assert response.status_code == 200, response.content
    assert response.json() == {
        "batch_id": "police-20261101",
        "records": 2,
        "created": 2,
        "updated": 0,
        "stale": 0,
        "replayed": False,
    }
    assert _post(client, f"{API}/files/push", batch).json()["replayed"] is True

    bad = {
        "batch_id": "police-bad",
        "records": [
            batch["records"][0],
            {
                "resident_id": rid,
                "field": "social_insurance.months",
                "value": 3,
                "as_of": "2026-11-01T09:00:00+08:00",
            },
            {
                "resident_id": rid,
                "field": "identity.shoe_size",
                "value": "42",
                "as_of": "2026-11-01T09:00:00+08:00",
            },
        ],
    }
    response = _post(client, f"{API}/files/push", bad)
    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "file.field_not_owned"
    assert set(body["fields"]) == {"records[1]", "records[2]"}
    assert body["fields"]["records[2]"][0].startswith("file.field_unknown")
    assert FileValue.objects.count() == 2

    # A citizen's session is no department.
    response = _post(_logged_in(owners.citizen), f"{API}/files/push", batch)
    assert response.status_code in (403,)


def test_the_owner_reads_the_file_grants_and_revokes_and_sees_the_uses(
    depts: Depts, owners: Owners
) -> None:
    _post(
        _key_client(depts.hrss_steward),
        f"{API}/files/push",
        {
            "batch_id": "h1",
            "records": [
                {
                    "resident_id": owners.person.resident_id,
                    "field": "social_insurance.months",
                    "value": 86,
                    "as_of": "2026-10-31T00:00:00+08:00",
                }
            ],
        },
    )
    me = Client()
    me.force_login(owners.citizen)
    body = me.get(f"{API}/me/file").json()
    assert body["assurance"]["level"] == 1
    assert [(f["key"], f["value"], f["source"]) for f in body["fields"]] == [
        ("social_insurance.months", "86 个月", "市人社局")
    ]

    response = _post(
        me,
        f"{API}/me/consents",
        {
            "purpose": "application.prefill",
            "requester": "灵活就业人员参保登记",
            "fields": ["social_insurance.months"],
        },
    )
    assert response.status_code == 201, response.content
    consent = response.json()
    assert consent["active"] is True

    selectors.person_file_read(
        actor=Actor.system("prefill"),
        person=owners.person,
        fields=["social_insurance.months"],
        purpose="application.prefill",
    )
    uses = me.get(f"{API}/me/file/uses").json()
    assert uses["count"] == 1
    assert uses["items"][0]["requester"] == "灵活就业人员参保登记"
    assert uses["items"][0]["fields"] == ["social_insurance.months"]

    revoked = _post(me, f"{API}/me/consents/{consent['id']}/revoke", {}).json()
    assert revoked["active"] is False
    assert revoked["revoked_at"] is not None

    # Someone else's consent is not found; an unknown field is a coded 422.
    other = _logged_in(owners.other_citizen)
    assert other.post(f"{API}/me/consents/{consent['id']}/revoke").status_code == 404
    response = _post(
        me,
        f"{API}/me/consents",
        {"purpose": "x", "requester": "y", "fields": ["identity.shoe_size"]},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "consent.field_unknown"


def test_the_l2_check_through_the_api(owners: Owners) -> None:
    me = _logged_in(owners.citizen)
    url = f"{API}/me/assurance/id-phone"
    body = {"resident_id": owners.person.resident_id, "mobile": "13800000000"}
    assert _post(me, url, body).json()["code"] == "assurance.check_failed"
    body["mobile"] = "13800138000"
    response = _post(me, url, body)
    assert response.status_code == 200, response.content
    assert response.json()["level"] == 2
    assert _post(me, url, body).status_code == 409


def test_an_enterprise_file_is_for_its_representatives(depts: Depts, owners: Owners) -> None:
    url = f"{API}/enterprises/{owners.enterprise.public_id}/file"
    response = _logged_in(owners.rep).get(url)
    assert response.status_code == 200
    assert response.json()["name"] == owners.enterprise.name
    for outsider in (owners.citizen, depts.market_steward):
        response = _logged_in(outsider).get(url)
        assert response.status_code == 404
        assert response.json()["code"] == "file.not_found"
    assert AuditEvent.objects.filter(action="enterprise_file.read").count() == 1


def test_no_person_no_file(db: None) -> None:
    from hongmian.identity.tests.factories import UserFactory

    response = _logged_in(UserFactory()).get(f"{API}/me/file")
    assert response.status_code == 404
    assert response.json()["code"] == "person.not_found"


def test_hall_staff_raise_at_the_window(owners: Owners) -> None:
    from hongmian.identity.states import Role
    from hongmian.identity.tests.factories import UserFactory

    url = f"{API}/persons/{owners.person.public_id}/assurance/in-person"
    hall = _logged_in(UserFactory(role=Role.HALL_STAFF))
    wrong = _post(hall, url, {"card_reading": "440101199001010000", "level": 3})
    assert wrong.json()["code"] == "assurance.check_failed"
    response = _post(hall, url, {"card_reading": owners.person.resident_id, "level": 3})
    assert response.status_code == 200, response.content
    assert response.json()["method"] == "in_person"
    assert response.json()["level"] == 3
    # The person themself may not: their own checks are the id-phone and face ones.
    mine = _post(_logged_in(owners.citizen), url, {"card_reading": "x", "level": 2})
    assert mine.status_code == 403
    assert (
        _post(_logged_in(owners.other_citizen), url, {"card_reading": "x", "level": 2}).status_code
        == 404
    )


def test_a_representative_consents_for_the_enterprise(depts: Depts, owners: Owners) -> None:
    url = f"{API}/enterprises/{owners.enterprise.public_id}/consents"
    body = {"purpose": "bid.check", "requester": "政府采购资格审查", "fields": ["tax.credit_grade"]}
    rep = _logged_in(owners.rep)
    response = _post(rep, url, body)
    assert response.status_code == 201, response.content
    assert [c["requester"] for c in rep.get(url).json()] == ["政府采购资格审查"]
    # A person's field is not the enterprise's to grant.
    wrong = _post(rep, url, {**body, "fields": ["social_insurance.months"]})
    assert wrong.json()["code"] == "consent.field_unknown"
    for outsider in (owners.citizen, depts.market_steward):
        assert _post(_logged_in(outsider), url, body).status_code == 404
    selectors.enterprise_file_read(
        actor=Actor.system("bid"),
        enterprise=owners.enterprise,
        fields=["tax.credit_grade"],
        purpose="bid.check",
    )
    consent_id = response.json()["id"]
    assert _post(rep, f"{API}/me/consents/{consent_id}/revoke", {}).json()["active"] is False


def test_a_consent_end_without_a_time_zone_is_a_coded_error(owners: Owners) -> None:
    body = {
        "purpose": "p",
        "requester": "r",
        "fields": ["identity.gender"],
        "valid_until": "2030-01-01T00:00:00",
    }
    response = _post(_logged_in(owners.citizen), f"{API}/me/consents", body)
    assert response.status_code == 422
    assert response.json()["code"] == "consent.validity"
