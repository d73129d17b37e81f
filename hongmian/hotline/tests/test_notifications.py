"""Notices to the caller: SMS through the configured backend, e-mail when an address is
known, each as a background job that is recorded and retried."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from hongmian.core.models import JobRun
from hongmian.hotline import notifications
from hongmian.hotline.tests.factories import WorkOrderFactory
from hongmian.identity.tests.factories import PersonFactory, UserFactory

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def sms_log(settings, tmp_path):
    settings.HONGMIAN_SMS_BACKEND = "hongmian.hotline.notifications.FileSmsBackend"
    settings.HONGMIAN_SMS_FILE = tmp_path / "sms.log"
    return tmp_path / "sms.log"


@pytest.fixture
def immediate(settings):
    settings.TASKS = IMMEDIATE


def sent(path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.django_db
@pytest.mark.usefixtures("immediate")
class TestNotices:
    def test_order_received_texts_the_number_and_how_to_track_it(self, sms_log):
        order = WorkOrderFactory(caller_phone="13800138000", number="GZ-20260302-000123")
        notifications.order_received(order.pk)
        [sms] = sent(sms_log)
        assert sms["to"] == "13800138000"
        assert sms["text"] == (
            "【广州12345】您的诉求已受理，工单号GZ-20260302-000123，"
            "可凭工单号和手机号查询办理进度。"
        )
        assert mail.outbox == []  # no address known

    @pytest.mark.parametrize(
        ("notice", "words"),
        [("reply_ready", "已有答复"), ("callback_requested", "回访")],
    )
    def test_reply_and_callback_notices(self, sms_log, notice, words):
        order = WorkOrderFactory(caller_phone="13800138000")
        getattr(notifications, notice)(order.pk)
        [sms] = sent(sms_log)
        assert sms["text"].startswith("【广州12345】")
        assert words in sms["text"]
        assert order.number in sms["text"]

    def test_an_email_goes_to_the_submitting_account(self, sms_log):
        user = UserFactory(email="chen@example.cn")
        order = WorkOrderFactory(caller_phone="13800138000", submitted_by=user)
        notifications.reply_ready(order.pk)
        [message] = mail.outbox
        assert message.to == ["chen@example.cn"]
        assert order.number in message.subject
        assert "已有答复" in message.body
        assert len(sent(sms_log)) == 1

    def test_the_persons_mobile_and_email_when_the_order_has_none(self, sms_log):
        person = PersonFactory(mobile="13912345678", user=UserFactory(email="p@example.cn"))
        order = WorkOrderFactory(caller_phone="", caller_person=person)
        notifications.order_received(order.pk)
        assert [s["to"] for s in sent(sms_log)] == ["13912345678"]
        assert mail.outbox[0].to == ["p@example.cn"]

    def test_no_phone_no_sms(self, sms_log):
        order = WorkOrderFactory(caller_phone="")
        notifications.order_received(order.pk)
        assert sent(sms_log) == []
        assert JobRun.objects.filter(outcome=JobRun.Outcome.SUCCEEDED).count() == 2

    def test_a_confidential_order_still_notifies_its_caller(self, sms_log):
        order = WorkOrderFactory(caller_phone="13800138000", confidential=True)
        notifications.order_received(order.pk)
        assert [s["to"] for s in sent(sms_log)] == ["13800138000"]

    def test_a_deleted_order_is_not_an_error(self, sms_log):
        notifications.order_received(987654)
        assert sent(sms_log) == []
        assert not JobRun.objects.filter(outcome=JobRun.Outcome.FAILED).exists()

    def test_the_default_console_backend_logs(self, caplog):
        order = WorkOrderFactory(caller_phone="13800138000")
        with caplog.at_level("INFO", logger="hongmian.hotline.notifications"):
            notifications.order_received(order.pk)
        assert "SMS to 13800138000" in caplog.text


class DownBackend:
    def send(self, phone: str, text: str) -> None:
        raise ConnectionError("gateway down")


@pytest.mark.django_db(transaction=True)
def test_through_the_database_queue_and_the_worker(sms_log):
    order = WorkOrderFactory(caller_phone="13800138000")
    notifications.order_received(order.pk)
    # Only the order's id is queued: no phone number sits in the task table.
    queued = list(DBTaskResult.objects.values_list("args_kwargs", flat=True))
    assert len(queued) == 2
    assert "13800138000" not in json.dumps(queued)
    assert sent(sms_log) == []
    call_command("db_worker", batch=True, startup_delay=False, verbosity=0)
    assert [s["to"] for s in sent(sms_log)] == ["13800138000"]
    assert JobRun.objects.filter(outcome=JobRun.Outcome.SUCCEEDED).count() == 2


@pytest.mark.django_db
def test_a_failing_gateway_is_recorded_and_retried_later(settings):
    settings.HONGMIAN_SMS_BACKEND = "hongmian.hotline.tests.test_notifications.DownBackend"
    order = WorkOrderFactory(caller_phone="13800138000")
    with pytest.raises(ConnectionError):
        notifications.send_notice.call(order_id=order.pk, kind="order_received", channel="sms")
    run = JobRun.objects.get()
    assert run.outcome == JobRun.Outcome.RETRYING  # and enqueued again with back-off
    assert "gateway down" in run.error
    retry = DBTaskResult.objects.get()
    assert retry.run_after is not None
    assert retry.args_kwargs["kwargs"]["_attempt"] == 2


@pytest.mark.django_db
def test_unknown_notice_is_refused():
    with pytest.raises(ValueError, match="unknown notice"):
        notifications.send_notice.func(order_id=1, kind="nope", channel="sms")


# --- how intake queues its notices -----------------------------------------------------------

INTAKE = {
    "channel": "phone",
    "request_type": "complaint",
    "title": "路灯不亮",
    "content": "天河路路灯连续三晚不亮。",
    "caller_phone": "13800138000",
}


def _task_inserts(queries) -> list[str]:
    table = DBTaskResult._meta.db_table
    return [q["sql"] for q in queries if q["sql"].startswith(f'INSERT INTO "{table}"')]


@pytest.mark.django_db
def test_intake_queues_its_notices_in_one_statement_inside_its_transaction() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from hongmian.hotline.services.intake import work_order_intake
    from hongmian.hotline.services.intake_validation import IntakeRequest
    from hongmian.hotline.tests.factories import actor_of
    from hongmian.identity.states import Role

    agent = UserFactory(role=Role.HOTLINE_AGENT, email="agent@example.cn")
    with CaptureQueriesContext(connection) as queries:
        order, _ = work_order_intake(actor=actor_of(agent), request=IntakeRequest(**INTAKE))
    [insert] = _task_inserts(queries)
    # Written before the order's transaction ends (its COMMIT, or the last RELEASE inside
    # the test's own transaction).
    sqls = [q["sql"] for q in queries.captured_queries]
    end = max(n for n, sql in enumerate(sqls) if sql.startswith(("COMMIT", "RELEASE")))
    assert sqls.index(insert) < end
    jobs = sorted(r.args_kwargs["kwargs"]["channel"] for r in DBTaskResult.objects.all())
    assert jobs == ["email", "sms"]
    assert {r.args_kwargs["kwargs"]["order_id"] for r in DBTaskResult.objects.all()} == {order.pk}


@pytest.mark.django_db
def test_no_email_job_when_the_caller_has_no_address() -> None:
    from hongmian.hotline.services.intake import work_order_intake
    from hongmian.hotline.services.intake_validation import IntakeRequest
    from hongmian.hotline.tests.factories import actor_of
    from hongmian.identity.states import Role

    agent = UserFactory(role=Role.HOTLINE_AGENT, email="")
    work_order_intake(actor=actor_of(agent), request=IntakeRequest(**INTAKE))
    assert [r.args_kwargs["kwargs"]["channel"] for r in DBTaskResult.objects.all()] == ["sms"]


@pytest.mark.django_db(transaction=True)
def test_queued_notices_roll_back_with_the_order() -> None:
    from django.db import transaction

    from hongmian.hotline.models import WorkOrder
    from hongmian.hotline.services.intake import work_order_intake
    from hongmian.hotline.services.intake_validation import IntakeRequest
    from hongmian.hotline.tests.factories import actor_of
    from hongmian.identity.states import Role

    agent = UserFactory(role=Role.HOTLINE_AGENT)

    def intake_then_fail() -> None:
        with transaction.atomic():
            work_order_intake(actor=actor_of(agent), request=IntakeRequest(**INTAKE))
            assert DBTaskResult.objects.count() == 1
            raise RuntimeError("the caller's transaction fails after intake")

    with pytest.raises(RuntimeError):
        intake_then_fail()
    assert not WorkOrder.objects.exists()
    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_failed_email_is_retried_alone_and_never_texts_twice(monkeypatch, sms_log) -> None:
    def mail_down(**kwargs: object) -> None:
        raise ConnectionError("mail server down")

    monkeypatch.setattr(notifications, "send_mail", mail_down)
    order = WorkOrderFactory(caller_phone="13800138000", submitted_by=UserFactory(email="c@x.cn"))
    notifications.send_notice.call(order_id=order.pk, kind="order_received", channel="sms")
    with pytest.raises(ConnectionError):
        notifications.send_notice.call(order_id=order.pk, kind="order_received", channel="email")
    # The retry queued is the e-mail's alone: running it cannot text the caller again.
    [retry] = DBTaskResult.objects.all()
    assert retry.args_kwargs["kwargs"]["channel"] == "email"
    assert len(sent(sms_log)) == 1
