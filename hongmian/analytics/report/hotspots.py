"""The report's 热点 section, read from the insights app's hot-spot scans in the database (they
read the orders' text, which the analytics store does not hold)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from hongmian.analytics.periods import Period


def period_hotspots(period: Period, *, district: str | None, top_n: int) -> dict[str, Any]:
    """热点 of the period from the insights app's hot-spot scans (problem × place × time; they
    read the orders' text, which the analytics store does not hold): the groups of the last
    scan that reaches the period, and the burst alerts raised for its days. Scans are kept a
    week, so an older period has no groups (`groups` empty) but keeps its alerts. A district
    report keeps the groups and alerts placed in that district."""
    from hongmian.insights import selectors

    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime.combine(period.start, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    spots = selectors.hotspots_for_period(start=start, end=end)
    alerts = selectors.hotspot_alerts_between(start=start.date(), end=end.date())
    if district:
        # Codes are 9 digits: a district's first six lead each of its streets' codes.
        spots = [h for h in spots if h.place_code[:6] == district[:6]]
        alerts = [
            a
            for a in alerts
            if a.representative is not None and a.representative.district_code == district
        ]
    spots = spots[:top_n]
    return {
        "scanned_at": spots[0].scanned_at.astimezone(tz).isoformat(timespec="minutes")
        if spots
        else None,
        "groups": [
            {
                "rank": i,
                "title": h.title,
                "place": h.place_label,
                "reports": h.reports,
                "callers": h.callers,
                "heat": round(h.heat, 1),
                "first": h.started_at.astimezone(tz).date().isoformat(),
                "last": h.ended_at.astimezone(tz).date().isoformat(),
                "bursting": h.bursting,
                "keywords": list(h.keywords)[:5],
                "representative": h.representative.number if h.representative else None,
            }
            for i, h in enumerate(spots, start=1)
        ],
        "alerts": [
            {
                "day": a.day.isoformat(),
                "title": a.title,
                "place": a.place_label,
                "count": a.count,
                "expected": round(a.expected, 1),
            }
            for a in alerts
        ],
    }


__all__ = ["period_hotspots"]
