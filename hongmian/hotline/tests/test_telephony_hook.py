"""The hotline depends on the telephony app through one door, hotline/telephony_hook.py, and
works without it: no other hotline module imports `hongmian.telephony`, and with the app
gone the hook answers "nothing" and the screens leave its parts out."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from hongmian.hotline import notifications, telephony_hook
from hongmian.hotline.tests.factories import WorkOrderFactory
from hongmian.hotline.tests.hook_imports import importers_besides, imports_of

HOOK = Path(telephony_hook.__file__)


def test_only_the_hook_imports_the_telephony_app() -> None:
    assert importers_besides(HOOK, "hongmian.telephony") == {}


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import hongmian.telephony.models\n"
        "from hongmian.telephony import services\n"
        "from hongmian import telephony\n"
        "from hongmian.hotline import telephony_hook\n",
        encoding="utf-8",
    )
    assert imports_of(sample, "hongmian.telephony") == [1, 2, 3]


@pytest.fixture
def without_telephony(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telephony_hook, "_module", lambda name: None)
    monkeypatch.setattr(telephony_hook, "available", lambda: False)


@pytest.mark.django_db
def test_without_the_app_the_hook_answers_nothing(without_telephony: None, agent) -> None:
    order = WorkOrderFactory()
    request = RequestFactory().post("/hotline/console/", {"telephony_call": "1"})
    request.user = agent
    assert telephony_hook.console_context(request) == {}
    assert telephony_hook.link_call(request, order) is None
    assert telephony_hook.order_panel_url(order) is None
    assert telephony_hook.callback_queue_count(agent) is None
    assert telephony_hook.callback_queue_url() is None
    telephony_hook.sms_sent(order_id=order.pk, phone="1", text="t", kind="k", ok=True)


@pytest.mark.django_db
def test_without_the_app_the_screens_leave_its_parts_out(
    without_telephony: None, agent, supervisor, client: Client
) -> None:
    order = WorkOrderFactory()
    client.force_login(agent)
    assert 'id="screen-pop"' not in client.get(reverse("hotline:console")).content.decode()
    assert (
        'id="telephony"'
        not in client.get(reverse("hotline:order", args=(order.pk,))).content.decode()
    )
    client.force_login(supervisor)
    assert 'id="missed-calls-link"' not in client.get(reverse("hotline:board")).content.decode()


@pytest.mark.django_db
def test_with_the_app_the_screens_show_its_parts(agent, supervisor, client: Client) -> None:
    order = WorkOrderFactory()
    client.force_login(agent)
    console = client.get(reverse("hotline:console")).content.decode()
    assert 'id="screen-pop"' in console
    assert 'id="missed-calls-link"' in console
    assert 'name="telephony_call"' in console
    page = client.get(reverse("hotline:order", args=(order.pk,))).content.decode()
    assert reverse("telephony:order_panel", args=(order.pk,)) in page
    client.force_login(supervisor)
    board = client.get(reverse("hotline:board")).content.decode()
    assert 'id="missed-calls-link"' in board


@pytest.mark.django_db
def test_a_sent_notice_is_logged_on_its_order(settings, tmp_path) -> None:
    from hongmian.telephony.models import OutboundSms

    settings.HONGMIAN_SMS_BACKEND = "hongmian.hotline.notifications.FileSmsBackend"
    settings.HONGMIAN_SMS_FILE = str(tmp_path / "sms.log")
    order = WorkOrderFactory(caller_phone="13900004444")
    assert notifications.send_notice.call(order_id=order.pk, kind="order_received", channel="sms")
    row = OutboundSms.objects.get()
    assert (row.order, row.phone, row.status, row.kind) == (
        order,
        "13900004444",
        "sent",
        "order_received",
    )
    assert order.number in row.text
