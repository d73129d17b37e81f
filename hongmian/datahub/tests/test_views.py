"""The catalogue's pages: staff only, true count and pages, filters and search; a dataset's
page with its fields and grades, and a 不予共享 dataset's fields withheld from other units."""

from __future__ import annotations

import pytest
from django.test import Client

from hongmian.datahub import views
from hongmian.datahub.states import SharingType
from hongmian.datahub.tests.conftest import Org, make_dataset
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def catalogue(org: Org) -> None:
    make_dataset(org, themes=["城市建设"], keywords=["楼栋"], summary="全市房屋建筑的基础信息")
    make_dataset(
        org,
        code="GA-HOUSEHOLD",
        name="户籍人口",
        unit=org.police,
        sharing=SharingType.NOT_SHARED,
        themes=["人口"],
    )


def test_the_list_counts_filters_and_searches(org: Org, catalogue: None, monkeypatch) -> None:
    client = client_for(org.handler)
    page = client.get("/datahub/").content.decode()
    assert "共 2 个数据资源" in page
    assert "HZ-BUILDINGS" in page
    assert "GA-HOUSEHOLD" in page
    page = client.get("/datahub/", {"sharing_type": "not_shared"}).content.decode()
    assert "共 1 个数据资源" in page
    assert "HZ-BUILDINGS" not in page
    page = client.get("/datahub/", {"theme": "城市建设"}).content.decode()
    assert "共 1 个数据资源" in page
    assert "GA-HOUSEHOLD" not in page
    page = client.get("/datahub/", {"q": "房屋建筑"}).content.decode()
    assert "共 1 个数据资源" in page
    assert "HZ-BUILDINGS" in page
    page = client.get("/datahub/", {"provider": "d-police"}).content.decode()
    assert "共 1 个数据资源" in page
    assert "GA-HOUSEHOLD" in page
    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    page = client.get("/datahub/", {"page": 2}).content.decode()
    assert "共 2 个数据资源" in page
    assert "第 2 / 2 页" in page


def test_citizens_do_not_reach_the_catalogue(org: Org, catalogue: None) -> None:
    citizen = client_for(UserFactory(role=Role.CITIZEN))
    assert citizen.get("/datahub/").status_code == 403
    assert citizen.get("/datahub/datasets/HZ-BUILDINGS/").status_code == 404


def test_a_dataset_page_shows_fields_with_grades(org: Org, catalogue: None) -> None:
    page = client_for(org.police_steward).get("/datahub/datasets/HZ-BUILDINGS/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "owner_phone" in text
    assert "重要数据" in text
    assert "无条件共享" in text


def test_a_not_shared_datasets_fields_stay_with_its_provider(org: Org, catalogue: None) -> None:
    other = client_for(org.steward).get("/datahub/datasets/GA-HOUSEHOLD/").content.decode()
    assert 'id="fields-withheld"' in other
    assert "owner_phone" not in other
    own = client_for(org.police_steward).get("/datahub/datasets/GA-HOUSEHOLD/").content.decode()
    assert "owner_phone" in own
    cdo = client_for(org.cdo).get("/datahub/datasets/GA-HOUSEHOLD/").content.decode()
    assert "owner_phone" in cdo


def test_a_steward_edits_the_metadata_and_others_may_not(org: Org, catalogue: None) -> None:
    from hongmian.core.models import AuditEvent
    from hongmian.datahub.models import Dataset

    url = "/datahub/datasets/HZ-BUILDINGS/edit"
    assert client_for(org.police_steward).get(url).status_code == 403
    assert client_for(org.handler).get(url).status_code == 403
    steward = client_for(org.steward)
    form = {
        "name": "房屋建筑信息",
        "summary": "",
        "update_frequency": "weekly",
        "sharing_type": "conditional",
        "sharing_conditions": "",
        "legal_basis": "",
        "open_type": "not_open",
        "themes": "城市建设，住房",
        "keywords": "",
        "pipeline": "",
    }
    page = steward.post(url, form)
    assert page.status_code == 200
    assert "须写明依据" in page.content.decode()  # 有条件共享 without its basis
    assert Dataset.objects.get(code="HZ-BUILDINGS").name == "房屋建筑基础信息"
    response = steward.post(url, form | {"legal_basis": "《广州市政务数据管理办法》"})
    assert response.status_code == 302
    saved = Dataset.objects.get(code="HZ-BUILDINGS")
    assert (saved.name, saved.sharing_type, saved.themes) == (
        "房屋建筑信息",
        "conditional",
        ["城市建设", "住房"],
    )
    assert AuditEvent.objects.filter(action="datahub.dataset_update").count() == 1
