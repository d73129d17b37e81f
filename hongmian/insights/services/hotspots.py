"""Hot spots (热点) on the platform's orders, between the algorithm (analysis/hotspots.py,
which knows nothing of the database) and the board, the command and the periodic job:
`hotspots_find(...)` (read only), `hotspot_scan(*, actor, ...)` (stores the snapshot the
board reads and raises alerts), `hotspot_alert_acknowledge(*, actor, alert)`. The stored
snapshots and alerts are read through `insights.selectors` (`hotspots_latest` …).

The caller's phone is read only to count distinct callers; it is never stored with a hot
spot or written into an alert.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext

from hongmian.core.actors import Actor
from hongmian.core.audit import audit_record
from hongmian.core.errors import NotFound, PermissionDenied
from hongmian.geo.selectors import gazetteer
from hongmian.hotline.models import TimelineEntry, WorkOrder
from hongmian.hotline.services.timeline import timeline_entry
from hongmian.hotline.states import OPEN_STATUSES, Priority, Visibility
from hongmian.insights import permissions
from hongmian.insights.analysis import hotspots
from hongmian.insights.models import Hotspot, HotspotAlert

# Hot spots: the scan looks back this far; the board shows the hottest BOARD_HOTSPOTS.
HOTSPOT_DAYS = 30
HOTSPOT_HALF_LIFE_DAYS = 7.0
HOTSPOTS_STORED = 20
BOARD_HOTSPOTS = 5
# Scans older than this are deleted by the next scan: the board reads only the latest.
SCANS_KEPT_DAYS = 7
# A group alerted within this many days is not alerted again while it keeps most of its
# orders: one wave, one alert.
ALERT_QUIET_DAYS = 3
# Timeline notices per alert: the representative order and the newest open ones.
ALERT_TIMELINE_ORDERS = 20
# The advisory lock that keeps two scans from alerting at once ("HOTSPOTS" in ASCII).
SCAN_LOCK_KEY = 0x484F5453504F5453


@dataclass(frozen=True, slots=True)
class FoundHotspot:
    group: hotspots.HotGroup
    order_ids: list[int]
    place_code: str


def hotspot_messages(*, since: dt.datetime, until: dt.datetime) -> list[hotspots.Message]:
    """Every order taken in [since, until), as the grouping reads it: place = its street
    code (or its district code when the street is unknown), district = its district code,
    caller = its phone (or account), severe = urgent or emergency.
    Merged orders count: each is one more person who called. One query."""
    rows = WorkOrder.objects.filter(created_at__gte=since, created_at__lt=until).values_list(
        "pk",
        "title",
        "content",
        "created_at",
        "street_code",
        "district_code",
        "caller_phone",
        "submitted_by_id",
        "priority",
        "is_emergency",
    )
    return [
        hotspots.Message(
            key=str(pk),
            title=title,
            content=content,
            at=timezone.localtime(created),
            # Street or district, compared as one value: an order that names only its
            # district must not bridge two streets of it (the chain would span the district).
            place=street or district,
            district=district,
            caller=phone or (f"account:{account}" if account else ""),
            severe=emergency or priority in (Priority.URGENT, Priority.EMERGENCY),
        )
        for (
            pk,
            title,
            content,
            created,
            street,
            district,
            phone,
            account,
            priority,
            emergency,
        ) in rows
    ]


def hotspots_find(
    *, now: dt.datetime | None = None, days: int = HOTSPOT_DAYS
) -> list[FoundHotspot]:
    """The hot spots of the last `days` days, hottest first, with heat read at `now` (a group
    cools with a half-life of HOTSPOT_HALF_LIFE_DAYS after its latest order). Reads only."""
    now = now or timezone.now()
    messages = hotspot_messages(since=now - dt.timedelta(days=days), until=now)
    groups = hotspots.find_hotspots(
        messages,
        params=hotspots.Params(half_life_days=HOTSPOT_HALF_LIFE_DAYS),
        now=timezone.localtime(now),
    )
    by_key = {m.key: m for m in messages}
    found = []
    for group in groups:
        codes = [by_key[k].place for k in group.keys if by_key[k].place]
        code = max(set(codes), key=codes.count) if codes else ""
        found.append(FoundHotspot(group, [int(k) for k in group.keys], code))
    return found


@dataclass
class ScanResult:
    scanned_at: dt.datetime
    found: int
    stored: list[Hotspot] = field(default_factory=list)
    alerts: list[HotspotAlert] = field(default_factory=list)


def place_label(code: str, fallback: str = "") -> str:
    entry = gazetteer().by_code.get(code) if code else None
    return entry.name if entry is not None else fallback


def hotspot_scan(
    *, actor: Actor, now: dt.datetime | None = None, days: int = HOTSPOT_DAYS
) -> ScanResult:
    """热点扫描: store the hottest HOTSPOTS_STORED groups as the latest snapshot (the board
    reads it), prune old snapshots, and raise a HotspotAlert — audited, with a staff
    timeline notice on the group's open orders — for each group that burst today or
    yesterday and was not alerted in the last ALERT_QUIET_DAYS. Run by the periodic job
    and by `hongmian hotspots --from-db --commit`; only the system may run it."""
    if not permissions.can_scan_hotspots(actor):
        raise PermissionDenied(gettext("热点扫描由系统任务执行"), code="hotspot.scan_forbidden")
    now = now or timezone.now()
    found = hotspots_find(now=now, days=days)
    today = timezone.localdate(now)
    result = ScanResult(scanned_at=now, found=len(found))
    with transaction.atomic():
        _one_scan_at_a_time()
        Hotspot.objects.filter(scanned_at__lt=now - dt.timedelta(days=SCANS_KEPT_DAYS)).delete()
        for rank, spot in enumerate(found[:HOTSPOTS_STORED], start=1):
            result.stored.append(_store(spot, rank=rank, scanned_at=now, today=today))
        recent = list(
            HotspotAlert.objects.filter(
                created_at__gte=now - dt.timedelta(days=ALERT_QUIET_DAYS)
            ).values_list("order_ids", flat=True)
        )
        # Every group may alert, not only the stored ones: a new problem's first day can be
        # small and not yet hot, and that is the day the alert is for.
        for spot in found:
            burst = spot.group.bursts[-1] if spot.group.bursts else None
            if burst is None or burst.day < today - dt.timedelta(days=1):
                continue
            if any(_overlap(spot.order_ids, ids) >= 0.5 for ids in recent):
                continue
            alert = _alert(actor, spot, burst)
            recent.append(alert.order_ids)
            result.alerts.append(alert)
    return result


def _one_scan_at_a_time() -> None:
    """Two schedulers may start the job together: the second waits here until the first
    has committed, then sees its alerts and raises none twice. SQLite (development) has one
    writer at a time anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCAN_LOCK_KEY])


def _store(spot: FoundHotspot, *, rank: int, scanned_at: dt.datetime, today: dt.date) -> Hotspot:
    group = spot.group
    return Hotspot.objects.create(
        scanned_at=scanned_at,
        rank=rank,
        heat=round(group.heat, 3),
        reports=group.reports,
        callers=group.callers,
        started_at=group.start,
        ended_at=group.end,
        place_code=spot.place_code,
        place_label=place_label(spot.place_code, group.place)[:100],
        keywords=group.keywords,
        title=group.title[:200],
        representative_id=int(group.representative),
        order_ids=spot.order_ids,
        bursting=bool(group.bursts) and group.bursts[-1].day >= today - dt.timedelta(days=1),
        details={
            "heat_parts": {k: round(v, 3) for k, v in group.parts.items()},
            "bursts": [b.as_dict() for b in group.bursts],
        },
    )


def _overlap(a: Sequence[int], b: Sequence[int]) -> float:
    """Shared orders over the smaller group's size."""
    if not a or not b:
        return 0.0
    return len(set(a) & set(b)) / min(len(set(a)), len(set(b)))


def _alert(actor: Actor, spot: FoundHotspot, burst: hotspots.Burst) -> HotspotAlert:
    group = spot.group
    where = place_label(spot.place_code, group.place)[:100]
    alert = HotspotAlert.objects.create(
        day=burst.day,
        count=burst.count,
        expected=round(burst.expected, 3),
        p_value=burst.p_value,
        title=group.title[:200],
        keywords=group.keywords,
        place_label=where,
        heat=round(group.heat, 3),
        representative_id=int(group.representative),
        order_ids=spot.order_ids,
    )
    audit_record(
        actor=actor,
        action="hotspot.alert",
        target=alert,
        after={
            "day": burst.day,
            "count": burst.count,
            "expected": round(burst.expected, 3),
            "orders": len(spot.order_ids),
        },
    )
    text = (
        f"热点预警：{group.description}（{where or '地点未知'}），"
        f"近 {HOTSPOT_DAYS} 天同类诉求 {group.reports} 件，"
        f"{burst.day:%m月%d日} 单日 {burst.count} 件，明显高于此前水平。"
    )
    open_orders = list(
        WorkOrder.objects.filter(pk__in=spot.order_ids, status__in=OPEN_STATUSES)
        .order_by("-created_at", "-id")
        .only("pk")[:ALERT_TIMELINE_ORDERS]
    )
    TimelineEntry.objects.bulk_create(
        [
            timeline_entry(
                order=order,
                actor=actor,
                kind="hotspot_alert",
                visibility=Visibility.STAFF,
                text=text,
                data={"alert": alert.pk},
            )
            for order in open_orders
        ]
    )
    return alert


def hotspot_alert_acknowledge(*, actor: Actor, alert: HotspotAlert | int) -> HotspotAlert:
    """知悉: a supervisor has seen the alert; it leaves the board. Acknowledging twice keeps
    the first acknowledgement. NotFound for a missing alert; PermissionDenied for anyone
    but a supervisor."""
    user: Any = actor.user
    if not permissions.can_acknowledge_hotspot_alert(user):
        raise PermissionDenied(gettext("只有督办员可以处理热点预警"), code="hotspot.forbidden")
    pk = alert.pk if isinstance(alert, HotspotAlert) else alert
    with transaction.atomic():
        locked = HotspotAlert.objects.select_for_update().filter(pk=pk).first()
        if locked is None:
            raise NotFound(gettext("热点预警不存在"), code="hotspot_alert.not_found")
        if locked.acknowledged_at is not None:
            return locked
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = user
        locked.save(update_fields=["acknowledged_at", "acknowledged_by", "updated_at"])
        audit_record(
            actor=actor,
            action="hotspot.alert_acknowledge",
            target=locked,
            after={"acknowledged_at": locked.acknowledged_at},
        )
    return locked
