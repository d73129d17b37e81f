"""办事服务 in real Chromium (issue 12, item 3): an elder-mode citizen goes from the home
tile to the finder, asks in everyday words, opens the item it finds and reads its facts in
large type, and "ask 12345" arrives with the item named; the English pages show no Chinese
outside data; no serious axe-core violation on any of them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from hongmian.catalog.models import CertificateType, LifeEvent, Material, ServiceItem
from hongmian.catalog.services.content import MaterialSpec
from hongmian.catalog.services.life_events import life_event_save
from hongmian.catalog.states import Channel, ItemType, OnlineDepth
from hongmian.catalog.tests.conftest import Org, actor_of, make_item
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import Role, UnitKind
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa"]}}
HAN = re.compile(r"[\u4e00-\u9fff]+")
_TEXTS = """() => {
  const out = [document.body.innerText, document.title];
  for (const el of document.body.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      const value = el.getAttribute(name);
      if (value) out.push(value);
    }
  }
  return out.join('\\n');
}"""


def _serious_violations(page: Any) -> list[str]:
    page.add_script_tag(url="/static/vendor/axe.min.js")
    result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
    assert result["passes"], "axe ran no checks"
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def _catalogue() -> ServiceItem:
    """A market regulator with the restaurant licence (L2 needed) and a life event."""
    city = OrgUnitFactory(code="c-city", name="广州市人民政府", kind=UnitKind.CITY_GOVERNMENT)
    market = OrgUnitFactory(
        code="c-market", name="广州市市场监督管理局", short_name="市市场监管局", parent=city
    )
    police = OrgUnitFactory(code="c-police", name="广州市公安局", parent=city)
    org = Org(
        city=city,
        market=market,
        market_office=market,
        police=police,
        author=UserFactory(role=Role.DEPT_HANDLER, org_unit=market, username="c-author"),
        manager=UserFactory(role=Role.DEPT_MANAGER, org_unit=market, username="c-manager"),
        police_author=UserFactory(role=Role.DEPT_HANDLER, org_unit=police, username="c-pa"),
        police_manager=UserFactory(role=Role.DEPT_MANAGER, org_unit=police, username="c-pm"),
        cdo=UserFactory(role=Role.CHIEF_DATA_OFFICER, username="c-cdo"),
        citizen=UserFactory(role=Role.CITIZEN, username="c-citizen"),
    )
    CertificateType.objects.create(code="biz-licence", name="营业执照", issuer="市场监管局")
    item = make_item(
        org,
        code="C-FOOD",
        name="食品经营许可核发",
        item_type=ItemType.LICENCE,
        summary="从事食品销售和餐饮服务，应当依法取得食品经营许可。",
        conditions="有与经营的食品品种、数量相适应的经营场所",
        legal_limit_days=20,
        promised_limit_days=10,
        online_depth=OnlineDepth.FULL,
        channels=(Channel.ONLINE, Channel.HALL),
        required_level=2,
        materials=(
            MaterialSpec(name="营业执照", copies=1, certificate_codes=("biz-licence",)),
            MaterialSpec(name="经营场所平面图", copies=2),
        ),
    )
    other = make_item(org, code="C-PASS", name="出入境通行证签发", unit=police)
    life_event_save(
        actor=actor_of(org.cdo), slug="open-restaurant", name="开餐馆", items=[item, other]
    )
    return item


def _data() -> list[str]:
    """Every string on these pages that is data (names, conditions, materials), longest
    first so that a longer name goes before a part of it."""
    strings: set[str] = {"简体中文"}
    strings.update(OrgUnit.objects.values_list("name", flat=True))
    strings.update(OrgUnit.objects.values_list("short_name", flat=True))
    for fields in ServiceItem.objects.values_list("name", "summary", "conditions"):
        strings.update(fields)
    strings.update(Material.objects.values_list("name", flat=True))
    strings.update(CertificateType.objects.values_list("name", flat=True))
    strings.update(LifeEvent.objects.values_list("name", flat=True))
    strings.update(User.objects.values_list("display_name", flat=True))
    strings.update(User.objects.values_list("username", flat=True))
    return sorted((s for s in strings if s), key=len, reverse=True)


def _chinese_left(page: Any) -> list[str]:
    page.wait_for_load_state("networkidle")
    text = page.evaluate(_TEXTS)
    for value in _data():
        text = text.replace(value, " ")
    return sorted({line.strip() for line in text.splitlines() if HAN.search(line)})


def test_elder_citizen_finds_an_item_in_everyday_words_and_reads_it(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    _catalogue()
    citizen = make_user(Role.CITIZEN, elder_mode=True)
    log_in(citizen.username)
    page.wait_for_selector("#page.page--elder")

    page.get_by_role("link", name=re.compile("^办事服务")).last.click()
    page.wait_for_url("**/services/")
    assert page.get_by_role("link", name=re.compile("开餐馆")).is_visible()
    page.get_by_label("您要办什么事？").fill("开饭店要办啥证")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/services/?q=*")
    results = page.locator("#results")
    assert re.match(r"共 \d+ 个事项 · 第 1–\d+ 个", results.locator("#results-count").inner_text())
    assert results.locator(".result__name").first.inner_text() == "食品经营许可核发"
    assert results.locator("#answer").inner_text() == "最可能是：食品经营许可核发"
    assert not _serious_violations(page)

    results.get_by_role("link", name="食品经营许可核发").first.click()
    page.wait_for_url("**/services/items/C-FOOD/")
    assert page.locator("#item-name").inner_text() == "食品经营许可核发"
    assert page.locator("#legal-limit").inner_text() == "20 个工作日"
    assert page.locator("#promised-limit").inner_text() == "10 个工作日"
    assert page.locator("#fee").inner_text() == "不收费"
    assert page.locator("#online-depth").inner_text() == "四级：全程网办"
    assert "可用电子证照：营业执照" in page.locator("#materials").inner_text()
    assert "有与经营的食品品种、数量相适应的经营场所" in page.locator("#conditions").inner_text()
    # The citizen is L1: the page says L2 is needed and where to get it.
    assert page.locator("#availability").inner_text() == "您的账号为 L1，需要 L2 实名认证"
    # Only the actions that exist: no "apply online" nor "book a hall visit".
    assert page.get_by_role("link", name=re.compile("网上申请|预约")).count() == 0
    size, line = page.locator("#materials").evaluate(
        "el => [getComputedStyle(el).fontSize, getComputedStyle(el).lineHeight].map(parseFloat)"
    )
    assert size >= 22
    assert line / size >= 1.3
    assert not _serious_violations(page)

    page.get_by_role("link", name="向 12345 咨询这个事项").click()
    page.wait_for_url("**/hotline/submit/?title=*")
    assert page.locator("input[name=title]").input_value() == "咨询：食品经营许可核发"


def test_english_service_pages_have_no_chinese_labels(
    page: Any, make_user: Callable[..., Any], log_in: Callable[[str], None]
) -> None:
    _catalogue()
    citizen = make_user(Role.CITIZEN, language="en", display_name="Chen")
    log_in(citizen.username)
    assert page.locator("html").get_attribute("lang") == "en"

    found: dict[str, list[str]] = {}
    page.goto("/services/")
    found["finder"] = _chinese_left(page)
    page.goto("/services/?q=%E5%BC%80%E9%A5%AD%E5%BA%97%E8%A6%81%E5%8A%9E%E5%95%A5%E8%AF%81")
    assert page.locator("#answer").is_visible()
    found["results"] = _chinese_left(page)
    page.goto("/services/?q=%E6%98%8E%E5%A4%A9%E5%A4%A9%E6%B0%94")  # 明天天气: not sure
    assert page.locator("#not-sure").is_visible()
    found["not sure"] = _chinese_left(page)
    assert not _serious_violations(page)
    page.goto("/services/items/C-FOOD/")
    assert page.locator("#legal-limit").inner_text() == "20 working days"
    found["item"] = _chinese_left(page)
    assert not _serious_violations(page)
    page.goto("/services/life-events/open-restaurant/")
    found["life event"] = _chinese_left(page)
    assert found == {key: [] for key in found}
