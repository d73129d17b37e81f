"""坐席工作台 through the Django client: intake, the live slots, dispatch after intake, the
direct answer, the order search, and who may use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hongmian.hotline.models import WorkOrder
from hongmian.hotline.states import Status
from hongmian.hotline.tests.factories import (
    CategoryFactory,
    DispatchRuleFactory,
    WorkOrderFactory,
)
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CONSOLE = reverse("hotline:console")


def intake_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "caller_phone": "13800138000",
        "caller_name": "陈先生",
        "channel": "phone",
        "request_type": "complaint",
        "priority": "normal",
        "title": "华师路夜间施工噪音",
        "content": "每晚十一点后仍在施工，影响休息。",
        "address": "天河区石牌街道华师路1号",
        "idempotency_key": "k-1",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", [Role.HOTLINE_AGENT, Role.HOTLINE_SUPERVISOR])
def test_the_centre_opens_the_console(client, units, role) -> None:
    client.force_login(UserFactory(role=role, org_unit=units.centre))

    response = client.get(CONSOLE)

    assert response.status_code == 200
    html = response.content.decode()
    assert "登记诉求" in html
    assert 'data-shortcut="1"' in html
    assert 'data-shortcut="s"' in html
    assert "知识库" in html


def test_units_and_citizens_may_not_use_the_console(client, shipai_handler, citizen) -> None:
    for user in (shipai_handler, citizen):
        client.force_login(user)
        assert client.get(CONSOLE).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, db) -> None:
    response = client.get(CONSOLE)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login"))


def test_intake_records_the_order_and_offers_dispatch(client, agent, category) -> None:
    client.force_login(agent)

    response = client.post(CONSOLE, intake_data(category=category.pk, confidential="on"))

    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:intake_dispatch", args=(order.pk,))
    assert order.status == Status.RECEIVED
    assert order.category == category
    assert order.confidential is True
    assert order.street_code == "440106006"  # the address was read as 石牌街道
    assert order.submitted_by == agent


def test_a_double_submit_records_one_order(client, agent) -> None:
    client.force_login(agent)

    first = client.post(CONSOLE, intake_data())
    second = client.post(CONSOLE, intake_data())

    assert WorkOrder.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_the_form_reports_missing_fields(client, agent) -> None:
    client.force_login(agent)

    response = client.post(CONSOLE, intake_data(title="", content=""))

    assert response.status_code == 400
    assert not WorkOrder.objects.exists()
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_services_refusal_is_shown_on_the_form(client, agent) -> None:
    client.force_login(agent)

    response = client.post(CONSOLE, intake_data(caller_phone="12345"))

    assert response.status_code == 422
    html = response.content.decode()
    assert "联系电话应为手机号码或带区号的固定电话" in html
    assert 'role="alert"' in html
    assert not WorkOrder.objects.exists()


def test_direct_answer_closes_the_order_at_intake(client, agent) -> None:
    client.force_login(agent)

    response = client.post(
        CONSOLE,
        intake_data(request_type="inquiry", action="direct_answer", answer="可在穗好办办理。"),
    )

    order = WorkOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == CONSOLE
    assert order.status == Status.CLOSED
    assert order.reply == "可在穗好办办理。"


def test_direct_answer_needs_an_answer(client, agent) -> None:
    client.force_login(agent)

    response = client.post(CONSOLE, intake_data(action="direct_answer", answer=" "))

    assert response.status_code == 400
    assert "直接答复时请填写答复内容" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_the_dispatch_step_preselects_the_catalogues_unit(client, agent, units, category) -> None:
    DispatchRuleFactory(category=category, area_code="440106006", lead_unit=units.shipai)
    client.force_login(agent)
    client.post(CONSOLE, intake_data(category=category.pk))
    order = WorkOrder.objects.get()

    html = client.get(reverse("hotline:intake_dispatch", args=(order.pk,))).content.decode()

    assert f'<option value="{units.shipai.pk}" selected>石牌街道办事处</option>' in html
    assert "派单目录规则建议" in html


def test_dispatch_from_the_step_returns_to_the_console(client, agent, units) -> None:
    client.force_login(agent)
    client.post(CONSOLE, intake_data())
    order = WorkOrder.objects.get()

    response = client.post(
        reverse("hotline:dispatch", args=(order.pk,)),
        {"dispatch-lead_unit": units.water.pk, "dispatch-version": order.version, "next": CONSOLE},
    )

    order.refresh_from_db()
    assert response["Location"] == CONSOLE
    assert order.status == Status.DISPATCHED
    assert order.lead_unit == units.water
    assert order.clocks.filter(stopped_at__isnull=True).count() == 3


def test_dispatch_without_a_unit_is_refused_on_the_form(client, agent, flow) -> None:
    order = flow.received()
    client.force_login(agent)

    response = client.post(
        reverse("hotline:dispatch", args=(order.pk,)), {"dispatch-version": order.version}
    )

    assert response.status_code == 400
    assert "这个字段是必填项" in response.content.decode()


def test_the_dispatch_step_of_a_dispatched_order_goes_to_the_order(client, agent, flow) -> None:
    order = flow.dispatched()
    client.force_login(agent)

    response = client.get(reverse("hotline:intake_dispatch", args=(order.pk,)))

    assert response["Location"] == reverse("hotline:order", args=(order.pk,))


# --- live slots -----------------------------------------------------------------------------


def test_the_address_preview_names_district_and_street(client, agent) -> None:
    client.force_login(agent)

    html = client.get(reverse("hotline:console_address"), {"address": "番禺大石"}).content.decode()

    assert "番禺区" in html
    assert "大石街道" in html


def test_the_address_preview_says_when_it_cannot_tell(client, agent) -> None:
    client.force_login(agent)

    html = client.get(
        reverse("hotline:console_address"), {"address": "不知道哪里"}
    ).content.decode()

    assert "未能识别" in html


def test_caller_history_lists_earlier_orders_of_the_number(client, agent) -> None:
    mine = WorkOrderFactory(caller_phone="13800138000", title="上次反映的路灯")
    WorkOrderFactory(caller_phone="13900000000", title="别人的")
    client.force_login(agent)

    html = client.get(
        reverse("hotline:console_history"), {"caller_phone": "138 0013 8000"}
    ).content.decode()

    assert mine.number in html
    assert "上次反映的路灯" in html
    assert "别人的" not in html


def test_caller_history_is_the_centres_only(client, shipai_handler) -> None:
    client.force_login(shipai_handler)

    response = client.get(reverse("hotline:console_history"), {"caller_phone": "13800138000"})

    assert response.status_code == 403


def test_the_suggestion_slot_shows_the_catalogue_rule(client, agent, units, category) -> None:
    DispatchRuleFactory(category=category, area_code="440106000", lead_unit=units.tianhe)
    client.force_login(agent)

    html = client.get(
        reverse("hotline:console_suggest"),
        {"category": category.pk, "address": "天河区石牌街道"},
    ).content.decode()

    assert "天河区人民政府" in html
    assert "派单目录规则建议" in html


def test_the_suggestion_slot_says_when_no_rule_applies(client, agent, category) -> None:
    client.force_login(agent)

    html = client.get(
        reverse("hotline:console_suggest"), {"category": category.pk, "address": "越秀区"}
    ).content.decode()

    assert "没有适用的规则" in html


def test_the_category_filter_narrows_and_selects_a_single_match(client, agent, category) -> None:
    CategoryFactory(name="路灯不亮", parent=category.parent)
    client.force_login(agent)

    html = client.get(reverse("hotline:console_categories"), {"q": "噪音"}).content.decode()

    assert f'<option value="{category.pk}" selected>噪音污染</option>' in html
    assert "路灯不亮" not in html
    assert '<optgroup label="环境保护">' in html


def test_the_knowledge_slot_finds_answers(client, agent, article) -> None:
    client.force_login(agent)

    console = client.get(CONSOLE).content.decode()
    html = client.get(
        reverse("hotline:console_knowledge"), {"q": "停水了怎么回事"}
    ).content.decode()
    nothing = client.get(reverse("hotline:console_knowledge"), {"q": "驾驶证"}).content.decode()

    assert 'id="knowledge-q"' in console
    assert "停水查询" in html
    assert f'name="article" value="{article.pk}"' in html
    assert "没有找到相关的答复口径" in nothing


def test_direct_answer_from_an_article_records_it(client, agent, article) -> None:
    from hongmian.knowledge.models import ArticleUsage

    client.force_login(agent)

    response = client.post(CONSOLE, intake_data(request_type="inquiry", article=article.pk))

    order = WorkOrder.objects.get()
    assert response["Location"] == CONSOLE
    assert order.status == Status.CLOSED
    assert order.reply == article.body
    assert order.answer_source == f"knowledge:{article.pk}"
    assert ArticleUsage.objects.get().order_ref == order.number


def test_a_vanished_article_is_not_used(client, agent, db) -> None:
    client.force_login(agent)

    response = client.post(CONSOLE, intake_data(article="999999"))

    assert response.status_code == 400
    assert "所选知识条目已不存在" in response.content.decode()
    assert not WorkOrder.objects.exists()


# --- search --------------------------------------------------------------------------------


def test_the_centre_finds_orders_by_phone_number_and_address(client, agent) -> None:
    order = WorkOrderFactory(caller_phone="13800138000", address="越秀区北京路1号")
    other = WorkOrderFactory()
    client.force_login(agent)
    search = reverse("hotline:search")

    by_phone = client.get(search, {"q": "13800138000"}).content.decode()
    by_number = client.get(search, {"q": order.number}).content.decode()
    by_address = client.get(search, {"q": "北京路"}).content.decode()

    for html in (by_phone, by_number, by_address):
        assert order.number in html
        assert other.number not in html


def test_a_unit_searches_only_its_own_orders(client, flow, units, yuexiu_handler) -> None:
    theirs = flow.dispatched(units.shipai, title="石牌的工单")
    mine = flow.dispatched(units.yuexiu, title="越秀的工单")
    client.force_login(yuexiu_handler)

    html = client.get(reverse("hotline:search"), {"q": "工单"}).content.decode()

    assert mine.number in html
    assert theirs.number not in html


def test_a_unit_cannot_search_by_the_callers_phone(client, flow, units, shipai_handler) -> None:
    order = flow.dispatched(units.shipai)
    client.force_login(shipai_handler)

    html = client.get(reverse("hotline:search"), {"q": "13800138000"}).content.decode()

    assert order.number not in html


def test_the_console_speaks_english(client, units) -> None:
    client.force_login(UserFactory(role=Role.HOTLINE_AGENT, org_unit=units.centre, language="en"))

    html = client.get(CONSOLE).content.decode()

    assert "Agent console" in html
    assert "Caller’s phone" in html
    assert "坐席工作台" not in html


def test_without_the_knowledge_app_there_is_no_knowledge_panel(client, agent, monkeypatch):
    from hongmian.hotline import knowledge_bridge as knowledge

    client.force_login(agent)
    assert 'id="knowledge-heading"' in client.get(CONSOLE).content.decode()

    monkeypatch.setattr(knowledge, "_module", lambda name: None)
    html = client.get(CONSOLE).content.decode()

    # Hidden, not a badge promising what is not there.
    assert 'id="knowledge-heading"' not in html
    assert 'id="knowledge-q"' not in html
    assert "尚未开放" not in html


def test_without_a_query_a_unit_sees_its_latest_orders(client, flow, units, tianhe_handler):
    mine = flow.dispatched(units.shipai)
    theirs = flow.dispatched(units.yuexiu)
    client.force_login(tianhe_handler)

    html = client.get(reverse("hotline:search")).content.decode()

    assert "最近的工单" in html
    assert mine.number in html
    assert theirs.number not in html
