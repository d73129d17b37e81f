"""Telling the caller what happened to their order: an SMS, and an e-mail when an address
is known.

The lifecycle services call `order_received`, `reply_ready` and `callback_requested` with
`transaction.on_commit(lambda: notifications.order_received(order.id))`, so that nothing is
sent for a change that rolls back; intake uses `in_transaction(...)`, which writes the jobs
in the order's own transaction when the queue is the database (an outbox: the jobs commit
or roll back with the order, in one INSERT and no extra commit). Each call only enqueues
`reliable_task`s, all of them in one statement: the gateway may be slow or down, and a
failed send is retried with back-off and stays on record in JobRun, never lost silently
and never in the request path.

One job per channel: a mail server that is down must not make the retry text the caller
twice. When the caller is known to have no e-mail address, no e-mail job is queued.

SMS goes through a pluggable backend named by `settings.HONGMIAN_SMS_BACKEND` (a dotted path
to a class with `send(phone, text) -> None`): `ConsoleSmsBackend` (the default, for the
demo) logs the message, `FileSmsBackend` appends JSON lines to a file (for tests, staging and
anyone who wants to read what would have been sent), and a real gateway is one more class.

A confidential (保密) order still notifies its caller: confidentiality hides the caller from
the handling unit, not the order from the caller.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Collection, Iterable
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from hongmian.core.jobs import enqueue_many, queue_is_transactional, reliable_task
from hongmian.hotline import telephony_hook

logger = logging.getLogger(__name__)

SMS_SIGNATURE = "【广州12345】"
TRACKING_HINT = "可凭工单号和手机号查询办理进度。"

# What each notice says. `{number}` is the order number.
_SMS_TEXTS = {
    "order_received": SMS_SIGNATURE + "您的诉求已受理，工单号{number}，" + TRACKING_HINT,
    "reply_ready": SMS_SIGNATURE
    + "您的诉求（工单号{number}）已有答复，请查阅办理结果；如有疑问可致电12345。"
    + TRACKING_HINT,
    "callback_requested": SMS_SIGNATURE
    + "您的诉求（工单号{number}）已办理完毕，近期我们将回访了解办理情况，请留意来电。"
    + TRACKING_HINT,
}
_EMAIL_SUBJECTS = {
    "order_received": "您的诉求已受理（工单号{number}）",
    "reply_ready": "您的诉求已有答复（工单号{number}）",
    "callback_requested": "办理情况回访通知（工单号{number}）",
}
NOTICE_KINDS = tuple(_SMS_TEXTS)
CHANNELS = ("sms", "email")


class SmsBackend(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleSmsBackend:
    """Writes the message to the log instead of sending it (the demo and development)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


class FileSmsBackend:
    """Appends one JSON object per message to `settings.HONGMIAN_SMS_FILE` (var/sms.log).
    A lock keeps the lines whole when several worker threads send at once."""

    _lock = threading.Lock()

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path or settings.HONGMIAN_SMS_FILE)

    def send(self, phone: str, text: str) -> None:
        line = json.dumps(
            {"at": timezone.now().isoformat(), "to": phone, "text": text}, ensure_ascii=False
        )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._lock, self.path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")


def sms_backend() -> SmsBackend:
    backend: SmsBackend = import_string(settings.HONGMIAN_SMS_BACKEND)()
    return backend


def notice_text(kind: str, number: str) -> str:
    return _SMS_TEXTS[kind].format(number=number)


# --- what the services call ----------------------------------------------------------------


def order_received(order_id: int, *, email: bool = True) -> None:
    """受理告知 — the order was recorded and has a number to track it by. `email=False`
    when the intake knows the caller has no address (no e-mail job is queued)."""
    notices_enqueue("order_received", [order_id], no_email=() if email else (order_id,))


def orders_received(orders: Iterable[tuple[int, bool]]) -> None:
    """受理告知 for many orders at once (a batch intake): `(order id, e-mail known)` pairs."""
    orders = list(orders)
    notices_enqueue(
        "order_received",
        [pk for pk, _ in orders],
        no_email={pk for pk, email in orders if not email},
    )


def reply_ready(order_id: int) -> None:
    """答复告知 — the handling unit has replied."""
    notices_enqueue("reply_ready", [order_id])


def callback_requested(order_id: int) -> None:
    """回访告知 — the centre will call back to ask whether it was solved."""
    notices_enqueue("callback_requested", [order_id])


def notices_enqueue(kind: str, order_ids: Iterable[int], *, no_email: Collection[int] = ()) -> None:
    """Queue the `kind` notice for each order, one job per channel (none by e-mail for the
    orders in `no_email`), all in one statement. Only the order's id goes into the queue,
    never the phone or address."""
    enqueue_many(
        send_notice,
        [
            {"order_id": order_id, "kind": kind, "channel": channel}
            for order_id in order_ids
            for channel in CHANNELS
            if channel != "email" or order_id not in no_email
        ],
    )


def in_transaction(notice: Callable[..., None], *args: Any, **kwargs: Any) -> None:
    """Call a notice function for a change being made in the current transaction: now, when
    the queue is the database (the jobs then commit with the change), else on commit (a
    broker cannot roll back, and nothing may be sent for a change that does not happen)."""
    if queue_is_transactional(send_notice):
        notice(*args, **kwargs)
    else:
        transaction.on_commit(lambda: notice(*args, **kwargs))


def email_known(*, user: object | None, person: object | None) -> bool:
    """Whether a notice about an order by `user` for `person` could be e-mailed (the same
    addresses `send_notice` looks at), without reading anything from the database beyond
    what the intake already holds."""
    person_user = getattr(person, "user", None) if person is not None else None
    return any(getattr(u, "email", "") for u in (user, person_user))


# --- the job ------------------------------------------------------------------------------


def _recipients(order: object) -> tuple[str, str]:
    """The caller's phone and e-mail address, either of which may be empty."""
    phone = getattr(order, "caller_phone", "") or ""
    person = getattr(order, "caller_person", None)
    if not phone and person is not None:
        phone = person.mobile
    email = ""
    for user in (
        getattr(order, "submitted_by", None),
        getattr(person, "user", None) if person is not None else None,
    ):
        if user is not None and user.email:
            email = user.email
            break
    return phone, email


@reliable_task()
def send_notice(*, order_id: int, kind: str, channel: str) -> bool:
    """Send one notice about one order on one channel ("sms" or "email"). Returns whether
    anything was sent: False when the caller left no phone (or no address), or when the
    order was deleted before the worker ran — neither is worth a retry."""
    from hongmian.hotline.models import WorkOrder

    if kind not in _SMS_TEXTS or channel not in CHANNELS:
        raise ValueError(f"unknown notice {kind!r} on {channel!r}")
    order = (
        WorkOrder.objects.select_related("caller_person__user", "submitted_by")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        logger.warning("notice %s: order %s no longer exists", kind, order_id)
        return False
    phone, email = _recipients(order)
    text = notice_text(kind, order.number)
    if channel == "sms":
        if not phone:
            return False
        try:
            sms_backend().send(phone, text)
        except Exception as exc:
            # Logged on the order, then retried by the job: each attempt is a row.
            telephony_hook.sms_sent(
                order_id=order.pk, phone=phone, text=text, kind=kind, ok=False, error=str(exc)
            )
            raise
        telephony_hook.sms_sent(order_id=order.pk, phone=phone, text=text, kind=kind, ok=True)
        return True
    if not email:
        return False
    send_mail(
        subject=_EMAIL_SUBJECTS[kind].format(number=order.number),
        message=text.removeprefix(SMS_SIGNATURE),
        from_email=settings.HONGMIAN_NOTIFY_FROM_EMAIL,
        recipient_list=[email],
    )
    return True
