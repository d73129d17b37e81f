"""The hotline's one door to the telephony app (`hongmian.telephony`: CTI events, screen
pops, the missed-call queue, SMS in and out). The telephony app reads and writes orders
through the hotline's selectors and services; the hotline reaches it only through this
module, and works without it:

- the console includes the screen-pop slot (`console_context`: the stream's URL and the
  hidden field that carries the call id into the intake); after an intake,
  `link_call` links the call the agent is on to the new order (its recording then shows
  on the order page). Neither exists without the app;
- the order page loads its 通话录音与短信 panel from `order_panel_url` (None without);
- the board shows the missed-call queue's open count (`callback_queue_count`, None without);
- every SMS notice the hotline sends is logged per order with `sms_sent` (nothing without).

No other hotline module imports `hongmian.telephony` (hotline/tests/test_telephony_hook.py).
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.http import HttpRequest
from django.urls import reverse

from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError

if TYPE_CHECKING:
    from hongmian.hotline.models import WorkOrder

TELEPHONY_APP = "hongmian.telephony"
# The intake form's hidden field that carries the call the agent is on (the slot fills it).
CALL_FIELD = "telephony_call"


def _module(name: str) -> ModuleType | None:
    if not apps.is_installed(TELEPHONY_APP):
        return None
    try:
        return import_module(f"{TELEPHONY_APP}.{name}")
    except ImportError:
        return None


def available() -> bool:
    return _module("services") is not None


def console_context(request: HttpRequest) -> dict[str, Any]:
    """What the console's screen-pop slot needs; {} without the app or for a user who gets no
    pops (the slot is then left out)."""
    permissions = _module("permissions")
    selectors = _module("selectors")
    if permissions is None or selectors is None or not permissions.can_receive_pops(request.user):
        return {}
    # The stream starts after the newest pop as the page is drawn: a call answered while
    # the page loads still pops once the stream connects.
    after = selectors.screen_pop_last_id(request.user)
    return {
        "telephony_stream_url": f"{reverse('telephony:pops_stream')}?after={after}",
        "telephony_call_field": CALL_FIELD,
        "telephony_missed_url": reverse("telephony:missed"),
        "telephony_missed_count": selectors.callback_queue_count(),
    }


def link_call(request: HttpRequest, order: WorkOrder) -> None:
    """After an intake from the console: link the call named by the form's hidden field to
    the order. Never fails the intake (a call that is gone or not the agent's is skipped)."""
    raw = request.POST.get(CALL_FIELD, "")
    services = _module("services")
    if not raw.isdigit() or services is None:
        return
    try:
        services.call_link_order(actor=Actor.from_request(request), call=int(raw), order=order)
    except ApplicationError:
        return


def order_panel_url(order: WorkOrder) -> str | None:
    """Where the order page loads its 通话录音与短信 panel; None without the app."""
    if not available():
        return None
    return reverse("telephony:order_panel", args=(order.pk,))


def callback_queue_count(user: Any) -> int | None:
    """未接来电待回拨: the queue's true count for the centre; None without the app or for
    anyone else (the board then shows no tile)."""
    permissions = _module("permissions")
    selectors = _module("selectors")
    if permissions is None or selectors is None or not permissions.can_view_callbacks(user):
        return None
    return int(selectors.callback_queue_count())


def callback_queue_url() -> str | None:
    return reverse("telephony:missed") if available() else None


def sms_sent(*, order_id: int, phone: str, text: str, kind: str, ok: bool, error: str = "") -> None:
    """Log one SMS notice attempt on its order (下行短信); nothing without the app."""
    services = _module("services")
    if services is None:
        return
    services.outbound_sms_record(
        order_id=order_id,
        phone=phone,
        text=text,
        kind=kind,
        status="sent" if ok else "failed",
        error=error,
    )
