"""The console helps without being asked, in real Chromium: as the agent types the request,
knowledge suggestions and duplicate candidates appear with no button pressed; 采用 puts a
leaf category into the picker and the catalogue's unit for it and the address into the
拟派承办单位 combobox; a unit is picked by typing in the combobox, and the dispatch page
preselects it after 受理."""

from __future__ import annotations

import re

import pytest

from hongmian.core.actors import Actor
from hongmian.hotline.models import Category, WorkOrder
from hongmian.hotline.services.intake import work_order_intake
from hongmian.hotline.services.intake_validation import IntakeRequest
from hongmian.hotline.services.taxonomy import taxonomy_load_defaults
from hongmian.hotline.tests.factories import DispatchRuleFactory, actor_of
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import Role, UnitKind
from hongmian.insights.classifier import registry
from hongmian.insights.classifier.text_classifier import TextClassifier
from hongmian.insights.services.classifier import classifier_register
from hongmian.insights.tests.test_classifier import synthetic_rows
from tests.browser.combobox import pick_unit
from tests.browser.test_shell import _screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "华师路1号工地夜间施工噪音扰民"
CONTENT = "华师路1号工地每晚十一点后仍在打桩施工，噪音很大，影响居民休息。"
ADDRESS = "天河区石牌街道华师路1号"


@pytest.fixture
def city(transactional_db, tmp_path, make_user):
    """The taxonomy, a level-1 classifier, the catalogue's rule for 建筑施工噪声 in 石牌, a
    knowledge article on night-time building work and an open order about the same site."""
    from hongmian.knowledge import services as knowledge
    from hongmian.knowledge.search import _backend

    system = Actor.system("browser-test")
    taxonomy_load_defaults(actor=system)
    TextClassifier().fit(synthetic_rows()).save(tmp_path / "l1.joblib")
    classifier_register(
        actor=system, target="category_l1", path=tmp_path / "l1.joblib", activate=True
    )
    registry.forget()
    agent = make_user(Role.HOTLINE_AGENT, username="agent")
    root = agent.org_unit.parent
    urban = OrgUnit.objects.create(
        code="GZ-TH-CG",
        name="天河区城市管理和综合执法局",
        kind=UnitKind.DISTRICT_DEPARTMENT,
        parent=root,
        path="/gz/thcg/",
        depth=1,
    )
    liede = OrgUnit.objects.create(
        code="GZ-TH-LD",
        name="猎德街道办事处",
        kind=UnitKind.STREET,
        parent=root,
        path="/gz/thld/",
        depth=1,
    )
    building = Category.objects.get(code="030101")
    DispatchRuleFactory(category=building, area_code="440106006", lead_unit=urban)
    water = OrgUnit.objects.create(
        code="GZ-ECO",
        name="广州市生态环境局",
        kind=UnitKind.CITY_DEPARTMENT,
        parent=root,
        path="/gz/eco/",
        depth=1,
    )
    author = User.objects.create_user(username="eco-a", role=Role.DEPT_HANDLER, org_unit=water)
    manager = User.objects.create_user(username="eco-m", role=Role.DEPT_MANAGER, org_unit=water)
    _backend.cache_clear()
    article = knowledge.article_create(
        actor=actor_of(author),
        owning_unit=water,
        title="晚上工地施工太吵可以投诉吗？",
        body="夜间（22时至次日6时）建筑施工须持夜间施工许可，无证夜间施工噪声扰民可向生态环境部门投诉。",
    )
    knowledge.article_submit(actor=actor_of(author), article=article)
    knowledge.article_approve(actor=actor_of(manager), article=article)
    earlier, _ = work_order_intake(
        actor=actor_of(agent),
        request=IntakeRequest(
            channel="phone",
            request_type="complaint",
            title="华师路1号工地半夜打桩",
            content="华师路1号工地每晚打桩施工到凌晨，噪音扰民，影响休息。",
            address=ADDRESS,
        ),
    )
    yield {"agent": agent, "urban": urban, "liede": liede, "building": building, "earlier": earlier}
    registry.forget()
    _backend.cache_clear()


def test_the_console_suggests_as_the_agent_types(page, log_in, city) -> None:
    log_in(city["agent"].username)
    page.goto("/hotline/console/")

    page.locator("#id_address").fill(ADDRESS)
    page.locator("#id_title").press_sequentially(TITLE, delay=10)
    page.locator("#id_content").press_sequentially(CONTENT, delay=5)

    # Nothing pressed: the knowledge slot and the duplicate slot fill themselves.
    page.wait_for_selector("#knowledge-results:has-text('晚上工地施工太吵可以投诉吗')")
    assert "根据诉求内容推荐" in page.locator("#knowledge-results").inner_text()
    earlier = city["earlier"]
    candidate = page.locator(f"#draft-duplicates [data-candidate='{earlier.number}']")
    candidate.wait_for()
    link = candidate.get_by_role("link", name=earlier.number)
    assert link.get_attribute("href") == f"/hotline/orders/{earlier.pk}/"
    assert candidate.get_by_role("button", name=re.compile("受理并并入此单")).count() == 1

    # 采用 生态环境: the leaf the text names (建筑施工噪声) is selected, and the catalogue's
    # unit for it in 石牌 fills the unit combobox.
    page.wait_for_selector("#ml-suggestions:has-text('智能分类建议')")
    page.wait_for_load_state("networkidle")
    first = page.locator("#ml-suggestions li").first
    assert first.locator(".results__title").inner_text() == "生态环境"
    first.get_by_role("button", name=re.compile("采用")).click()
    building, urban = city["building"], city["urban"]
    page.wait_for_function(
        f"() => document.querySelector('#id_category').value === '{building.pk}'", timeout=10_000
    )
    page.wait_for_selector("#suggestion:has-text('天河区城市管理和综合执法局')")
    page.wait_for_function(
        f"() => document.querySelector('#id_lead_unit').value === '{urban.pk}'", timeout=10_000
    )
    assert "天河区城市管理和综合执法局" in page.locator("#id_lead_unit + .ts-wrapper").inner_text()
    _screenshot(page, "hotline-console-assist.png")

    # The agent picks another unit by typing in the combobox, with the keyboard only.
    pick_unit(page, "拟派承办单位", "猎德", "猎德街道办事处")
    liede = city["liede"]
    page.wait_for_function(f"() => document.querySelector('#id_lead_unit').value === '{liede.pk}'")

    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="受理", exact=True).click()
    page.wait_for_url("**/dispatch?unit=*", timeout=20_000)
    order = WorkOrder.objects.exclude(pk=earlier.pk).get()
    assert order.category == building
    assert page.locator("#id_dispatch-lead_unit").input_value() == str(liede.pk)
