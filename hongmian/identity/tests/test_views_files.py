"""The owner's pages: 我的档案 shows each field's source and date and the use log; 我的授权
grants and revokes; an enterprise's file opens for its representatives only."""

from __future__ import annotations

import pytest
from django.test import Client

from hongmian.core.actors import Actor
from hongmian.identity import selectors
from hongmian.identity.models import Consent, Person
from hongmian.identity.services.files import consent_grant, file_push
from hongmian.identity.tests.conftest import actor_of
from hongmian.identity.tests.files_fixtures import Depts, Owners, enterprise_record
from hongmian.identity.tests.files_fixtures import person_record as rec

pytestmark = pytest.mark.django_db


def _as(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_my_file_shows_sources_dates_and_uses(depts: Depts, owners: Owners) -> None:
    file_push(
        actor=actor_of(depts.hrss_steward),
        batch_id="h",
        records=[rec(owners.person, "social_insurance.status", "正常参保")],
    )
    consent_grant(
        actor=actor_of(owners.citizen),
        subject=owners.person,
        purpose="application.prefill",
        requester="城乡居民养老保险参保登记",
        fields=["social_insurance.status"],
    )
    selectors.person_file_read(
        actor=Actor.system("prefill"),
        person=owners.person,
        fields=["social_insurance.status"],
        purpose="application.prefill",
    )
    html = _as(owners.citizen).get("/me/file/").content.decode()
    assert "正常参保" in html
    assert "市人社局" in html
    assert "2026-11-01" in html
    assert "城乡居民养老保险参保登记" in html
    assert "共 1 条" in html
    assert "L1 自助注册" in html
    # Another citizen's page shows their own (empty) file, nothing of this one.
    other = _as(owners.other_citizen).get("/me/file/").content.decode()
    assert "正常参保" not in other
    assert "城乡居民养老保险参保登记" not in other


def test_the_l2_check_on_the_page(owners: Owners) -> None:
    client = _as(owners.citizen)
    bad = client.post(
        "/me/file/verify", {"resident_id": owners.person.resident_id, "mobile": "13800000000"}
    )
    assert bad.status_code == 422
    assert "手机号码不是登记在该身份证名下" in bad.content.decode()
    ok = client.post(
        "/me/file/verify", {"resident_id": owners.person.resident_id, "mobile": "13800138000"}
    )
    assert ok.status_code == 302
    assert Person.objects.get(pk=owners.person.pk).assurance_level == 2
    assert "L2 身份证号+手机核验" in client.get("/").content.decode()


def test_grant_and_revoke_on_the_page(owners: Owners) -> None:
    client = _as(owners.citizen)
    response = client.post(
        "/me/consents/",
        {
            "requester": "新生儿入户（市公安局）",
            "purpose": "application.prefill",
            "items": ["household.registered_address", "household.head"],
            "days": "7",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    consent = Consent.objects.get()
    assert consent.fields == ["household.head", "household.registered_address"]

    assert _as(owners.other_citizen).post(f"/me/consents/{consent.pk}/revoke").status_code == 404
    assert client.post(f"/me/consents/{consent.pk}/revoke").status_code == 302
    consent.refresh_from_db()
    assert consent.revoked_at is not None
    assert "已撤回" in client.get("/me/consents/").content.decode()

    empty = client.post("/me/consents/", {"requester": "x", "purpose": "y", "days": "7"})
    assert empty.status_code == 422


def test_enterprise_file_page_for_representatives_only(depts: Depts, owners: Owners) -> None:
    file_push(
        actor=actor_of(depts.market_steward),
        batch_id="m",
        records=[enterprise_record(owners.enterprise, "licence.status", "存续")],
    )
    url = f"/me/enterprises/{owners.enterprise.public_id}/file/"
    html = _as(owners.rep).get(url).content.decode()
    assert "存续" in html
    assert "市市场监管局" in html
    assert _as(owners.citizen).get(url).status_code == 404
    assert _as(depts.market_steward).get(url).status_code == 404
    assert f'href="{url}"' in _as(owners.rep).get("/").content.decode()


def test_an_account_without_a_person(db: None) -> None:
    from hongmian.identity.tests.factories import UserFactory

    client = _as(UserFactory())
    assert "尚未关联实名信息" in client.get("/me/file/").content.decode()
    assert client.get("/me/consents/").status_code == 404
    assert Client().get("/me/file/").status_code == 302
