"""Sharing between departments (issue 15 item 3): the request round trip as audited
transitions, a 不予共享 request refused with its code, the rows API with the grant's fields
and row filter, masking by grade (each technique), per-consumer pseudonyms, the daily quota,
expiry, an audit row per call, and forbidden that looks like not found."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.errors import IllegalTransition, PermissionDenied, ValidationFailed
from hongmian.core.masking import generalise_date, generalise_number, pseudonym
from hongmian.core.models import AuditEvent
from hongmian.datahub.ingest import Extract
from hongmian.datahub.models import Dataset, SharingCall, SharingRequest
from hongmian.datahub.services.ingestion import dataset_ingest
from hongmian.datahub.services.sharing import (
    sharing_request_approve,
    sharing_request_create,
    sharing_request_refuse,
    sharing_request_revoke,
    sharing_requests_expire,
)
from hongmian.datahub.states import CallOutcome, RequestStatus, SharingType
from hongmian.datahub.tests.conftest import Org, actor_of, make_dataset
from hongmian.identity.models import User
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory

RESIDENTS = {
    "primaryKey": "rid",
    "fields": [
        {"name": "rid", "type": "string", "constraints": {"required": True}},
        {"name": "id_no", "type": "string", "title": "身份证号", "personal": True},
        {"name": "address", "type": "string", "title": "住址", "personal": True},
        {"name": "birth", "type": "date", "title": "出生日期", "personal": True},
        {"name": "income", "type": "integer", "title": "月收入", "grade": "important"},
        {"name": "case_note", "type": "string", "title": "案件记录", "grade": "core"},
        {"name": "district", "type": "string", "title": "所属区"},
    ],
}
ROWS = [
    (
        "R1",
        "440106199005011234",
        "广州市天河区石牌街道华师路1号",
        "1990-05-01",
        "5600",
        "甲",
        "天河区",
    ),
    (
        "R2",
        "440104198001012345",
        "广州市越秀区北京街道北京路10号",
        "1980-01-01",
        "12000",
        "乙",
        "越秀区",
    ),
    (
        "R3",
        "440106200012316789",
        "广州市天河区林和街道天河北路2号",
        "2000-12-31",
        "7",
        "丙",
        "天河区",
    ),
]
ALL = [f["name"] for f in RESIDENTS["fields"]]


def _load(dataset: Dataset) -> None:
    names = tuple(ALL)
    rows = [(i + 2, dict(zip(names, r, strict=True))) for i, r in enumerate(ROWS)]
    result = dataset_ingest(
        actor=Actor.system("test"),
        dataset=dataset,
        commit=True,
        extract=Extract("residents.csv", names, iter(rows)),
    )
    assert result.run.rows_loaded == 3


@pytest.fixture
def residents(org: Org) -> Dataset:
    dataset = make_dataset(
        org, code="HZ-RESIDENTS", schema=RESIDENTS, sharing=SharingType.CONDITIONAL
    )
    _load(dataset)
    return dataset


def _request(org: Org, dataset: Dataset, **kw: Any) -> SharingRequest:
    today = timezone.localdate()
    args: dict[str, Any] = {
        "purpose": "核查低保申请人住房情况",
        "fields": ALL,
        "row_filter": {"district": "天河区"},
        "valid_from": today,
        "valid_to": today + dt.timedelta(days=30),
    }
    args.update(kw)
    return sharing_request_create(actor=actor_of(org.police_steward), dataset=dataset, **args)


def _approve(org: Org, request: SharingRequest, **kw: Any) -> SharingRequest:
    args: dict[str, Any] = {"fields": ALL, "quota_rows_per_day": 1000}
    args.update(kw)
    return sharing_request_approve(actor=actor_of(org.steward), request=request, **args)


def _rows(user: User, code: str = "HZ-RESIDENTS", **query: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(f"/api/datahub/datasets/{code}/rows", query)


@pytest.fixture
def police_handler(org: Org) -> User:
    return UserFactory(role=Role.DEPT_HANDLER, org_unit=org.police, username="d-police-h")


def test_the_round_trip_request_approve_read(
    org: Org, residents: Dataset, police_handler: User
) -> None:
    request = _request(org, residents)
    assert request.status == RequestStatus.REQUESTED
    assert _rows(police_handler).status_code == 404  # not answered yet: no grant
    granted = _approve(org, request, fields=[n for n in ALL if n != "district"])
    assert granted.status == RequestStatus.APPROVED
    assert granted.decided_by == org.steward
    actions = list(
        AuditEvent.objects.filter(target_id=str(request.pk), target_type="datahub.sharingrequest")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["datahub.sharing_request_create", "datahub.sharing_request_approve"]

    answer = _rows(police_handler)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["count"] == 2  # the row filter: 天河区 only
    techniques = {f["name"]: f["technique"] for f in body["fields"]}
    assert techniques == {
        "rid": "keep",
        "id_no": "pseudonym",
        "address": "district",
        "birth": "month",
        "income": "range",
        "case_note": "suppress",
    }
    first, second = body["rows"]
    assert set(first) == {"rid", "id_no", "address", "birth", "income"}  # no core, no district
    assert first["rid"] == "R1"
    assert first["address"] == "天河区"
    assert first["birth"] == "1990-05"
    assert first["income"] == "5000–5999"
    assert second["income"] == "0–9"
    assert first["id_no"] != "440106199005011234"
    assert len(first["id_no"]) == 24

    call = SharingCall.objects.get()
    assert (call.user, call.consumer, call.request, call.rows) == (
        police_handler,
        org.police,
        granted,
        2,
    )
    assert call.purpose == "核查低保申请人住房情况"
    assert call.returned_fields == ["rid", "id_no", "address", "birth", "income"]
    assert call.outcome == CallOutcome.SERVED


def test_a_not_shared_dataset_is_refused_at_once_with_its_code(org: Org) -> None:
    closed = make_dataset(org, code="HZ-CLOSED", schema=RESIDENTS, sharing=SharingType.NOT_SHARED)
    with pytest.raises(ValidationFailed) as caught:
        _request(org, closed)
    assert caught.value.code == "datahub.not_shared"
    assert "广州市政务数据管理办法" in caught.value.message  # the legal basis is given
    assert not SharingRequest.objects.exists()
    assert _rows(org.police_steward, "HZ-CLOSED").status_code == 404


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"fields": ["nope"]}, "datahub.unknown_field"),
        ({"fields": []}, "datahub.no_fields"),
        ({"purpose": " "}, "datahub.bad_purpose"),
        ({"row_filter": {"income": "many"}}, "datahub.bad_filter"),
        ({"row_filter": {"nope": "x"}}, "datahub.unknown_field"),
        ({"valid_to": dt.date(2000, 1, 1)}, "datahub.bad_period"),
    ],
)
def test_bad_requests_are_coded(org: Org, residents: Dataset, change: Any, code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _request(org, residents, **change)
    assert caught.value.code == code
    assert not SharingRequest.objects.exists()


def test_refusal_needs_a_reason_and_leaves_no_access(org: Org, residents: Dataset) -> None:
    request = _request(org, residents)
    with pytest.raises(ValidationFailed) as caught:
        sharing_request_refuse(actor=actor_of(org.steward), request=request, reason=" ")
    assert caught.value.code == "datahub.reason_required"
    refused = sharing_request_refuse(
        actor=actor_of(org.steward), request=request, reason="用途不明"
    )
    assert (refused.status, refused.reason) == (RequestStatus.REFUSED, "用途不明")
    with pytest.raises(IllegalTransition):
        _approve(org, refused)
    assert _rows(org.police_steward).status_code == 404


def test_no_grant_looks_like_not_found(org: Org, residents: Dataset) -> None:
    other = UserFactory(role=Role.DATA_STEWARD, org_unit=OrgUnitFactory(code="d-x"))
    missing = _rows(other, "NO-SUCH-CODE")
    hidden = _rows(other)
    assert missing.status_code == hidden.status_code == 404
    assert missing.json() == hidden.json()
    revoked = _approve(org, _request(org, residents))
    sharing_request_revoke(actor=actor_of(org.steward), request=revoked, reason="项目结束")
    assert _rows(org.police_steward).status_code == 404


def test_core_fields_only_when_explicitly_granted(org: Org, residents: Dataset) -> None:
    with pytest.raises(ValidationFailed) as caught:
        _approve(org, _request(org, residents), core_granted=["income"])  # not a core field
    assert caught.value.code == "datahub.bad_core_grant"
    _approve(org, SharingRequest.objects.get(), core_granted=["case_note"])
    body = _rows(org.police_steward).json()
    assert [r["case_note"] for r in body["rows"]] == ["甲", "丙"]


def test_pseudonyms_differ_between_consumers_and_stay_stable(org: Org) -> None:
    open_data = make_dataset(
        org, code="HZ-OPEN", schema=RESIDENTS, sharing=SharingType.UNCONDITIONAL
    )
    _load(open_data)
    civil = UserFactory(role=Role.DEPT_HANDLER, org_unit=OrgUnitFactory(code="d-civil"))
    police_1 = _rows(org.police_steward, "HZ-OPEN").json()
    police_2 = _rows(org.police_steward, "HZ-OPEN").json()
    civil_1 = _rows(civil, "HZ-OPEN").json()
    ids = [r["id_no"] for r in police_1["rows"]]
    assert ids == [r["id_no"] for r in police_2["rows"]]
    assert not set(ids) & {r["id_no"] for r in civil_1["rows"]}
    assert len(set(ids)) == 3
    # No grant for an open dataset: every field but the core one, no quota, still recorded.
    assert "case_note" not in police_1["rows"][0]
    assert police_1["quota_left"] is None
    assert SharingCall.objects.filter(dataset=open_data).count() == 3
    # The provider reads its own rows as stored.
    own = _rows(org.handler, "HZ-OPEN").json()["rows"][0]
    assert own["id_no"] == "440106199005011234"
    assert own["case_note"] == "甲"


def test_the_daily_quota_cuts_then_refuses(org: Org, residents: Dataset) -> None:
    _approve(org, _request(org, residents, row_filter={}), quota_rows_per_day=3)
    first = _rows(org.police_steward, size=2).json()
    assert (len(first["rows"]), first["count"], first["quota_left"]) == (2, 3, 1)
    second = _rows(org.police_steward, page=2, size=2).json()
    assert (len(second["rows"]), second["quota_left"]) == (1, 0)
    third = _rows(org.police_steward, size=2)
    assert third.status_code == 429
    assert third.json()["code"] == "datahub.quota_exceeded"
    outcomes = list(SharingCall.objects.order_by("id").values_list("outcome", "rows"))
    assert outcomes == [("served", 2), ("served", 1), ("quota", 0)]


def test_an_expired_grant_is_refused_with_its_code(org: Org, residents: Dataset) -> None:
    grant = _approve(org, _request(org, residents))
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    SharingRequest.objects.filter(pk=grant.pk).update(
        valid_from=yesterday - dt.timedelta(days=10), valid_to=yesterday
    )
    answer = _rows(org.police_steward)
    assert answer.status_code == 403
    assert answer.json()["code"] == "datahub.grant_expired"
    assert sharing_requests_expire(actor=Actor.system("test")) == 1
    grant.refresh_from_db()
    assert grant.status == RequestStatus.EXPIRED
    assert _rows(org.police_steward).json()["code"] == "datahub.grant_expired"
    assert list(SharingCall.objects.values_list("outcome", flat=True)) == ["expired", "expired"]


def test_only_the_provider_answers(org: Org, residents: Dataset) -> None:
    request = _request(org, residents)
    with pytest.raises(PermissionDenied) as caught:
        sharing_request_approve(
            actor=actor_of(org.police_steward), request=request, fields=ALL, quota_rows_per_day=1
        )
    assert caught.value.code == "datahub.cannot_answer"
    sharing_request_approve(
        actor=actor_of(org.cdo), request=request, fields=ALL, quota_rows_per_day=1
    )


def test_the_generalisations() -> None:
    assert generalise_date(dt.datetime(2024, 3, 17, 9, 30)) == "2024-03"
    assert generalise_number(0) == "0–9"
    assert generalise_number(999) == "900–999"
    assert generalise_number(-35) == "-39–-30"
    assert generalise_number("n/a") is None
    assert pseudonym("x", b"a") != pseudonym("x", b"b")
    assert pseudonym("", b"a") is None


def test_the_consumer_units_api_key_is_the_credential(org: Org, residents: Dataset) -> None:
    from hongmian.identity.api_key_cache import api_key_cache_forget
    from hongmian.identity.services.api_keys import api_key_create, api_key_revoke

    system = UserFactory(role=Role.DEPT_HANDLER, org_unit=org.police, username="d-police-sys")
    api_key, key = api_key_create(actor=Actor.system("test"), user=system, name="低保核查系统")
    _approve(org, _request(org, residents))
    url = "/api/datahub/datasets/HZ-RESIDENTS/rows"
    answer = Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}")
    assert answer.status_code == 200
    assert answer.json()["count"] == 2
    call = SharingCall.objects.get()
    assert (call.user, call.via) == (system, "api")
    api_key_revoke(actor=Actor.system("test"), api_key=api_key)
    api_key_cache_forget()
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 401
