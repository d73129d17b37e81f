"""A synthetic 12345 history, written straight to the analytics store (same schema, same
month partitions as the export), for demos, tests and benchmarks.

How it is drawn, so that the figures behave like a real hotline's:
1. A weight for every (day, l2 category): category volume × its seasonal shape × weekday ×
   Spring Festival / National Day dip × yearly growth × surges (a week at 3× for one
   category). The N orders are spread over the cells by one multinomial draw, so the total is
   exactly N and every effect shows in the counts.
2. Each month is then made on its own (month.py): times of day, channel
   (shifting from phone to WeChat over the years), request type (by category), district (by
   population) and street, lead unit (by category: a department, the district, or the street
   office), direct answers (most inquiries), and the handling — dispatch, 签收, reply,
   callback, reopen, returns, extensions — whose punctuality and outcome depend on the
   unit's quality. Events after the history's end are left undone (those orders are open).

How it runs: one thread draws the row groups, month after month, while the calling thread
encodes and writes them (numpy and the Parquet writer release the GIL), so one process keeps
two cores busy and the drawing of month N+1 overlaps the writing of month N. With
`workers` > 1, spawned worker processes take whole months, each drawing and writing the same
way.

Deterministic: a month's random stream is seeded by (seed, year, month), so the same seed
gives the same files whatever the number of workers. All sampling is vectorised (numpy,
Arrow buffers); no Python loop runs per order.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import threading
import time
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
from django.utils.translation import gettext

from hongmian.analytics import store as store_mod
from hongmian.analytics.history import profiles as P
from hongmian.analytics.history.month import (
    CLOSE_REASONS,
    SATISFACTIONS,
    STATUS_NAMES,
    MonthSpec,
    month_tables,
)
from hongmian.analytics.schema import ORDER_SCHEMA, month_key
from hongmian.core.errors import Conflict, ValidationFailed

_US = 1_000_000
_UTC_OFFSET_S = 8 * 3600  # Beijing time has had no daylight saving since 1991

MAX_ORDERS = 2_000_000_000
# Recorded in the manifest: a store made by another version of the drawing holds other rows
# for the same arguments (benchmarks regenerate rather than reuse it).
GENERATOR_VERSION = 2

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


def _spec(job: MonthJob) -> MonthSpec:
    last = len(job.counts) - 1
    return MonthSpec(
        first_day=job.first_day,
        counts=job.counts,
        category_cum=job.category_cum,
        first_order_id=job.first_order_id,
        as_of_us=job.as_of_us,
        emergencies=tuple(
            (
                max((e.first - job.first_day).days, 0),
                min((e.last - job.first_day).days, last),
                e.index,
            )
            for e in job.emergencies
        ),
        seed=job.seed,
    )


def build_month(job: MonthJob, profile: P.Profile) -> pa.Table:
    """The whole month as one table (tests and small histories)."""
    tables = [table for table, _ in month_tables(_spec(job), profile)]
    return pa.concat_tables(tables) if tables else ORDER_SCHEMA.empty_table()


_DONE = object()


def _prefetched(make: Callable[[], Iterator[Any]], depth: int = 2) -> Generator[Any]:
    """The items of `make()`, made in a thread of their own up to `depth` ahead of the
    consumer. The generator's numpy work and the Parquet writer both release the GIL, so
    drawing the next row group overlaps encoding and writing this one: two cores busy
    with one month. An error on either side stops both."""
    items: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                items.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for item in make():
                if not put(item):
                    return
        except BaseException as exc:  # handed to the consumer, which raises it
            put(_Failure(exc))
            return
        put(_DONE)

    thread = threading.Thread(target=produce, name="history-draw", daemon=True)
    thread.start()
    try:
        while True:
            item = items.get()
            if item is _DONE:
                return
            if isinstance(item, _Failure):
                raise item.exc
            yield item
    finally:
        stop.set()
        thread.join()


@dataclass(frozen=True, slots=True)
class _Failure:
    exc: BaseException


def _months(jobs: list[MonthJob], profile: P.Profile) -> Iterator[tuple[str, pa.Table | None, int]]:
    """Every row group of every month in order, then (key, None, 0) when a month is done: one
    stream, so the drawing of month N+1 overlaps the writing of month N's last group."""
    for job in jobs:
        for table, open_rows in month_tables(_spec(job), profile):
            yield job.key, table, open_rows
        yield job.key, None, 0


def _write_months(
    jobs: list[MonthJob], profile: P.Profile, out: str, progress: Progress | None = None
) -> list[tuple[str, int, int]]:
    """Draw and write `jobs` in order (drawing in a second thread); returns for each month its
    key, rows and open rows."""
    stream = _prefetched(lambda: _months(jobs, profile))
    results: list[tuple[str, int, int]] = []
    try:
        for job in jobs:
            open_rows = 0

            def groups(key: str = job.key) -> Iterator[pa.Table]:
                nonlocal open_rows
                for item_key, table, opened in stream:
                    if item_key != key:  # the stream and the months are made from one list
                        raise RuntimeError(f"history stream out of step: {item_key} ≠ {key}")
                    if table is None:
                        return
                    open_rows += opened
                    yield table

            # A generated history is made again from its seed: no need to wait for the disk.
            rows = store_mod.write_partition(Path(out), job.key, groups(), durable=False)
            results.append((job.key, rows, open_rows))
            if progress:
                progress(f"{job.key}: {rows:,}")
    finally:
        stream.close()
    return results


def _run_months(jobs: list[MonthJob], profile: P.Profile, out: str) -> list[tuple[str, int, int]]:
    """A worker process's share: whole months, in order."""
    return _write_months(jobs, profile, out)


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
            gettext("订单数应在 0–%(MAX_ORDERS)s 之间：%(orders)s")
            % {"MAX_ORDERS": MAX_ORDERS, "orders": orders},
            code="analytics.bad_orders",
            fields={"orders": ["out of range"]},
        )
    if end < start:
        raise ValidationFailed(
            gettext("结束日期 %(end)s 早于开始日期 %(start)s") % {"end": end, "start": start},
            code="analytics.empty_period",
            fields={"end": ["before start"]},
        )
    if profile is None:
        profile = P.build_profile(seed=seed, unit_names=P.demo_unit_names())
    # Each worker draws in one thread and writes in another: half as many workers as cores.
    workers = workers or max(1, min((os.cpu_count() or 1) // 2, 4))
    started = time.perf_counter()
    jobs, surges, emergencies = plan(
        profile=profile, orders=orders, start=start, end=end, seed=seed
    )
    with store_mod.locked(out):
        old = store_mod.read_manifest(out)
        if old is not None and not replace:
            raise Conflict(
                gettext("%(out)s 已有分析库（来源：%(value1)s）；如要覆盖请加 --replace")
                % {"out": out, "value1": old.get("source")},
                code="analytics.store_exists",
            )
        store_mod.clean_temporaries(out)
        manifest = store_mod.new_manifest("history")
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        results: list[tuple[str, int, int]] = []
        if workers <= 1 or len(jobs) <= 1:
            results = _write_months(jobs, profile, str(out), progress)
        else:
            ctx = get_context("spawn")
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futures = [pool.submit(_run_months, [job], profile, str(out)) for job in jobs]
                for future in futures:
                    results += future.result()
                    if progress:
                        progress(f"{results[-1][0]}: {results[-1][1]:,}")
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
            "generator": GENERATOR_VERSION,
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


__all__ = [
    "CLOSE_REASONS",
    "GENERATOR_VERSION",
    "SATISFACTIONS",
    "STATUS_NAMES",
    "GenerationResult",
    "build_month",
    "generate_history",
    "plan",
]
