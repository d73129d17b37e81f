"""The public's pages through the Django client: submit online (with a real-name account,
decision 0014), track by number and phone, rate the reply, and a logged-in citizen's own
list; elder mode on the submit page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from hongmian.core.models import AuditEvent
from hongmian.hotline.models import Callback, WorkOrder
from hongmian.hotline.services.lifecycle_closing import work_order_callback
from hongmian.hotline.states import Channel, Status
from hongmian.hotline.tracking import TRACK_MISSES_ALLOWED

pytestmark = pytest.mark.django_db

SUBMIT = reverse("hotline:submit")
TRACK = reverse("hotline:track")
RATE = reverse("hotline:rate")


def submit_data(**overrides: str) -> dict[str, str]:
    data = {
        "content": "小区门口路灯坏了一个月。\n晚上很黑。",
        "address": "越秀区北京街道北京路1号",
        "caller_phone": "13800138000",
        "request_type": "help",
        "idempotency_key": "c-1",
    }
    data.update(overrides)
    return data


LOGIN_LINK = f'href="{reverse("portal:login")}?next={SUBMIT}"'


def test_a_visitor_is_asked_to_log_in_first(client, db) -> None:
    response = client.get(SUBMIT)

    assert response.status_code == 200
    html = response.content.decode()
    assert "我要反映" in html
    assert LOGIN_LINK in html
    assert "登录后提交" in html
    assert 'name="content"' not in html  # no form the service would refuse


def test_a_logged_in_citizen_gets_the_form(client, citizen) -> None:
    client.force_login(citizen)

    html = client.get(SUBMIT).content.decode()

    assert 'name="content"' in html
    assert '<details class="more" open>' in html
    assert LOGIN_LINK not in html


def test_a_unit_account_cannot_submit_online(client, shipai_handler) -> None:
    client.force_login(shipai_handler)

    response = client.post(SUBMIT, submit_data())

    assert response.status_code == 403
    assert "当前账号不能在网上提交诉求" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_elder_mode_folds_the_optional_fields(client, citizen) -> None:
    citizen.elder_mode = True
    citizen.save()
    client.force_login(citizen)

    html = client.get(SUBMIT).content.decode()

    assert "page--elder" in html
    assert '<details class="more">' in html  # closed: only the three needed fields show


def test_a_logged_in_citizen_submits_and_sees_the_number(client, citizen) -> None:
    client.force_login(citizen)

    response = client.post(SUBMIT, submit_data())

    order = WorkOrder.objects.get()
    assert response["Location"] == reverse("hotline:submitted")
    assert order.channel == Channel.WEB
    assert order.submitted_by == citizen
    assert order.title == "小区门口路灯坏了一个月。"  # the start of the content
    page = client.get(reverse("hotline:submitted")).content.decode()
    assert order.number in page


def test_an_anonymous_visitor_is_refused_and_offered_the_login(client, db) -> None:
    # Online intake needs a real-name account (decision 0014): the service refuses the
    # visitor, and the page offers the login and the phone line instead.
    response = client.post(SUBMIT, submit_data())

    html = response.content.decode()
    assert response.status_code == 403
    assert LOGIN_LINK in html
    assert "12345" in html
    assert not WorkOrder.objects.exists()
    assert client.get(reverse("hotline:submitted"))["Location"] == SUBMIT


def test_a_double_submit_files_once(client, citizen) -> None:
    client.force_login(citizen)
    first = client.post(SUBMIT, submit_data())
    second = client.post(SUBMIT, submit_data())

    order = WorkOrder.objects.get()
    assert first["Location"] == second["Location"] == reverse("hotline:submitted")
    assert order.number in client.get(reverse("hotline:submitted")).content.decode()


def test_a_double_submit_from_another_session_files_once(client, citizen) -> None:
    # A second browser (or a lost session) sends the same key: the service's
    # idempotency, scoped to the account, still files one order.
    client.force_login(citizen)
    client.post(SUBMIT, submit_data())
    client.logout()
    client.force_login(citizen)
    client.post(SUBMIT, submit_data())

    assert WorkOrder.objects.count() == 1


def test_the_phone_must_be_a_mobile(client, citizen) -> None:
    client.force_login(citizen)

    response = client.post(SUBMIT, submit_data(caller_phone="123"))

    assert response.status_code == 400
    assert "手机号码应为以1开头的11位数字" in response.content.decode()
    assert not WorkOrder.objects.exists()


def test_the_done_page_without_a_submission_goes_back(client, db) -> None:
    assert client.get(reverse("hotline:submitted"))["Location"] == SUBMIT


# --- tracking and rating ---------------------------------------------------------------------


def test_track_by_number_and_phone_shows_the_public_timeline(client, flow) -> None:
    order = flow.replied()
    flow_internal = "内部备注不应公开"
    order.timeline.create(actor_label="x", kind="progress", visibility="staff", text=flow_internal)

    response = client.post(TRACK, {"number": order.number, "phone": "13800138000"})

    html = response.content.decode()
    assert response.status_code == 200
    assert order.title in html
    assert "已清运，并加密清运频次。" in html  # the reply
    assert flow_internal not in html
    assert flow.agent.username not in html  # no member of staff is named
    assert 'id="rate"' in html


def test_track_with_a_wrong_phone_finds_nothing(client, flow) -> None:
    order = flow.dispatched()

    response = client.post(TRACK, {"number": order.number, "phone": "13900000000"})

    assert response.status_code == 404
    assert "没有找到该工单" in response.content.decode()


def test_too_many_misses_are_refused(client, flow) -> None:
    order = flow.dispatched()
    for _ in range(TRACK_MISSES_ALLOWED):
        client.post(TRACK, {"number": order.number, "phone": "13900000000"})

    response = client.post(TRACK, {"number": order.number, "phone": "13800138000"})

    assert response.status_code == 429


def test_the_number_can_be_prefilled(client, db) -> None:
    html = client.get(TRACK, {"number": "GZ-20261128-000001"}).content.decode()

    assert 'value="GZ-20261128-000001"' in html


def rating(order: WorkOrder, **overrides: str) -> dict[str, str]:
    data = {
        "number": order.number,
        "phone": "13800138000",
        "satisfaction": "satisfied",
        "resolved": "yes",
    }
    data.update(overrides)
    return data


def test_the_caller_rates_the_reply(client, flow) -> None:
    order = flow.replied()

    response = client.post(RATE, rating(order, comment="清运及时"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "感谢您的评价" in html
    assert "市民评价" in html  # the public timeline shows it
    assert 'id="rate"' not in html
    order.refresh_from_db()
    assert (order.status, order.close_reason) == (Status.CLOSED, "callback")
    assert (order.satisfaction, order.resolved) == ("satisfied", True)
    callback = Callback.objects.get(order=order)
    assert callback.by is None
    assert callback.reached
    assert callback.comment.startswith("市民在线评价")
    assert "清运及时" in callback.comment
    event = AuditEvent.objects.get(action="work_order.caller_rate")
    assert (event.actor_id, event.via, event.actor_label) == (None, "web", "anonymous")


def test_a_dissatisfied_caller_sends_it_to_review(client, flow) -> None:
    order = flow.replied()

    client.post(RATE, rating(order, satisfaction="dissatisfied", resolved="no"))

    order.refresh_from_db()
    assert order.status == Status.CALLBACK_REVIEW


def test_a_logged_in_callers_rating_names_them(client, flow, citizen) -> None:
    order = flow.replied()
    client.force_login(citizen)

    client.post(RATE, rating(order))

    assert Callback.objects.get(order=order).by == citizen


def test_rating_needs_the_right_phone(client, flow) -> None:
    order = flow.replied()

    response = client.post(RATE, rating(order, phone="13900000000"))

    assert response["Location"] == TRACK
    order.refresh_from_db()
    assert order.status == Status.REPLIED
    assert not Callback.objects.exists()


def test_rating_twice_is_refused(client, flow) -> None:
    order = flow.replied()
    client.post(RATE, rating(order, satisfaction="dissatisfied", resolved="no"))

    response = client.post(RATE, rating(order))

    assert response.status_code == 409
    assert "该答复已评价过" in response.content.decode()
    order.refresh_from_db()
    assert order.status == Status.CALLBACK_REVIEW
    assert Callback.objects.filter(order=order).count() == 1


def test_no_rating_once_the_centre_has_called_back(client, flow) -> None:
    order = flow.replied()
    work_order_callback(
        actor=flow.centre, order=order, reached=True, satisfaction="basic", resolved=True
    )

    response = client.post(RATE, rating(order))

    assert response.status_code == 409
    order.refresh_from_db()
    assert order.satisfaction == "basic"


def test_no_rating_in_the_wrong_state(client, flow) -> None:
    order = flow.dispatched()

    response = client.post(RATE, rating(order))

    assert response.status_code == 409
    order.refresh_from_db()
    assert order.status == Status.DISPATCHED
    assert not Callback.objects.exists()


def test_wrong_ratings_count_as_misses(client, flow) -> None:
    order = flow.replied()
    for _ in range(TRACK_MISSES_ALLOWED):
        client.post(RATE, rating(order, phone="13900000000"))

    client.post(RATE, rating(order))

    order.refresh_from_db()
    assert order.status == Status.REPLIED  # locked out, even with the right phone


def test_no_rating_before_the_reply(client, flow) -> None:
    order = flow.dispatched()

    html = client.post(TRACK, {"number": order.number, "phone": "13800138000"}).content.decode()

    assert 'id="rate"' not in html


# --- my requests --------------------------------------------------------------------------


def test_a_citizen_lists_only_their_own_requests(client, citizen, flow) -> None:
    client.force_login(citizen)
    client.post(SUBMIT, submit_data())
    mine = WorkOrder.objects.get()
    other = flow.received()

    html = client.get(reverse("hotline:mine")).content.decode()
    detail = client.get(reverse("hotline:mine_order", args=(mine.pk,)))

    assert mine.number in html
    assert other.number not in html
    assert detail.status_code == 200
    assert client.get(reverse("hotline:mine_order", args=(other.pk,))).status_code == 404


def test_staff_have_no_my_requests_page(client, agent) -> None:
    client.force_login(agent)

    assert client.get(reverse("hotline:mine")).status_code == 403


def test_the_index_sends_each_role_to_its_screen(client, agent, supervisor, shipai_handler) -> None:
    expected = {
        agent: reverse("hotline:console"),
        supervisor: reverse("hotline:board"),
        shipai_handler: reverse("hotline:inbox"),
    }
    for user, target in expected.items():
        client.force_login(user)
        assert client.get(reverse("hotline:index"))["Location"] == target
    client.logout()
    assert client.get(reverse("hotline:index"))["Location"] == SUBMIT


def test_pages_name_no_staff_username(client, flow) -> None:
    order = flow.replied()
    html = client.post(TRACK, {"number": order.number, "phone": "13800138000"}).content.decode()

    assert not re.search(r"hotline_agent|dept_handler", html)
