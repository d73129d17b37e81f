"""A made-up historical export in the import format (docs/hotline.md, "Import format"), so
that `hotline_import` can be tried and benchmarked without real records.

Rows are finished orders (closed, or archived when closed over a month ago) spread over the
year before `now - 15 days`, in time order, with numbers `HIS-YYYYMMDD-NNNNNNN` that the live
numbering (`GZ-…`) never produces. Deterministic for a seed and a count.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator, Mapping

from django.utils import timezone

from hongmian.hotline.demo.text import TextGenerator, resolve_unit

SPAN_DAYS = 365
# The newest exported order is this old: history, not orders still being handled.
NEWEST_DAYS = 15
ARCHIVE_AFTER = dt.timedelta(days=30)
# Callback outcomes of orders a unit handled: (satisfaction, share); "" is unreachable.
SATISFACTION_WEIGHTS = (("satisfied", 74), ("basic", 15), ("dissatisfied", 8), ("", 3))


def _flag(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


def _stamp(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def sample_export_rows(
    *,
    count: int,
    categories: Mapping[str, str],
    seed: int = 12345,
    now: dt.datetime | None = None,
) -> Iterator[dict[str, str]]:
    """`count` rows, oldest first, keyed by the import's columns (IMPORT_COLUMNS).
    `categories` maps topic keys to category codes (`text.topic_categories`); a topic
    without one gets an empty category_code."""
    rng = random.Random(seed)  # noqa: S311  # reproducible sample data, not secrets
    gen = TextGenerator(rng)
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    newest = timezone.localtime(now, tz) - dt.timedelta(days=NEWEST_DAYS)
    first_day = (newest - dt.timedelta(days=SPAN_DAYS)).date()
    for i in range(count):
        day = first_day + dt.timedelta(days=SPAN_DAYS * i // max(count, 1))
        created = dt.datetime(
            day.year, day.month, day.day, gen.hour(), rng.randrange(60), rng.randrange(60)
        ).replace(tzinfo=tz)
        topic = gen.topic()
        request_type = gen.request_type(topic)
        text = gen.request(topic)
        place = text.place
        region = place.district_code[:6] if place else gen.region()
        direct = request_type == "inquiry" and rng.random() < topic.direct_share
        if direct:
            unit = ""
            replied = closed = created + dt.timedelta(minutes=rng.randint(2, 15))
            satisfaction, resolved = "", None
        else:
            unit = resolve_unit(rng.choice(topic.units), place, region)
            replied = created + dt.timedelta(hours=rng.randint(4, 240))
            closed = replied + dt.timedelta(hours=rng.randint(12, 72))
            satisfaction = rng.choices(
                [s for s, _ in SATISFACTION_WEIGHTS], weights=[w for _, w in SATISFACTION_WEIGHTS]
            )[0]
            resolved = None if not satisfaction else satisfaction != "dissatisfied"
        archived = closed < now - ARCHIVE_AFTER and rng.random() < 0.8
        # Some exports leave the place to the reader; the importer parses the address then.
        with_codes = place is not None and rng.random() < 0.9
        row = {
            "number": f"HIS-{created:%Y%m%d}-{i + 1:07d}",
            "created_at": _stamp(created),
            "channel": gen.channel(),
            "request_type": request_type,
            "category_code": categories.get(topic.key, ""),
            "title": text.title,
            "content": text.content,
            "address": place.address if place else "",
            "district_code": place.district_code if place and with_codes else "",
            "street_code": place.street_code if place and with_codes else "",
            "lead_unit_code": unit,
            "status": "archived" if archived else "closed",
            "replied_at": _stamp(replied),
            "closed_at": _stamp(closed),
            "satisfaction": satisfaction,
            "resolved": _flag(resolved),
            "is_enterprise": _flag(rng.random() < topic.enterprise_share),
            "is_emergency": _flag(rng.random() < topic.zone_share),
        }
        yield row


__all__ = ["sample_export_rows"]
