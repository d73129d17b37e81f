"""The English site in real Chromium: the pages of the newer features — the supervision
board's list, the unit manager's approvals, the console with a screen pop, the dashboard —
show no Chinese outside data. Order texts, unit, category and people's names are data and
stay as entered; labels, buttons, headings, pagers, counts' words and messages are not.

Each page's visible text and its accessible names (aria-label, title, placeholder, alt) are
read; every data string known to the database is taken out; what Chinese is left is a
string without English (or one not marked for translation)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from hongmian.analytics.selectors import DISTRICT_TILES
from hongmian.core.actors import Actor
from hongmian.geo.selectors import gazetteer
from hongmian.hotline.models import Category, SignOffRequest, WorkOrder
from hongmian.hotline.services.signoff import sign_off_policy_set, sign_off_submit
from hongmian.hotline.tests.http import HttpClient, api_key_for
from hongmian.identity.models import OrgUnit, User
from hongmian.identity.states import Role
from hongmian.telephony.services import extension_assign, gateway_register
from tests.browser.conftest import PASSWORD
from tests.browser.test_hotline_flows import CALLER_PHONE, World, world  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

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


def _data() -> list[str]:
    """Every string on these pages that is data, longest first (so that 天河区人民政府 goes
    before 天河区)."""
    strings: set[str] = {"简体中文"}  # the language switch names Chinese in Chinese
    # A search box's examples are words of the data (unit and category names are Chinese).
    strings.update(("城管", "天河", "噪音"))
    strings.update(entry.name for entry in gazetteer().by_code.values())
    strings.update(name for _code, name, _row, _column in DISTRICT_TILES)
    strings.update(OrgUnit.objects.values_list("name", flat=True))
    strings.update(Category.objects.values_list("name", flat=True))
    strings.update(User.objects.values_list("display_name", flat=True))
    for fields in WorkOrder.objects.values_list("title", "content", "address", "caller_name"):
        strings.update(fields)
    for payload in SignOffRequest.objects.values_list("payload", flat=True):
        strings.update(str(value) for value in payload.values())
    return sorted((s for s in strings if s), key=len, reverse=True)


def _chinese_left(page: Any) -> list[str]:
    page.wait_for_load_state("networkidle")
    text = page.evaluate(_TEXTS)
    for value in _data():
        text = text.replace(value, " ")
    return sorted({line.strip() for line in text.splitlines() if HAN.search(line)})


def test_the_new_features_english_pages_have_no_chinese_labels(
    page: Any,
    log_in: Any,
    world: World,  # noqa: F811
    live_server: Any,
) -> None:
    page.set_default_timeout(30_000)  # four logins and four pages on a busy machine
    setup = Actor.cli(None, label="browser-test")
    manager = User.objects.create_user(
        username="boss",
        password=PASSWORD,
        role=Role.DEPT_MANAGER,
        org_unit=world.shipai,
        display_name="石牌负责人",
    )
    leader = User.objects.create_user(
        username="leader", password=PASSWORD, role=Role.CITY_LEADER, org_unit=world.centre
    )
    # A reply waiting for the manager (approvals), an order on the board.
    sign_off_policy_set(
        actor=setup, unit=world.shipai, require_reply=True, require_return=False,
        require_extension=False,
    )  # fmt: skip
    waiting = world.order(acknowledge=True)
    sign_off_submit(
        actor=Actor(user=world.shipai_handler, via="web"),
        order=waiting,
        act="reply",
        payload={"reply": "已责令施工单位停工。"},
    )
    world.order(dispatch=False)
    extension_assign(actor=setup, number="8001", user=world.agent)
    pbx_account = User.objects.create_user(username="pbx", role=Role.HOTLINE_AGENT)
    gateway_register(actor=setup, name="PBX", kind="pbx", user=pbx_account)
    User.objects.update(language="en")
    # The key is made before any page is open: on SQLite the live server shares this
    # thread's connection, and a write here while a page's request runs collides with it.
    pbx = HttpClient(live_server.url, token=api_key_for(pbx_account))

    found: dict[str, list[str]] = {}

    log_in(world.supervisor.username, switching=True)
    page.goto("/hotline/board/")
    page.wait_for_selector(".board-nav")
    assert page.locator("html").get_attribute("lang") == "en"
    found["board"] = _chinese_left(page)
    page.goto("/hotline/board/?section=overdue")  # one section alone: filters, sort, pager
    page.wait_for_selector("#qf-sort")
    found["board section"] = _chinese_left(page)

    log_in(manager.username, switching=True)
    page.goto("/hotline/approvals/")
    page.get_by_role("link", name=waiting.number).wait_for()
    found["approvals"] = _chinese_left(page)

    log_in(world.agent.username, switching=True)
    page.goto("/hotline/console/")
    event = {"call_id": "en-1", "caller": CALLER_PHONE, "called": "12345", "agent": "8001"}
    for number, kind in enumerate(("ringing", "answered"), start=1):
        response = pbx.post(
            "/api/telephony/cti/events",
            json=event
            | {"event_id": str(number), "event": kind, "occurred_at": "2026-03-02T09:00:00+08:00"},
        )
        assert response.status == 200, response.text
    page.wait_for_selector("#screen-pop:not([hidden])")
    page.wait_for_selector(f"#caller-history:has-text('{waiting.title}')")
    assert "Call answered" in page.locator("#screen-pop").inner_text()
    time.sleep(0.2)  # the history's own requests settle before the text is read
    found["console"] = _chinese_left(page)

    log_in(leader.username, switching=True)
    page.goto("/analytics/dashboard/")
    page.wait_for_selector("[data-dash-chart] canvas, [data-dash-chart] svg")
    found["dashboard"] = _chinese_left(page)

    assert not any(found.values()), found
