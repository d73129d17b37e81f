"""Anomaly alerts from the scan log, checked right after each scan with indexed look-ups only
(the scan path must stay fast):

- impossible travel: the same code id's previous valid scan, at another terminal in the last
  hours (index citycode_scan_code), is farther than HONGMIAN_CITYCODE_MAX_SPEED_KMH allows
  for the time between;
- rapid scans: more than HONGMIAN_CITYCODE_RATE_MAX_SCANS at one terminal within
  HONGMIAN_CITYCODE_RATE_WINDOW_SECONDS (index citycode_scan_terminal);
- invalid burst: HONGMIAN_CITYCODE_INVALID_MAX invalid codes at one terminal in that window.

Each anomaly raises ONE alert (Alert.dedupe_key; a terminal's rate alerts are one per window,
checked under the terminal's row lock), sent to the terminal's owner unit as a hotline task
(`work_order_raise_alert`, channel `system`). An alert that cannot be filed is logged and does
not fail the scan."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext

from hongmian.citycode.models import Alert, Scan, Terminal
from hongmian.citycode.states import AlertKind, ScanResult
from hongmian.core.actors import Actor
from hongmian.core.errors import ApplicationError
from hongmian.geo.distance import great_circle_metres
from hongmian.hotline.services.alerts import work_order_raise_alert

logger = logging.getLogger(__name__)
# How far back the previous scan of a code is looked for: beyond this any trip is plausible.
TRAVEL_LOOKBACK = dt.timedelta(hours=6)
# Two places closer than this are "the same place" (a hall's two doors): no speed is computed.
NEAR_METRES = 1_000


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def scan_anomalies_check(*, scan: Scan, terminal: Terminal) -> list[Alert]:
    """Check the anomalies `scan` may reveal; returns the alerts raised (usually none)."""
    raised: list[Alert] = []
    window = dt.timedelta(seconds=_setting("HONGMIAN_CITYCODE_RATE_WINDOW_SECONDS", 60))
    since = scan.scanned_at - window
    if scan.result == ScanResult.OK and scan.code_id:
        raised += _travel(scan, terminal)
    recent = Scan.objects.filter(
        terminal=terminal, scanned_at__gt=since, scanned_at__lte=scan.scanned_at
    )
    if recent.count() > _setting("HONGMIAN_CITYCODE_RATE_MAX_SCANS", 120):
        raised += _rate_alert(AlertKind.RAPID_SCANS, scan, terminal, since)
    if scan.result != ScanResult.OK:
        invalid = recent.exclude(result=ScanResult.OK).count()
        if invalid >= _setting("HONGMIAN_CITYCODE_INVALID_MAX", 10):
            raised += _rate_alert(AlertKind.INVALID_BURST, scan, terminal, since)
    return raised


def _travel(scan: Scan, terminal: Terminal) -> list[Alert]:
    previous = (
        Scan.objects.filter(
            code_id=scan.code_id,
            result=ScanResult.OK,
            scanned_at__gte=scan.scanned_at - TRAVEL_LOOKBACK,
            scanned_at__lte=scan.scanned_at,
        )
        .exclude(pk=scan.pk)
        .exclude(terminal=terminal)
        .select_related("terminal")
        .order_by("-scanned_at", "-id")
        .first()
    )
    if previous is None:
        return []
    metres = great_circle_metres(
        previous.terminal.latitude,
        previous.terminal.longitude,
        terminal.latitude,
        terminal.longitude,
    )
    if metres < NEAR_METRES:
        return []
    seconds = max((scan.scanned_at - previous.scanned_at).total_seconds(), 1.0)
    kmh = metres / 1000 / (seconds / 3600)
    if kmh <= _setting("HONGMIAN_CITYCODE_MAX_SPEED_KMH", 300):
        return []
    detail = {
        "code_id": scan.code_id,
        "from_terminal": previous.terminal.code,
        "from_place": previous.terminal.place_name,
        "to_terminal": terminal.code,
        "to_place": terminal.place_name,
        "km": round(metres / 1000, 1),
        "seconds": round(seconds),
        "kmh": round(kmh),
    }
    # One alert per pair of scans: the person scanning again at the second place is the same
    # anomaly (the previous scan elsewhere is still the same row).
    alert = _raise(AlertKind.IMPOSSIBLE_TRAVEL, terminal, f"travel:{previous.pk}", detail)
    return [alert] if alert is not None else []


def _rate_alert(kind: str, scan: Scan, terminal: Terminal, since: dt.datetime) -> list[Alert]:
    with transaction.atomic():
        # Scans of one terminal that cross the threshold together wait here for each other:
        # the first raises the alert, the others see it.
        Terminal.objects.select_for_update().filter(pk=terminal.pk).first()
        if Alert.objects.filter(kind=kind, terminal=terminal, created_at__gt=since).exists():
            return []
        detail: dict[str, object] = {
            "terminal": terminal.code,
            "place": terminal.place_name,
            "since": since.isoformat(),
        }
        alert = _raise(kind, terminal, f"{kind}:{terminal.pk}:{scan.pk}", detail)
    return [alert] if alert is not None else []


def _raise(
    kind: str, terminal: Terminal, dedupe_key: str, detail: Mapping[str, object]
) -> Alert | None:
    label = AlertKind(kind).label
    subject = gettext("红棉码核验预警：%(kind)s（%(terminal)s）") % {
        "kind": label,
        "terminal": terminal.name,
    }
    body = gettext("终端 %(code)s（%(place)s）发现异常：%(kind)s。详情：%(detail)s") % {
        "code": terminal.code,
        "place": terminal.place_name,
        "kind": label,
        "detail": "，".join(f"{k}={v}" for k, v in detail.items()),
    }
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                kind=kind, terminal=terminal, dedupe_key=dedupe_key, detail=detail
            )
            order, _created = work_order_raise_alert(
                actor=Actor.system("citycode-anomaly"),
                unit=terminal.owner_unit,
                subject=subject,
                body=body,
                source_ref=f"citycode:{dedupe_key}",
            )
            alert.work_order = order
            alert.save(update_fields=["work_order", "updated_at"])
    except IntegrityError:
        return None  # raised already (the dedupe key exists)
    except ApplicationError as exc:
        logger.warning("citycode alert %s not filed: %s", dedupe_key, exc.code)
        return None
    return alert
