"""Sharing's pages: the request form on a dataset, "my requests", the provider's inbox and a
request's page (approve with fewer fields, refuse with a reason), "who uses my data" with
true counts, and a request that is neither side's a 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from hongmian.datahub import views_sharing
from hongmian.datahub.models import Dataset, SharingRequest
from hongmian.datahub.states import RequestStatus, SharingType
from hongmian.datahub.tests.conftest import Org, make_dataset
from hongmian.datahub.tests.test_sharing import RESIDENTS, _load
from hongmian.identity.models import User
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def residents(org: Org) -> Dataset:
    dataset = make_dataset(
        org, code="HZ-RESIDENTS", schema=RESIDENTS, sharing=SharingType.CONDITIONAL
    )
    _load(dataset)
    return dataset


def _ask(org: Org, **extra: str) -> SharingRequest:
    today = timezone.localdate()
    body = {
        "purpose": "核查低保申请人住房情况",
        "fields_wanted": ["rid", "id_no", "case_note"],
        "row_filter": "district=天河区,越秀区",
        "valid_from": today.isoformat(),
        "valid_to": (today + dt.timedelta(days=30)).isoformat(),
        **extra,
    }
    answer = client_for(org.police_steward).post("/datahub/datasets/HZ-RESIDENTS/request", body)
    assert answer.status_code == 302, answer.content.decode()
    return SharingRequest.objects.get()


def test_the_request_form_and_my_requests(org: Org, residents: Dataset) -> None:
    page = client_for(org.police_steward).get("/datahub/datasets/HZ-RESIDENTS/").content.decode()
    assert "/datahub/datasets/HZ-RESIDENTS/request" in page
    # The provider's own steward is not offered the form.
    own = client_for(org.steward).get("/datahub/datasets/HZ-RESIDENTS/").content.decode()
    assert "/datahub/datasets/HZ-RESIDENTS/request" not in own
    assert client_for(org.steward).get("/datahub/datasets/HZ-RESIDENTS/request").status_code == 403
    request = _ask(org)
    assert request.row_filter == {"district": ["天河区", "越秀区"]}
    assert request.requested_fields == ["rid", "id_no", "case_note"]
    mine = client_for(org.police_steward).get("/datahub/sharing/mine/").content.decode()
    assert "共 1 条申请" in mine
    assert "待审核" in mine
    # A second request while one waits: the form says why.
    again = client_for(org.police_steward).post(
        "/datahub/datasets/HZ-RESIDENTS/request",
        {
            "purpose": "x",
            "fields_wanted": ["rid"],
            "valid_from": timezone.localdate().isoformat(),
            "valid_to": timezone.localdate().isoformat(),
        },
    )
    assert again.status_code == 200
    assert "已有待审核的申请" in again.content.decode()


def test_a_bad_filter_is_shown_on_the_form(org: Org, residents: Dataset) -> None:
    answer = client_for(org.police_steward).post(
        "/datahub/datasets/HZ-RESIDENTS/request",
        {
            "purpose": "x",
            "fields_wanted": ["rid"],
            "row_filter": "income=many",
            "valid_from": timezone.localdate().isoformat(),
            "valid_to": timezone.localdate().isoformat(),
        },
    )
    assert answer.status_code == 200
    assert "与类型 integer 不符" in answer.content.decode()
    assert not SharingRequest.objects.exists()


def test_the_inbox_approves_with_fewer_fields(org: Org, residents: Dataset) -> None:
    request = _ask(org)
    inbox = client_for(org.steward).get("/datahub/sharing/inbox/").content.decode()
    assert "共 1 条申请" in inbox
    page = client_for(org.steward).get(f"/datahub/sharing/requests/{request.pk}/").content.decode()
    assert "approve-form" in page
    assert "明确授权的核心数据字段" in page
    answer = client_for(org.steward).post(
        f"/datahub/sharing/requests/{request.pk}/approve",
        {"fields_granted": ["rid", "id_no"], "quota_rows_per_day": "500"},
    )
    assert answer.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.APPROVED
    assert (request.granted_fields, request.quota_rows_per_day) == (["rid", "id_no"], 500)
    # The consumer may look but not answer.
    seen = client_for(org.police_steward).get(f"/datahub/sharing/requests/{request.pk}/")
    assert "how-to-call" in seen.content.decode()
    assert "revoke-form" not in seen.content.decode()
    refused = client_for(org.police_steward).post(
        f"/datahub/sharing/requests/{request.pk}/revoke", {"reason": "x"}
    )
    assert refused.status_code == 403


def test_refusal_needs_a_reason_on_the_page(org: Org, residents: Dataset) -> None:
    request = _ask(org)
    url = f"/datahub/sharing/requests/{request.pk}/refuse"
    assert client_for(org.steward).post(url, {"reason": ""}).status_code == 200
    assert client_for(org.steward).post(url, {"reason": "超出职责范围"}).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.reason) == (RequestStatus.REFUSED, "超出职责范围")


def test_a_request_of_neither_side_is_not_found(org: Org, residents: Dataset) -> None:
    request = _ask(org)
    stranger = UserFactory(role=Role.DATA_STEWARD, org_unit=OrgUnitFactory(code="d-y"))
    assert client_for(stranger).get(f"/datahub/sharing/requests/{request.pk}/").status_code == 404
    url = f"/datahub/sharing/requests/{request.pk}/approve"
    body = {"fields_granted": ["rid"], "quota_rows_per_day": "1"}
    assert client_for(stranger).post(url, body).status_code == 404
    assert client_for(org.steward).get("/datahub/sharing/requests/99999999/").status_code == 404


def test_who_uses_my_data_counts_every_call(org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    open_data = make_dataset(org, code="HZ-OPEN", schema=RESIDENTS)
    _load(open_data)
    civil = UserFactory(
        role=Role.DEPT_HANDLER, org_unit=OrgUnitFactory(code="d-civil", name="民政局")
    )
    for user, times in ((org.police_steward, 2), (civil, 1)):
        for _ in range(times):
            assert client_for(user).get("/api/datahub/datasets/HZ-OPEN/rows").status_code == 200
    page = client_for(org.steward).get("/datahub/sharing/usage/").content.decode()
    assert "2 个单位调用 3 次，返回 9 行" in page
    assert "共 2 条按日统计" in page
    monkeypatch.setattr(views_sharing, "PAGE_SIZE", 1)
    second = client_for(org.steward).get("/datahub/sharing/usage/", {"page": 2}).content.decode()
    assert "第 2 / 2 页" in second
    # Another unit's steward sees none of it.
    other = client_for(org.police_steward).get("/datahub/sharing/usage/").content.decode()
    assert "0 个单位调用 0 次" in other


def test_the_dataset_page_says_how_each_sharing_type_is_reached(org: Org) -> None:
    make_dataset(org, code="HZ-OPEN", schema=RESIDENTS)
    make_dataset(org, code="HZ-CLOSED", schema=RESIDENTS, sharing=SharingType.NOT_SHARED)
    client = client_for(org.police_steward)
    page = client.get("/datahub/datasets/HZ-OPEN/").content.decode()
    assert "GET /api/datahub/datasets/HZ-OPEN/rows" in page
    assert "/datahub/datasets/HZ-OPEN/request" not in page
    page = client.get("/datahub/datasets/HZ-CLOSED/").content.decode()
    assert "不予共享。" in page
    assert "/datahub/datasets/HZ-CLOSED/request" not in page
