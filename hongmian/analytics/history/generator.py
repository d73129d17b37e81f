"""A synthetic 12345 history, written straight to the analytics store (same schema, same
month partitions as the export), for demos, tests and benchmarks.

How it is drawn, so that the figures behave like a real hotline's:
1. A weight for every (day, l2 category): category volume × its seasonal shape × weekday ×
   Spring Festival / National Day dip × yearly growth × surges (a week at 3× for one
   category). The N orders are spread over the cells by one multinomial draw, so the total is
   exactly N and every effect shows in the counts.
2. Each month is then made on its own (in parallel worker processes): times of day, channel
   (shifting from phone to WeChat over the years), request type (by category), district (by
   population) and street, lead unit (by category: a department, the district, or the street
   office), direct answers (most inquiries), and the handling — dispatch, 签收, reply,
   callback, reopen, returns, extensions — whose punctuality and outcome depend on the
   unit's quality. Events after the history's end are left undone (those orders are open).

Deterministic: a month's random stream is seeded by (seed, year, month), so the same seed
gives the same files whatever the number of workers. All sampling is vectorised (numpy,
pyarrow); no Python loop runs per order.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from hongmian.analytics import store as store_mod
from hongmian.analytics.history import profiles as P
from hongmian.analytics.schema import ORDER_SCHEMA, ROW_GROUP_SIZE, month_key
from hongmian.core.errors import Conflict, ValidationFailed

_US = 1_000_000
_HOUR_US = 3600 * _US
_UTC_OFFSET_S = 8 * 3600  # Beijing time has had no daylight saving since 1991
_EPOCH = dt.date(1970, 1, 1)

STATUS_NAMES = ("received", "dispatched", "acknowledged", "replied", "closed", "archived")
CLOSE_REASONS = ("direct_answer", "callback", "unreachable")
SATISFACTIONS = ("satisfied", "basic", "dissatisfied")
MAX_ORDERS = 2_000_000_000

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Episode:
    """A span of days (indices into the month's days are computed per month)."""

    first: dt.date
    last: dt.date
    index: int  # category (surge) or district (emergency) index


@dataclass(frozen=True, slots=True)
class MonthJob:
    key: str
    first_day: dt.date
    counts: np.ndarray  # orders per day of the month
    category_cum: np.ndarray  # (days, n_l2) cumulative category shares of each day
    first_order_id: int
    as_of_us: int  # UTC microseconds: events after this have not happened yet
    emergencies: tuple[Episode, ...]
    seed: int


@dataclass(frozen=True, slots=True)
class GenerationResult:
    rows: int
    partitions: int
    seconds: float
    surges: tuple[tuple[str, str, str], ...]  # (first day, last day, category code)
    emergencies: tuple[tuple[str, str, str], ...]  # (first day, last day, district code)

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else float("inf")


def _day_factors(days: list[dt.date]) -> np.ndarray:
    out = np.empty(len(days))
    first_year = days[0].year
    for i, day in enumerate(days):
        f = P.WEEKDAY_FACTORS[day.weekday()]
        festival = P.SPRING_FESTIVALS.get(day.year)
        if festival is not None and -3 <= (day - festival).days <= 6:
            f *= P.SPRING_FESTIVAL_FACTOR
        # Days late in the year may sit before the next year's festival (January–February).
        nxt = P.SPRING_FESTIVALS.get(day.year + 1)
        if nxt is not None and -3 <= (day - nxt).days <= 6:
            f *= P.SPRING_FESTIVAL_FACTOR
        if day.month == 10 and day.day <= 7:
            f *= P.NATIONAL_DAY_FACTOR
        years = day.year - first_year + (day.timetuple().tm_yday - 1) / 365.0
        out[i] = f * (1.0 + P.ANNUAL_GROWTH) ** years
    return out


def _episodes(
    rng: np.random.Generator, days: list[dt.date], per_year: float, length: int, choices: np.ndarray
) -> list[Episode]:
    span = len(days)
    if span < length * 2 or len(choices) == 0:
        return []
    count = max(1, round(per_year * span / 365.0)) if span >= 60 else 0
    out = []
    for _ in range(count):
        start = int(rng.integers(0, span - length + 1))
        out.append(Episode(days[start], days[start + length - 1], int(rng.choice(choices))))
    return sorted(out, key=lambda e: e.first)


def plan(
    *, profile: P.Profile, orders: int, start: dt.date, end: dt.date, seed: int
) -> tuple[list[MonthJob], list[Episode], list[Episode]]:
    """Split the history into month jobs; also returns the surges and emergency episodes."""
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    rng = np.random.default_rng(np.random.SeedSequence([seed, 0x5EED]))
    month_idx = np.array([d.month - 1 for d in days])
    weight = (
        profile.l2_weight[None, :] * profile.l2_season[:, month_idx].T * _day_factors(days)[:, None]
    )
    surges = _episodes(
        rng, days, P.SURGES_PER_YEAR, P.SURGE_DAYS, np.flatnonzero(profile.l2_surges)
    )
    for ep in surges:
        a = (ep.first - start).days
        weight[a : a + P.SURGE_DAYS, ep.index] *= P.SURGE_FACTOR
    emergencies = _episodes(
        rng,
        days,
        P.EMERGENCY_EPISODES_PER_YEAR,
        P.EMERGENCY_DAYS,
        np.arange(len(profile.district_codes)),
    )
    # Orders per day exactly sum to N; each order's category is drawn from its day's mix.
    day_weight = weight.sum(axis=1)
    counts = rng.multinomial(orders, day_weight / day_weight.sum())
    category_cum = np.cumsum(weight / day_weight[:, None], axis=1)
    category_cum[:, -1] = 1.0

    as_of = dt.datetime.combine(end + dt.timedelta(days=1), dt.time())
    as_of_us = int((as_of - dt.datetime(1970, 1, 1)).total_seconds() - _UTC_OFFSET_S) * _US
    jobs: list[MonthJob] = []
    next_id = 1
    i = 0
    while i < len(days):
        key = month_key(days[i])
        j = i
        while j < len(days) and month_key(days[j]) == key:
            j += 1
        chunk = counts[i:j]
        total = int(chunk.sum())
        if total:
            jobs.append(
                MonthJob(
                    key=key,
                    first_day=days[i],
                    counts=chunk,
                    category_cum=category_cum[i:j],
                    first_order_id=next_id,
                    as_of_us=as_of_us,
                    emergencies=tuple(
                        e for e in emergencies if e.first <= days[j - 1] and e.last >= days[i]
                    ),
                    seed=seed,
                )
            )
        next_id += total
        i = j
    return jobs, surges, emergencies


# --- one month ---------------------------------------------------------------------------


def _dict(indices: np.ndarray, labels: list[str] | tuple[str, ...], mask: Any = None) -> pa.Array:
    idx = pa.array(indices.astype(np.int32, copy=False), type=pa.int32(), mask=mask)
    return pa.DictionaryArray.from_arrays(idx, pa.array(labels, type=pa.string()))


def _ts(values: np.ndarray, mask: Any = None) -> pa.Array:
    return pa.array(values, type=ORDER_SCHEMA.field("created_at").type, mask=mask)


# Draws from a per-row distribution go through a lookup table of this many equal slices of
# [0, 1): one indexed read per draw instead of a binary search. A bucket's probability is
# thus rounded to 1/4096 — far below the noise of any figure the history feeds.
_RESOLUTION = 4096


def _lookup(cumulative: np.ndarray) -> np.ndarray:
    """(rows, _RESOLUTION) table: the bucket that the middle of each slice falls in."""
    grid = (np.arange(_RESOLUTION) + 0.5) / _RESOLUTION
    return np.stack([np.searchsorted(c[:-1], grid, side="right") for c in cumulative]).astype(
        np.int16
    )


def _pick(u: np.ndarray, row: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Bucket of each uniform draw `u` (float32 in [0, 1)) in its own row of `table`."""
    return np.asarray(table[row, (u * _RESOLUTION).astype(np.int32)])


def _hours(rng: np.random.Generator, n: int, median: float, sigma: float) -> np.ndarray:
    return rng.lognormal(np.log(median), sigma, n).astype(np.float64)


def month_tables(job: MonthJob, profile: P.Profile) -> Iterator[pa.Table]:
    """The orders of one month, sorted by created_at, in tables of ROW_GROUP_SIZE rows.
    Times are drawn for the whole month (they must be sorted); everything else slice by
    slice, so the working arrays stay small enough to live in the CPU cache."""
    rng = np.random.default_rng(
        np.random.SeedSequence([job.seed, job.first_day.year, job.first_day.month])
    )
    n_days = len(job.counts)
    n = int(job.counts.sum())
    dates = [job.first_day + dt.timedelta(days=i) for i in range(n_days)]

    # When: day, hour (working-day or weekend shape) and second, sorted in place — a month's
    # seconds fit in int32, and sorting values is cheaper than permuting rows by an argsort.
    day = np.repeat(np.arange(n_days, dtype=np.int32), job.counts)
    weekend = np.array([d.weekday() >= 5 for d in dates], dtype=np.int64)[day]
    shapes = np.array([P.HOURS_WORKDAY, P.HOURS_WEEKEND])
    hours = _lookup(np.cumsum(shapes / shapes.sum(1)[:, None], 1))
    hour = _pick(rng.random(n, dtype=np.float32), weekend, hours)
    key = day * 86400 + hour.astype(np.int32) * 3600 + rng.integers(0, 3600, n, dtype=np.int32)
    key.sort()
    day = key // 86400
    first_s = (job.first_day - _EPOCH).days * 86400 - _UTC_OFFSET_S
    created = (key.astype(np.int64) + first_s) * _US
    # Numbers: GZ-YYYYMMDD-NNNNNN, numbered within the day in time order.
    first_of_day = np.concatenate([[0], np.cumsum(np.bincount(day, minlength=n_days))[:-1]])
    seq = np.arange(n) - first_of_day[day] + 1
    prefixes = pa.array([f"GZ-{d:%Y%m%d}-" for d in dates], type=pa.string())
    tables = {"category": _lookup(job.category_cum), "type": _lookup(profile.l2_types)}
    for lo in range(0, n, ROW_GROUP_SIZE):
        hi = min(n, lo + ROW_GROUP_SIZE)
        yield _slice_table(
            rng, job, profile, tables, day[lo:hi], created[lo:hi], seq[lo:hi], prefixes, lo
        )


def build_month(job: MonthJob, profile: P.Profile) -> pa.Table:
    """The whole month as one table (tests and small histories)."""
    tables = list(month_tables(job, profile))
    return pa.concat_tables(tables) if tables else ORDER_SCHEMA.empty_table()


def _slice_table(
    rng: np.random.Generator,
    job: MonthJob,
    profile: P.Profile,
    tables: dict[str, np.ndarray],
    day: np.ndarray,
    created: np.ndarray,
    seq: np.ndarray,
    prefixes: pa.Array,
    offset: int,
) -> pa.Table:
    n = len(day)

    def u() -> np.ndarray:
        return rng.random(n, dtype=np.float32)

    day_number = day + (job.first_day - _EPOCH).days
    cat = _pick(u(), day, tables["category"])
    number = pc.binary_join_element_wise(
        prefixes.take(pa.array(day)), pc.utf8_lpad(pc.cast(pa.array(seq), pa.string()), 6, "0"), ""
    )

    # What: channel (by year), request type (by category), l1/l3 from l2.
    year = job.first_day.year + (job.first_day.month - 1) / 12.0
    t = min(max((year - 2021.0) / 5.0, 0.0), 1.0)
    mix = (1 - t) * np.array(P.CHANNEL_MIX_2021) + t * np.array(P.CHANNEL_MIX_2026)
    channel = np.searchsorted(np.cumsum(mix / mix.sum())[:-1], u(), side="right")
    rtype = _pick(u(), cat, tables["type"])
    l1 = profile.l2_l1[cat]
    l3 = profile.l2_l3_start[cat] + (u() * profile.l2_l3_count[cat]).astype(np.int32)

    # Where: district by population, a street of it; a few addresses name no district.
    district = np.searchsorted(profile.district_cum[:-1], u(), side="right")
    no_district = u() < P.NO_DISTRICT_SHARE
    street = profile.district_street_start[district] + (
        u() * profile.district_street_count[district]
    ).astype(np.int32)

    # Tags.
    is_enterprise = u() < profile.l2_enterprise[cat]
    is_emergency = u() < P.EMERGENCY_BACKGROUND_SHARE
    for ep in job.emergencies:
        a = max((ep.first - job.first_day).days, 0)
        b = (ep.last - job.first_day).days
        inside = (day >= a) & (day <= b) & (district == ep.index) & ~no_district
        is_emergency |= inside & (u() < P.EMERGENCY_SHARE_IN_EPISODE)

    # Direct answers: most inquiries, a few of the rest; never an emergency.
    p_direct = np.asarray(P.DIRECT_ANSWER_BY_TYPE)[rtype]
    p_direct = np.where(
        rtype == 0, np.minimum(p_direct * profile.l2_answerable[cat], 0.97), p_direct
    )
    direct = (u() < p_direct) & ~is_emergency
    dispatched = ~direct

    # Who: the lead unit by the category's handler; fallback for unplaced addresses.
    fallback = profile.fallback_unit
    handler = profile.l2_handler[cat]
    street_unit = np.where(no_district, fallback, profile.street_unit[street])
    district_unit = np.where(no_district, fallback, profile.district_unit[district])
    lead = np.where(handler == -1, street_unit, np.where(handler == -2, district_unit, handler))
    q = profile.unit_quality[lead]

    # Returns: a poorer catalogue match sends the order to a wrong department first.
    misdispatched = dispatched & (u() < 0.03 + 0.06 * (1 - q))
    first = np.where(
        misdispatched,
        profile.department_units[rng.integers(0, len(profile.department_units), n)],
        lead,
    )
    misdispatched &= first != lead
    return_count = np.where(misdispatched, 1 + (u() < 0.1), 0).astype(np.int16)

    # Handling times (µs offsets from creation), drawn for all rows and masked afterwards.
    dispatch_at = created + (
        _hours(rng, n, P.DISPATCH_DELAY_MEDIAN_MIN / 60.0, 0.8)
        / np.where(is_emergency, 5.0, 1.0)
        * _HOUR_US
    ).astype(np.int64)
    dispatch_at += np.where(misdispatched, (24 + 24 * u()) * _HOUR_US, 0).astype(np.int64)
    ack_limit = np.where(is_emergency, P.ACK_LIMIT_EMERGENCY_H, P.ACK_LIMIT_H)
    ack_in_time = u() < 0.80 + 0.19 * q
    ack_h = np.where(
        ack_in_time, ack_limit * 0.95 * u() ** 2, ack_limit * (1.0 + rng.exponential(0.6, n))
    )
    ack_due = dispatch_at + (ack_limit * _HOUR_US).astype(np.int64)
    ack_at = dispatch_at + (ack_h * _HOUR_US).astype(np.int64)

    res_limit = np.asarray([P.RESOLUTION_LIMIT_H[r] for r in P.REQUEST_TYPES])[rtype]
    res_limit = np.where(is_emergency, P.RESOLUTION_LIMIT_EMERGENCY_H, res_limit)
    extended = dispatched & (u() < 0.02 + 0.08 * (1 - q))
    due_h = res_limit + np.where(extended, P.EXTENSION_H, 0.0)
    res_due = dispatch_at + (due_h * _HOUR_US).astype(np.int64)
    reply_in_time = u() < 0.76 + 0.23 * q
    reply_h = np.where(
        reply_in_time,
        np.maximum(ack_h, due_h * (0.1 + 0.85 * u())),
        due_h * (1.0 + rng.exponential(0.35, n)),
    )
    replied_at = dispatch_at + (reply_h * _HOUR_US).astype(np.int64)

    # Callback: reached or not; satisfaction by unit quality; resolved follows satisfaction.
    callback_at = replied_at + (_hours(rng, n, P.CALLBACK_DELAY_MEDIAN_H, 0.6) * _HOUR_US).astype(
        np.int64
    )
    reached = u() < P.CALLBACK_REACHED
    p_sat = P.SATISFIED_BASE + P.SATISFIED_PER_QUALITY * q - 0.1 * ~reply_in_time
    us = u()
    sat = np.where(us < p_sat, 0, np.where(us < p_sat + (1 - p_sat) * P.BASIC_SHARE_OF_REST, 1, 2))
    reopened = reached & (sat == 2) & (u() < P.REOPEN_OF_DISSATISFIED)
    # After a reopen the second callback is usually better.
    second = np.where(u() < 0.55, 0, np.where(u() < 0.6, 1, 2))
    sat = np.where(reopened, second, sat)
    resolved = u() < np.asarray([0.94, 0.72, 0.18])[sat] + 0.05 * (q - 0.7)
    closed_at = callback_at + np.where(reopened, P.REOPEN_EXTRA_H * _HOUR_US, 0).astype(np.int64)
    direct_closed = created + ((3 + 12 * u()) * 60 * _US).astype(np.int64)
    closed_at = np.where(direct, direct_closed, closed_at)

    # What has happened by the end of the history.
    as_of = job.as_of_us
    has_dispatch = dispatched & (dispatch_at <= as_of)
    has_ack = has_dispatch & (ack_at <= as_of)
    has_reply = has_ack & (replied_at <= as_of)
    has_close = np.where(direct, closed_at <= as_of, has_reply & (closed_at <= as_of))
    archived = has_close & (closed_at + P.ARCHIVE_AFTER_DAYS * 86400 * _US <= as_of)
    status = np.select(
        [archived, has_close, has_reply, has_ack, has_dispatch],
        [5, 4, 3, 2, 1],
        default=0,
    )
    called = has_close & dispatched
    close_reason = np.where(direct, 0, np.where(reached, 1, 2))
    ack_on_time = np.where(has_ack, ack_at <= ack_due, False)
    ack_known = has_ack | (has_dispatch & (ack_due < as_of))
    on_time = np.where(has_reply, replied_at <= res_due, False)
    on_time_known = has_reply | (has_dispatch & (res_due < as_of))
    urged = has_dispatch & ((has_ack & ~ack_on_time) | (~has_ack & (ack_due < as_of)))
    supervised = has_dispatch & (
        (has_reply & (replied_at > res_due + (due_h * 0.5 * _HOUR_US).astype(np.int64)))
        | (~has_reply & (res_due < as_of))
    )
    archived_at = closed_at + P.ARCHIVE_AFTER_DAYS * 86400 * _US
    # Events happen in this order, so the latest one that has happened is the update time.
    updated = np.where(has_dispatch, dispatch_at, created)
    updated = np.where(has_ack, ack_at, updated)
    updated = np.where(has_reply, replied_at, updated)
    updated = np.where(has_close, np.maximum(closed_at, updated), updated)
    updated = np.where(archived, archived_at, updated)

    no_unit = ~has_dispatch
    columns = {
        "order_id": pa.array(np.arange(n, dtype=np.int64) + (job.first_order_id + offset)),
        "number": number,
        "created_at": _ts(created),
        "created_date": pa.array(day_number, type=pa.date32()),
        "channel": _dict(channel, P.CHANNELS),
        "request_type": _dict(rtype, P.REQUEST_TYPES),
        "category_l1_code": _dict(l1, profile.l1_codes),
        "category_l1_name": _dict(l1, profile.l1_names),
        "category_l2_code": _dict(cat, profile.l2_codes),
        "category_l2_name": _dict(cat, profile.l2_names),
        "category_l3_code": _dict(l3, profile.l3_codes),
        "category_l3_name": _dict(l3, profile.l3_names),
        "district_code": _dict(district, profile.district_codes, no_district),
        "street_code": _dict(street, profile.street_codes, no_district),
        "lead_unit_code": _dict(lead, profile.unit_codes, no_unit),
        "lead_unit_name": _dict(lead, profile.unit_names, no_unit),
        "first_unit_code": _dict(first, profile.unit_codes, no_unit),
        "first_unit_name": _dict(first, profile.unit_names, no_unit),
        "status": _dict(status, STATUS_NAMES),
        "dispatched_at": _ts(dispatch_at, ~has_dispatch),
        "acknowledged_at": _ts(ack_at, ~has_ack),
        "acknowledge_due_at": _ts(ack_due, ~has_dispatch),
        "resolution_due_at": _ts(res_due, ~has_dispatch),
        "replied_at": _ts(replied_at, ~has_reply),
        "closed_at": _ts(closed_at, ~has_close),
        "close_reason": _dict(close_reason, CLOSE_REASONS, ~has_close),
        "satisfaction": _dict(sat, SATISFACTIONS, ~(called & reached)),
        "resolved": pa.array(resolved, mask=~(called & reached)),
        "is_enterprise": pa.array(is_enterprise),
        "is_emergency": pa.array(is_emergency),
        "direct_answer": pa.array(direct),
        "acknowledged_on_time": pa.array(ack_on_time, mask=~ack_known),
        "on_time": pa.array(on_time, mask=~on_time_known),
        "return_count": pa.array(np.where(has_dispatch, return_count, 0).astype(np.int16)),
        "reopen_count": pa.array((called & reopened).astype(np.int16)),
        "extension_count": pa.array((has_dispatch & extended).astype(np.int16)),
        "callback_count": pa.array(np.where(called, 1 + (called & reopened), 0).astype(np.int16)),
        "urge_count": pa.array(urged.astype(np.int16)),
        "supervision_count": pa.array(supervised.astype(np.int16)),
        "updated_at": _ts(updated),
    }
    return pa.table(columns, schema=ORDER_SCHEMA)


def _run_month(job: MonthJob, profile: P.Profile, out: str) -> tuple[str, int, int]:
    open_rows = 0

    def counted() -> Iterator[pa.Table]:
        nonlocal open_rows
        for table in month_tables(job, profile):
            # Statuses before "closed" are open: the export rewrites such months every run.
            status = table["status"].combine_chunks().indices.to_numpy()
            open_rows += int((status < STATUS_NAMES.index("closed")).sum())
            yield table

    # A generated history is made again from its seed: no need to wait for the disk.
    rows = store_mod.write_partition(Path(out), job.key, counted(), durable=False)
    return job.key, rows, open_rows


def generate_history(
    *,
    out: Path,
    orders: int,
    start: dt.date,
    end: dt.date,
    seed: int = 12345,
    workers: int | None = None,
    replace: bool = False,
    profile: P.Profile | None = None,
    progress: Progress | None = None,
) -> GenerationResult:
    """Write a synthetic history of `orders` work orders created between `start` and `end`
    (inclusive, Beijing dates) into the store at `out`. Refuses to overwrite a store unless
    `replace`; partitions of the old store that the new one lacks are removed."""
    if orders < 0 or orders > MAX_ORDERS:
        raise ValidationFailed(
            f"订单数应在 0–{MAX_ORDERS} 之间：{orders}",
            code="analytics.bad_orders",
            fields={"orders": ["out of range"]},
        )
    if end < start:
        raise ValidationFailed(
            f"结束日期 {end} 早于开始日期 {start}",
            code="analytics.empty_period",
            fields={"end": ["before start"]},
        )
    if profile is None:
        profile = P.build_profile(seed=seed, unit_names=P.demo_unit_names())
    workers = workers or min(os.cpu_count() or 1, 4)
    started = time.perf_counter()
    jobs, surges, emergencies = plan(
        profile=profile, orders=orders, start=start, end=end, seed=seed
    )
    with store_mod.locked(out):
        old = store_mod.read_manifest(out)
        if old is not None and not replace:
            raise Conflict(
                f"{out} 已有分析库（来源：{old.get('source')}）；如要覆盖请加 --replace",
                code="analytics.store_exists",
            )
        store_mod.clean_temporaries(out)
        manifest = store_mod.new_manifest("history")
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        results: list[tuple[str, int, int]] = []
        if workers <= 1 or len(jobs) <= 1:
            for job in jobs:
                results.append(_run_month(job, profile, str(out)))
                if progress:
                    progress(f"{job.key}: {results[-1][1]:,}")
        else:
            ctx = get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futures = [pool.submit(_run_month, job, profile, str(out)) for job in jobs]
                for job, future in zip(jobs, futures, strict=True):
                    results.append(future.result())
                    if progress:
                        progress(f"{job.key}: {results[-1][1]:,}")
        for key, rows, open_rows in results:
            manifest["partitions"][key] = {
                "file": str(store_mod.partition_file(out, key).relative_to(out)),
                "rows": rows,
                "open": open_rows,
                "as_of": stamp,
            }
        if old is not None:
            for key in set(old["partitions"]) - set(manifest["partitions"]):
                store_mod.remove_partition(out, key)
        surge_list = tuple(
            (e.first.isoformat(), e.last.isoformat(), profile.l2_codes[e.index]) for e in surges
        )
        emergency_list = tuple(
            (e.first.isoformat(), e.last.isoformat(), profile.district_codes[e.index])
            for e in emergencies
        )
        manifest["history"] = {
            "orders": orders,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "seed": seed,
            "surges": [list(s) for s in surge_list],
            "emergencies": [list(e) for e in emergency_list],
        }
        store_mod.write_manifest(out, manifest)
    seconds = time.perf_counter() - started
    return GenerationResult(
        rows=sum(r for _, r, _ in results),
        partitions=len(results),
        seconds=seconds,
        surges=surge_list,
        emergencies=emergency_list,
    )


__all__ = ["GenerationResult", "build_month", "generate_history", "plan"]
