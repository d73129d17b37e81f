"""坐席工作台 that helps without being asked (issue 11, item 3), through the Django client:
knowledge from the typed request, duplicates before 受理, 采用 to a leaf and the catalogue's
unit, the derived title, the searchable unit pickers, and the unit an act was done for."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.urls import reverse

from hongmian.core.models import AuditEvent
from hongmian.hotline.models import Category, TimelineEntry, WorkOrder
from hongmian.hotline.services.intake_validation import derive_title
from hongmian.hotline.services.lifecycle_handling import work_order_progress
from hongmian.hotline.states import Status
from hongmian.hotline.tests.factories import CategoryFactory, DispatchRuleFactory, actor_of
from hongmian.hotline.tests.test_views_console import CONSOLE, intake_data
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KNOWLEDGE = reverse("hotline:console_knowledge")
DUPLICATES = reverse("hotline:console_duplicates")
ADOPT = reverse("insights:console_ml_adopt")


# --- knowledge from the request text --------------------------------------------------------


def test_knowledge_follows_the_request_text(client, agent, article) -> None:
    client.force_login(agent)
    text = "我们小区从早上开始突然停水了，物业也说不清楚，想查询一下什么时候恢复供水。"

    html = client.get(KNOWLEDGE, {"title": "", "content": text}).content.decode()

    assert "根据诉求内容推荐的答复口径" in html
    assert "停水查询" in html
    assert f'name="article" value="{article.pk}"' in html


def test_the_keyword_box_wins_over_the_text(client, agent, article) -> None:
    client.force_login(agent)

    html = client.get(KNOWLEDGE, {"q": "停水", "content": "垃圾没人清运"}).content.decode()

    assert "停水查询" in html
    assert "根据诉求内容推荐" not in html


def test_a_text_longer_than_the_search_takes_is_searched_by_its_key_terms(
    client, agent, article
) -> None:
    client.force_login(agent)
    text = "楼里的住户都很着急。" * 60 + "突然停水，想查询停水原因。"
    assert len(text) > 500

    html = client.get(KNOWLEDGE, {"content": text}).content.decode()

    assert "停水查询" in html


def test_too_little_text_shows_the_prompt(client, agent, article) -> None:
    client.force_login(agent)

    html = client.get(KNOWLEDGE, {"content": "停"}).content.decode()

    assert "没有找到相关的答复口径" in html
    assert "停水查询" not in html


# --- duplicates before 受理 -----------------------------------------------------------------


def _noise_text() -> dict[str, str]:
    return {
        "title": "华师路1号工地夜间施工噪音扰民",
        "content": "华师路1号工地每晚十一点后仍在打桩施工，噪音很大，影响居民休息。",
        "address": "天河区石牌街道华师路1号",
    }


def test_open_orders_like_the_typed_request_are_shown(client, agent, flow) -> None:
    open_order = flow.received(**_noise_text())
    closed = flow.received(**_noise_text())
    WorkOrder.objects.filter(pk=closed.pk).update(status=Status.CLOSED)
    flow.received(title="猎德大桥路灯不亮", content="猎德大桥下路灯连续三晚不亮。")
    client.force_login(agent)

    html = client.get(DUPLICATES, {**_noise_text(), "caller_phone": ""}).content.decode()

    assert f'data-candidate="{open_order.number}"' in html
    assert reverse("hotline:order", args=(open_order.pk,)) in html
    assert f'name="merge_into" value="{open_order.pk}"' in html
    assert closed.number not in html
    assert "猎德大桥" not in html


def test_nothing_alike_says_so(client, agent, flow) -> None:
    flow.received()
    client.force_login(agent)

    html = client.get(DUPLICATES, _noise_text()).content.decode()
    idle = client.get(DUPLICATES, {"content": "噪音"}).content.decode()

    assert "没有疑似重复的未办结工单" in html
    assert "输入诉求内容、地址或来电号码后" in idle


def test_intake_and_merge_into_a_candidate(client, agent, flow) -> None:
    master = flow.received(**_noise_text())
    client.force_login(agent)

    response = client.post(
        CONSOLE, intake_data(**_noise_text(), merge_into=str(master.pk), idempotency_key="m-1")
    )

    new = WorkOrder.objects.exclude(pk=master.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:order", args=(master.pk,))
    assert (new.status, new.master_id) == (Status.MERGED, master.pk)
    assert new.timeline.filter(kind="merged").exists()


def test_a_refused_merge_keeps_the_order_taken(client, agent, flow) -> None:
    master = flow.received(**_noise_text())
    WorkOrder.objects.filter(pk=master.pk).update(status=Status.ARCHIVED)
    client.force_login(agent)

    response = client.post(CONSOLE, intake_data(merge_into=str(master.pk), idempotency_key="m-2"))

    new = WorkOrder.objects.exclude(pk=master.pk).get()
    assert response["Location"] == reverse("hotline:order", args=(new.pk,))
    assert new.status == Status.RECEIVED


# --- 采用: a leaf and the catalogue's unit ----------------------------------------------------


@pytest.fixture
def tree(db: None) -> dict[str, Category]:
    env = CategoryFactory(code="t-env", name="生态环境")
    noise = CategoryFactory(code="t-noise", name="噪声污染", parent=env)
    return {
        "env": env,
        "noise": noise,
        "traffic": CategoryFactory(
            code="t-traffic", name="交通噪声", parent=noise, keywords="鸣笛、改装车"
        ),
        "building": CategoryFactory(
            code="t-building", name="建筑施工噪声", parent=noise, keywords="夜间施工、打桩"
        ),
        "water": CategoryFactory(code="t-water", name="水污染", parent=env),
    }


def _options(html: str) -> list[str]:
    import re

    return re.findall(r'<option value="(\d+)"( selected)?', html)  # type: ignore[return-value]


def test_adopt_selects_the_leaf_the_text_names(client, agent, tree) -> None:
    client.force_login(agent)

    html = client.get(
        ADOPT,
        {"category": tree["env"].pk, "title": "工地夜间施工", "content": "每晚打桩到十二点"},
    ).content.decode()

    selected = [pk for pk, sel in _options(html) if sel]
    assert selected == [str(tree["building"].pk)]
    offered = {pk for pk, _ in _options(html)}
    # The leaves under 生态环境, never an upper level an order cannot be filed under.
    assert offered == {str(tree[k].pk) for k in ("traffic", "building", "water")}


def test_adopt_of_a_leaf_selects_it(client, agent, tree) -> None:
    client.force_login(agent)

    html = client.get(ADOPT, {"category": tree["water"].pk}).content.decode()

    assert [pk for pk, sel in _options(html) if sel] == [str(tree["water"].pk)]


def test_adopt_without_a_telling_text_narrows_and_selects_nothing(client, agent, tree) -> None:
    client.force_login(agent)

    html = client.get(
        ADOPT, {"category": tree["noise"].pk, "content": "请尽快处理"}
    ).content.decode()

    assert [pk for pk, sel in _options(html) if sel] == []
    assert {pk for pk, _ in _options(html)} == {
        str(tree["traffic"].pk),
        str(tree["building"].pk),
    }


def test_the_catalogue_unit_fills_the_console_and_the_dispatch_page(
    client, agent, units, category
) -> None:
    DispatchRuleFactory(category=category, area_code="440106006", lead_unit=units.shipai)
    client.force_login(agent)

    slot = client.get(
        reverse("hotline:console_suggest"),
        {"category": category.pk, "address": "天河区石牌街道华师路1号"},
    ).content.decode()
    assert f'data-lead-unit="{units.shipai.pk}"' in slot

    # The agent chose 猎德 instead: the dispatch page preselects the console's choice.
    response = client.post(CONSOLE, intake_data(category=category.pk, lead_unit=units.liede.pk))
    order = WorkOrder.objects.get()
    assert response["Location"] == (
        reverse("hotline:intake_dispatch", args=(order.pk,)) + f"?unit={units.liede.pk}"
    )
    html = client.get(response["Location"]).content.decode()
    assert f'<option value="{units.liede.pk}" selected>猎德街道办事处</option>' in html
    # The catalogue's own unit needs no word in the address: the page preselects it anyway.
    response = client.post(
        CONSOLE,
        intake_data(category=category.pk, lead_unit=units.shipai.pk, idempotency_key="k-2"),
    )
    second = WorkOrder.objects.latest("id")
    assert response["Location"] == reverse("hotline:intake_dispatch", args=(second.pk,))


def test_a_unit_that_is_not_offered_is_refused(client, agent, units) -> None:
    client.force_login(agent)

    response = client.post(CONSOLE, intake_data(lead_unit=units.centre.pk))

    assert response.status_code == 400
    assert "lead_unit" in response.context["form"].errors
    assert not WorkOrder.objects.exists()


# --- the title: optional, derived ------------------------------------------------------------


def test_derive_title() -> None:
    assert derive_title("  路灯不亮。已两周了") == "路灯不亮"
    assert derive_title("长" * 50) == "长" * 30
    assert derive_title("，，噪音扰民") == "噪音扰民"
    assert derive_title("路灯不亮", Category(name="路灯")) == "路灯：路灯不亮"


def test_the_console_takes_a_request_without_a_title(client, agent, category) -> None:
    client.force_login(agent)
    page = client.get(CONSOLE).content.decode()
    assert "可不填：留空时以“分类：诉求内容第一句”作标题。" in page

    client.post(CONSOLE, intake_data(title="", category=category.pk))

    assert WorkOrder.objects.get().title == "噪音污染：每晚十一点后仍在施工"


# --- the searchable unit pickers -----------------------------------------------------------


def test_every_unit_picker_is_marked_as_a_combobox(client, agent, units, category) -> None:
    client.force_login(agent)
    client.post(CONSOLE, intake_data(category=category.pk))
    order = WorkOrder.objects.get()

    console = client.get(CONSOLE).content.decode()
    dispatch = client.get(reverse("hotline:intake_dispatch", args=(order.pk,))).content.decode()

    assert 'name="lead_unit" data-combobox' in console.replace('id="id_lead_unit" ', "")
    assert dispatch.count("data-combobox") == 2  # 主办单位, 协办单位
    assert "portal/combobox.js" in console


@pytest.mark.parametrize(
    ("form_class", "fields", "kwargs"),
    [
        ("console.IntakeForm", ("lead_unit",), {}),
        ("console.DispatchForm", ("lead_unit", "co_units"), {}),
        ("inbox.ReturnForm", ("suggested_unit",), {}),
        ("board.ReturnReviewForm", ("new_unit",), {}),
        ("board.JointMeetingForm", ("units", "decided_unit"), {}),
        ("inbox.SubdispatchForm", ("unit",), {"units": "handling"}),
    ],
)
def test_unit_fields_render_as_comboboxes(form_class, fields, kwargs, units) -> None:
    from hongmian.hotline.forms.common import handling_units

    if kwargs.get("units") == "handling":
        kwargs = {"units": handling_units()}
    module, name = form_class.split(".")
    form = getattr(importlib.import_module(f"hongmian.hotline.forms.{module}"), name)(**kwargs)
    for name in fields:
        assert "data-combobox" in str(form[name]), (form_class, name)


# --- the unit an act was done for ------------------------------------------------------------


def _last_entry(order: WorkOrder) -> TimelineEntry:
    return order.timeline.order_by("-id").first()  # type: ignore[return-value]


def test_a_district_handler_acting_on_a_street_order_acts_for_the_street(
    flow, units, client: Any
) -> None:
    order = flow.acknowledged(units.shipai)
    district = UserFactory(role=Role.DEPT_HANDLER, org_unit=units.tianhe, display_name="张三")

    work_order_progress(actor=actor_of(district), order=order, text="区里已协调城管到场。")

    entry = _last_entry(order)
    assert (entry.unit, entry.actor_label) == (units.shipai, "张三")
    audit = AuditEvent.objects.filter(action="work_order.progress").latest("id")
    assert audit.after["acting_unit"] == {"id": units.shipai.pk, "name": "石牌街道办事处"}
    client.force_login(flow.agent)
    html = client.get(reverse("hotline:order", args=(order.pk,))).content.decode()
    assert "张三（石牌街道办事处）" in html


def test_a_handler_of_the_unit_itself_acts_for_it(flow, units) -> None:
    order = flow.acknowledged(units.shipai)

    work_order_progress(actor=actor_of(flow.handler(units.shipai)), order=order, text="已到场。")

    entry = _last_entry(order)
    assert entry.unit == units.shipai
    audit = AuditEvent.objects.filter(action="work_order.progress").latest("id")
    assert "acting_unit" not in (audit.after or {})


def test_the_centre_acts_for_its_own_unit(flow, units, agent) -> None:
    order = flow.dispatched(units.shipai)

    assert _last_entry(order).unit == units.centre
