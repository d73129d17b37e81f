"""督办台 through the Django client: the board's sections and the centre's acts — return
review, joint meeting, extension decision, callback and its review, urging, merging."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from hongmian.core.actors import Actor
from hongmian.core.models import AuditEvent
from hongmian.hotline.models import SlaClock, Supervision, WorkOrder
from hongmian.hotline.services import lifecycle_dispatch, lifecycle_handling, sla
from hongmian.hotline.states import ClockKind, Status
from hongmian.hotline.tests.factories import actor_of
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory
from hongmian.insights.services.duplicates import duplicate_scan

pytestmark = pytest.mark.django_db

BOARD = reverse("hotline:board")


def url(name: str, order, *extra: int) -> str:
    return reverse(f"hotline:{name}", args=(order.pk, *extra))


def _overdue(order) -> None:
    now = timezone.now()
    SlaClock.objects.filter(order=order, kind=ClockKind.RESOLUTION).update(
        due_at=now - dt.timedelta(hours=1), yellow_at=now - dt.timedelta(hours=3)
    )
    sla.sla_order_clocks_sync(order=order)


def _return(flow, order) -> None:
    lifecycle_dispatch.work_order_return_request(
        actor=actor_of(flow.handler(order.lead_unit)),
        order=order,
        reason="not_our_duty",
        legal_basis="三定方案",
        explanation="属市水务局职责。",
    )


def test_the_board_is_the_supervisors(client, agent, shipai_handler, supervisor) -> None:
    for user in (agent, shipai_handler):
        client.force_login(user)
        assert client.get(BOARD).status_code == 403
    client.force_login(supervisor)
    assert client.get(BOARD).status_code == 200


def test_the_board_lists_what_needs_acting_on(client, flow, supervisor, units) -> None:
    late = flow.dispatched(title="已超时的工单")
    _overdue(late)
    returned = flow.dispatched(title="被退回的工单")
    _return(flow, returned)
    replied = flow.replied(title="等待回访的工单")
    client.force_login(supervisor)

    html = client.get(BOARD).content.decode()

    overdue = html[html.index('id="overdue"') : html.index('id="due_soon"')]
    assert late.number in overdue
    assert "light--red" in overdue
    returns = html[html.index('id="returns"') : html.index('id="extensions"')]
    assert returned.number in returns
    assert "非本单位职责" in returns
    callbacks = html[html.index('id="callbacks"') :]
    assert replied.number in callbacks


def test_the_callback_queue_alone(client, flow, supervisor) -> None:
    replied = flow.replied()
    client.force_login(supervisor)

    html = client.get(reverse("hotline:callbacks")).content.decode()

    assert "回访评价" in html
    assert replied.number in html
    assert 'id="overdue"' not in html


def test_accept_a_return_and_redispatch(client, flow, supervisor, units) -> None:
    order = flow.dispatched()
    _return(flow, order)
    client.force_login(supervisor)
    assert 'id="return_review"' in client.get(url("order", order)).content.decode()

    response = client.post(
        url("return_review", order),
        {
            "return_review-decision": "accept",
            "return_review-new_unit": units.water.pk,
            "return_review-note": "同意，改派市水务局。",
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED
    assert order.lead_unit == units.water


def test_refuse_a_return(client, flow, supervisor, units) -> None:
    order = flow.dispatched()
    _return(flow, order)
    client.force_login(supervisor)

    client.post(
        url("return_review", order),
        {"return_review-decision": "refuse", "return_review-note": "属街道职责。"},
    )

    order.refresh_from_db()
    assert order.status == Status.ACKNOWLEDGED
    assert order.lead_unit == units.shipai


def test_accepting_without_a_unit_is_refused_on_the_form(client, flow, supervisor) -> None:
    order = flow.dispatched()
    _return(flow, order)
    client.force_login(supervisor)

    response = client.post(
        url("return_review", order),
        {"return_review-decision": "accept", "return_review-note": "同意。"},
    )

    assert response.status_code == 422
    assert "同意退单时须指定新的承办单位" in response.content.decode()


def test_joint_meeting_then_its_decision(client, flow, supervisor, units) -> None:
    order = flow.dispatched()
    _return(flow, order)
    client.force_login(supervisor)
    client.post(
        url("return_review", order),
        {"return_review-decision": "joint_meeting", "return_review-note": "提请会商。"},
    )
    order.refresh_from_db()
    assert order.status == Status.JOINT_MEETING

    response = client.post(
        url("joint_meeting", order),
        {
            "joint_meeting-units": [units.shipai.pk, units.water.pk],
            "joint_meeting-decided_unit": units.water.pk,
            "joint_meeting-minutes": "会商确定由市水务局办理。",
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED
    assert order.lead_unit == units.water


def test_approve_an_extension_from_the_board_moves_the_deadline(client, flow, supervisor) -> None:
    order = flow.acknowledged()
    extension = lifecycle_handling.work_order_extension_request(
        actor=actor_of(flow.handler(order.lead_unit)), order=order, reason="需勘查。", amount=3
    )
    due = SlaClock.objects.get(order=order, kind=ClockKind.RESOLUTION).due_at
    client.force_login(supervisor)
    assert f"{order.number}" in client.get(BOARD).content.decode()

    response = client.post(
        url("extension_decide", order, extension.pk),
        {"extension_decide-approve": "yes", "next": BOARD + "#extensions"},
    )

    assert response["Location"] == BOARD + "#extensions"
    assert SlaClock.objects.get(order=order, kind=ClockKind.RESOLUTION).due_at > due


def test_an_extension_of_another_order_is_not_decided(client, flow, supervisor) -> None:
    order = flow.acknowledged()
    other = flow.acknowledged()
    extension = lifecycle_handling.work_order_extension_request(
        actor=actor_of(flow.handler(order.lead_unit)), order=order, reason="需勘查。", amount=3
    )
    client.force_login(supervisor)

    response = client.post(
        url("extension_decide", other, extension.pk), {"extension_decide-approve": "yes"}
    )

    assert response.status_code == 422
    extension.refresh_from_db()
    assert extension.status == "pending"


def test_a_satisfied_callback_closes_the_order(client, flow, supervisor) -> None:
    order = flow.replied()
    client.force_login(supervisor)

    response = client.post(
        url("callback", order),
        {
            "callback-reached": "yes",
            "callback-satisfaction": "satisfied",
            "callback-resolved": "yes",
        },
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.CLOSED
    assert order.satisfaction == "satisfied"


def test_a_callback_needs_the_satisfaction(client, flow, supervisor) -> None:
    order = flow.replied()
    client.force_login(supervisor)

    response = client.post(url("callback", order), {"callback-reached": "yes"})

    assert response.status_code == 400
    assert "联系上诉求人时请记录满意度" in response.content.decode()


def test_dissatisfied_then_reopened(client, flow, supervisor) -> None:
    order = flow.replied()
    client.force_login(supervisor)
    client.post(
        url("callback", order),
        {"callback-reached": "yes", "callback-satisfaction": "dissatisfied"},
    )
    order.refresh_from_db()
    assert order.status == Status.CALLBACK_REVIEW

    client.post(
        url("callback_review", order),
        {"callback_review-reopen": "yes", "callback_review-reason": "问题仍未解决。"},
    )

    order.refresh_from_db()
    assert order.status == Status.DISPATCHED
    assert order.reopen_count == 1


def test_an_agent_may_not_review_a_dissatisfied_callback(client, flow, agent) -> None:
    order = flow.replied()
    client.force_login(agent)

    response = client.post(
        url("callback_review", order),
        {"callback_review-reopen": "no", "callback_review-reason": "已合理答复。"},
    )

    assert response.status_code == 403


def test_urge_and_supervise_from_the_board(client, flow, supervisor) -> None:
    order = flow.dispatched()
    _overdue(order)
    client.force_login(supervisor)

    response = client.post(
        url("supervise", order),
        {"supervise-kind": "supervise", "supervise-version": order.version, "next": BOARD},
    )

    assert response["Location"] == BOARD
    assert Supervision.objects.get().kind == "supervise"


def test_an_agent_may_urge_but_not_supervise(client, flow, agent) -> None:
    order = flow.dispatched()
    client.force_login(agent)

    page = client.get(url("order", order)).content.decode()
    refused = client.post(url("supervise", order), {"supervise-kind": "supervise"})
    urged = client.post(url("supervise", order), {"supervise-kind": "urge"})

    assert '<option value="supervise"' not in page
    assert refused.status_code == 403
    assert urged.status_code == 302


def test_merge_candidates_and_one_click_merge(client, flow, supervisor, category) -> None:
    first = flow.dispatched(category=category, title="华师路噪音")
    second = flow.received(category=category, title="华师路噪音又来了")
    flow.received(title="无分类的工单")
    # The board reads the groups the insights app's periodic scan stored (decision 0049).
    duplicate_scan(actor=Actor.system("duplicate-scan"))
    client.force_login(supervisor)

    html = client.get(BOARD).content.decode()
    merges = html[html.index('id="merges"') : html.index('id="callbacks"')]
    assert first.number not in merges  # the panel arrives after the page
    panel = re.search(r'hx-get="([^"]+panel=merges[^"]*)"', merges)
    assert panel
    merges = client.get(unescape(panel.group(1))).content.decode()
    assert first.number in merges
    assert second.number in merges
    assert '<span class="count" id="count-merges" hx-swap-oob="true">1</span>' in merges
    assert f'name="next" value="{BOARD}#merges"' in merges

    response = client.post(
        reverse("hotline:merge"),
        {"master": first.pk, "duplicates": [first.pk, second.pk], "next": BOARD},
    )

    assert response.status_code == 302
    second.refresh_from_db()
    assert second.status == Status.MERGED
    assert second.master_id == first.pk


def test_the_direct_answer_panel_on_a_received_order(client, flow, agent) -> None:
    order = flow.received()
    client.force_login(agent)

    response = client.post(
        url("direct_answer", order), {"direct_answer-answer": "已告知办理渠道。"}
    )

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == Status.CLOSED


def test_the_centre_reads_the_whole_timeline_and_the_caller(client, flow, agent) -> None:
    order = flow.dispatched(confidential=True)
    client.force_login(agent)

    html = client.get(url("order", order)).content.decode()

    assert "陈先生" in html
    assert "13800138000" in html
    assert WorkOrder.objects.get(pk=order.pk).status == Status.DISPATCHED


def test_the_board_costs_the_same_queries_for_more_orders(client, flow, supervisor, category):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def fill() -> None:
        _overdue(flow.dispatched())
        _return(flow, flow.dispatched())
        flow.replied()
        flow.received(category=category)
        flow.received(category=category)

    fill()
    client.force_login(supervisor)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(BOARD).status_code == 200
        return len(queries)

    few = count()
    fill()
    fill()
    assert count() == few


@pytest.mark.django_db
def test_a_city_leader_reads_the_order_page_with_the_caller_masked(client, flow) -> None:
    """The dashboard's figures lead through the order list to here: read-only, masked."""
    order = flow.dispatched()
    client.force_login(UserFactory(role=Role.CITY_LEADER))
    response = client.get(reverse("hotline:order", args=(order.pk,)))
    assert response.status_code == 200
    html = response.content.decode()
    assert order.number in html
    assert "138****8000" in html
    assert "13800138000" not in html
    # Reading only: no act's form (every act posts to the order's own URLs).
    assert f'action="/hotline/orders/{order.pk}/' not in html
    assert AuditEvent.objects.filter(action="work_order.read", target_id=str(order.pk)).exists()
