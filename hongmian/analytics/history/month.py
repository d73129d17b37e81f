"""One month of the synthetic history, drawn as numpy arrays and handed over as Arrow tables.

Costs, per order, are what makes the generator fast or slow, so:
- every draw is vectorised; per-row distributions go through lookup tables (one indexed read
  per draw) and per-unit probabilities are precomputed per unit;
- times are int32 seconds after the month's first second (all events fall within a few
  months of it) and floats are float32; timestamps become int64 microseconds only when the
  Arrow column is made;
- rows are drawn a row group (`ROW_GROUP_SIZE`) at a time, each column one Arrow array:
  the Parquet writer costs a fifth more per row when a row group arrives in several chunks,
  and smaller slices (to keep the working arrays in the CPU cache) drew no faster;
- Arrow columns are built from the numpy buffers (`history/arrow.py`): dictionary columns
  share one dictionary per month, the order number is written as fixed-width bytes.

The model itself (what each draw means) is described in generator.py and docs/analytics.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import pyarrow as pa

from hongmian.analytics.history import arrow as A
from hongmian.analytics.history import profiles as P
from hongmian.analytics.schema import ORDER_SCHEMA, ROW_GROUP_SIZE

_HOUR = 3600
_DAY = 86400
_UTC_OFFSET_S = 8 * 3600  # Beijing time has had no daylight saving since 1991
_EPOCH = dt.date(1970, 1, 1)
_INT32_MAX = 2**31 - 1

STATUS_NAMES = ("received", "dispatched", "acknowledged", "replied", "closed", "archived")
OPEN_STATUSES = 4  # statuses before "closed" are open
CLOSE_REASONS = ("direct_answer", "callback", "unreachable")
SATISFACTIONS = ("satisfied", "basic", "dissatisfied")

# Draws from a per-row distribution go through a lookup table of this many equal slices of
# [0, 1): one indexed read per draw instead of a binary search. A bucket's probability is
# thus rounded to 1/4096 — far below the noise of any figure the history feeds.
_RESOLUTION = 4096
_GRID = (np.arange(_RESOLUTION) + 0.5) / _RESOLUTION
# Quantiles of the standard normal and exponential distributions at the grid: a log-normal or
# exponential draw is one read of these (4,096 levels; the normal is cut at ±3.5σ).
_NORMAL_Q = np.array([NormalDist().inv_cdf(g) for g in _GRID], dtype=np.float32)
_EXPONENTIAL_Q = (-np.log1p(-_GRID)).astype(np.float32)
_U16 = np.float32(1 / 65536)
# An order number, GZ-YYYYMMDD-NNNNNN: "GZ-YYYYM", "MDD-", four digits, two digits.
_NUMBER = np.dtype(
    {"names": ["head", "date", "hundreds", "units"], "formats": ["<u8", "<u4", "<u4", "<u2"],
     "offsets": [0, 8, 12, 16], "itemsize": 18}
)  # fmt: skip
_DIGITS4 = np.frombuffer(b"".join(f"{i:04d}".encode() for i in range(10_000)), "<u4")
_DIGITS2 = np.frombuffer(b"".join(f"{i:02d}".encode() for i in range(100)), "<u2")


def lookup(cumulative: np.ndarray) -> np.ndarray:
    """(rows, _RESOLUTION) int32 table: the bucket that the middle of each slice falls in."""
    rows = np.atleast_2d(cumulative)
    return np.stack([np.searchsorted(c[:-1], _GRID, side="right") for c in rows]).astype(np.int32)


def _lognormal_table(median: float, sigma: float) -> np.ndarray:
    return (median * np.exp(sigma * _NORMAL_Q.astype(np.float64))).astype(np.float32)


class _Draws:
    """Uniform draws for one slice, 16 bits each: four from every 64-bit output of the bit
    generator, about a third of the cost of `Generator.random` per value. A probability is
    thus resolved to 1/65,536, a lookup-table cell is the top 12 bits."""

    _ROWS = 32

    def __init__(self, rng: np.random.Generator, n: int) -> None:
        self.bits, self.n = rng.bit_generator, n
        self.block = np.empty((0, n), dtype=np.uint16)
        self.next = 0

    def u16(self) -> np.ndarray:
        if self.next == len(self.block):
            values = self._ROWS * self.n
            raw = self.bits.random_raw((values + 3) // 4).view(np.uint16)
            self.block, self.next = raw[:values].reshape(self._ROWS, self.n), 0
        self.next += 1
        row: np.ndarray = self.block[self.next - 1]
        return row

    def unit(self) -> np.ndarray:
        """Uniform float32 in [0, 1)."""
        return self.u16() * _U16

    def cell(self) -> np.ndarray:
        """A lookup-table column, uniform over 0 … _RESOLUTION - 1."""
        return (self.u16() >> 4).astype(np.int32)


def _pick(cell: np.ndarray, row: np.ndarray, table: np.ndarray) -> np.ndarray:
    """The bucket of each draw `cell` in its own row of `table`."""
    picked: np.ndarray = table.ravel()[row * _RESOLUTION + cell]
    return picked


@dataclass(frozen=True, slots=True)
class Tables:
    """What a month samples from, as small arrays that stay in cache: lookup tables, per-unit
    probabilities (float32), and the Arrow dictionaries its columns share."""

    category: np.ndarray  # (days, _RESOLUTION) l2 by day
    rtype: np.ndarray  # (n_l2, _RESOLUTION)
    channel: np.ndarray  # (_RESOLUTION,) this month's mix
    district: np.ndarray  # (_RESOLUTION,)
    direct: np.ndarray  # (n_l2 * 6,) chance of a direct answer by category and type
    enterprise: np.ndarray  # (n_l2,)
    l3_start: np.ndarray
    l3_count: np.ndarray  # float32
    street_start: np.ndarray
    street_count: np.ndarray  # float32
    res_limit: np.ndarray  # (6,) seconds, by request type
    # Per unit: the chances that its quality drives.
    p_misdispatch: np.ndarray
    p_ack: np.ndarray
    p_extended: np.ndarray
    p_reply: np.ndarray
    p_satisfied: np.ndarray
    resolved_shift: np.ndarray
    dispatch_delay: np.ndarray  # (_RESOLUTION,) seconds, log-normal quantiles
    callback_delay: np.ndarray
    dicts: dict[str, pa.Array]


def month_tables_for(profile: P.Profile, category_cum: np.ndarray, year: float) -> Tables:
    t = min(max((year - 2021.0) / 5.0, 0.0), 1.0)
    mix = (1 - t) * np.array(P.CHANNEL_MIX_2021) + t * np.array(P.CHANNEL_MIX_2026)
    direct = np.tile(np.asarray(P.DIRECT_ANSWER_BY_TYPE), (len(profile.l2_codes), 1))
    direct[:, 0] = np.minimum(direct[:, 0] * profile.l2_answerable, 0.97)
    q = profile.unit_quality
    f32 = np.float32
    labels = {
        "channel": P.CHANNELS,
        "request_type": P.REQUEST_TYPES,
        "category_l1_code": profile.l1_codes,
        "category_l1_name": profile.l1_names,
        "category_l2_code": profile.l2_codes,
        "category_l2_name": profile.l2_names,
        "category_l3_code": profile.l3_codes,
        "category_l3_name": profile.l3_names,
        "district_code": profile.district_codes,
        "street_code": profile.street_codes,
        "unit_code": profile.unit_codes,
        "unit_name": profile.unit_names,
        "status": STATUS_NAMES,
        "close_reason": CLOSE_REASONS,
        "satisfaction": SATISFACTIONS,
    }
    return Tables(
        category=lookup(category_cum),
        rtype=lookup(profile.l2_types),
        channel=lookup(np.cumsum(mix / mix.sum()))[0],
        district=lookup(profile.district_cum)[0],
        direct=direct.astype(f32).ravel(),
        enterprise=profile.l2_enterprise.astype(f32),
        l3_start=profile.l2_l3_start.astype(np.int32),
        l3_count=profile.l2_l3_count.astype(f32),
        street_start=profile.district_street_start.astype(np.int32),
        street_count=profile.district_street_count.astype(f32),
        res_limit=np.array([P.RESOLUTION_LIMIT_H[r] * _HOUR for r in P.REQUEST_TYPES], f32),
        p_misdispatch=(0.03 + 0.06 * (1 - q)).astype(f32),
        p_ack=(0.80 + 0.19 * q).astype(f32),
        p_extended=(0.02 + 0.08 * (1 - q)).astype(f32),
        p_reply=(0.76 + 0.23 * q).astype(f32),
        p_satisfied=(P.SATISFIED_BASE + P.SATISFIED_PER_QUALITY * q).astype(f32),
        resolved_shift=(0.05 * (q - 0.7)).astype(f32),
        dispatch_delay=_lognormal_table(P.DISPATCH_DELAY_MEDIAN_MIN * 60.0, 0.8),
        callback_delay=_lognormal_table(P.CALLBACK_DELAY_MEDIAN_H * _HOUR, 0.6),
        dicts={name: A.strings(values) for name, values in labels.items()},
    )


@dataclass(frozen=True, slots=True)
class MonthSpec:
    """The parts of a month job that drawing needs (generator.MonthJob has them)."""

    first_day: dt.date
    counts: np.ndarray  # orders per day
    category_cum: np.ndarray  # (days, n_l2)
    first_order_id: int
    as_of_us: int
    emergencies: tuple[tuple[int, int, int], ...]  # (first day index, last day index, district)
    seed: int


def month_tables(spec: MonthSpec, profile: P.Profile) -> Iterator[tuple[pa.Table, int]]:
    """The orders of one month, sorted by created_at, in tables of ROW_GROUP_SIZE rows, each
    with its number of open orders. Times of day are drawn for the whole month (they must be
    sorted); everything else a row group at a time."""
    rng = np.random.default_rng(
        np.random.SeedSequence([spec.seed, spec.first_day.year, spec.first_day.month])
    )
    n_days = len(spec.counts)
    n = int(spec.counts.sum())
    dates = [spec.first_day + dt.timedelta(days=i) for i in range(n_days)]
    # When: day, hour (working-day or weekend shape) and second, sorted in place — a month's
    # seconds fit in int32, and sorting values is cheaper than permuting rows by an argsort.
    day = np.repeat(np.arange(n_days, dtype=np.int32), spec.counts)
    weekend = np.array([d.weekday() >= 5 for d in dates], dtype=np.int32)[day]
    shapes = np.array([P.HOURS_WORKDAY, P.HOURS_WEEKEND])
    hours = lookup(np.cumsum(shapes / shapes.sum(1)[:, None], 1))
    hour = _pick(rng.integers(0, _RESOLUTION, n, dtype=np.int32), weekend, hours)
    created = day * _DAY + hour * _HOUR + rng.integers(0, _HOUR, n, dtype=np.int32)
    created.sort()
    day = created // _DAY
    # Numbers: GZ-YYYYMMDD-NNNNNN, numbered within the day in time order.
    first_of_day = np.concatenate([[0], np.cumsum(np.bincount(day, minlength=n_days))[:-1]])
    seq = np.arange(n, dtype=np.int32) - first_of_day[day].astype(np.int32) + 1
    prefixes = np.frombuffer(b"".join(f"GZ-{d:%Y%m%d}-".encode() for d in dates), np.uint8).reshape(
        n_days, 12
    )
    base_s = (spec.first_day - _EPOCH).days * _DAY - _UTC_OFFSET_S
    as_of = min(spec.as_of_us // 1_000_000 - base_s, _INT32_MAX)
    tables = month_tables_for(
        profile, spec.category_cum, spec.first_day.year + (spec.first_day.month - 1) / 12.0
    )
    month = _Month(spec, profile, tables, rng, base_s, as_of, prefixes)
    for lo in range(0, n, ROW_GROUP_SIZE):
        hi = min(n, lo + ROW_GROUP_SIZE)
        batch, open_rows = month.slice(day[lo:hi], created[lo:hi], seq[lo:hi], lo)
        yield pa.Table.from_batches([batch], schema=ORDER_SCHEMA), open_rows


def _numbers(prefixes: np.ndarray, day: np.ndarray, seq: np.ndarray) -> pa.Array:
    if int(seq.max(initial=0)) >= 1_000_000:
        # More than a million orders in a day: the number grows a digit (never in practice).
        text = [f"{bytes(prefixes[d]).decode()}{s:06d}" for d, s in zip(day, seq, strict=True)]
        return A.strings(text)
    # 18 bytes a number, written as four integer fields: whole-word copies, not byte copies.
    out = np.empty(len(seq), dtype=_NUMBER)
    out["head"] = prefixes[:, :8].copy().view("<u8").ravel()[day]
    out["date"] = prefixes[:, 8:].copy().view("<u4").ravel()[day]
    out["hundreds"] = _DIGITS4[seq // 100]
    out["units"] = _DIGITS2[seq % 100]
    return A.fixed_width_strings(out.view(np.uint8).reshape(len(seq), 18))


class _Month:
    """The drawing of one month's slices; `slice` keeps no state but the random stream."""

    def __init__(
        self,
        spec: MonthSpec,
        profile: P.Profile,
        tables: Tables,
        rng: np.random.Generator,
        base_s: int,
        as_of: int,
        prefixes: np.ndarray,
    ) -> None:
        self.spec, self.p, self.t, self.rng = spec, profile, tables, rng
        self.base_s, self.as_of, self.prefixes = base_s, as_of, prefixes
        self.first_day_number = (spec.first_day - _EPOCH).days

    def slice(
        self, day: np.ndarray, created: np.ndarray, seq: np.ndarray, offset: int
    ) -> tuple[pa.RecordBatch, int]:
        p, t, rng = self.p, self.t, self.rng
        n = len(day)
        f32 = np.float32

        draws = _Draws(rng, n)
        u, cell = draws.unit, draws.cell

        cat = _pick(cell(), day, t.category)
        # What: channel (by year), request type (by category), l1/l3 from l2.
        channel = t.channel[cell()]
        rtype = _pick(cell(), cat, t.rtype)
        l1 = p.l2_l1[cat]
        l3 = t.l3_start[cat] + (u() * t.l3_count[cat]).astype(np.int32)
        # Where: district by population, a street of it; a few addresses name no district.
        district = t.district[cell()]
        no_district = u() < P.NO_DISTRICT_SHARE
        street = t.street_start[district] + (u() * t.street_count[district]).astype(np.int32)

        # Tags.
        is_enterprise = u() < t.enterprise[cat]
        is_emergency = u() < P.EMERGENCY_BACKGROUND_SHARE
        for a, b, where in self.spec.emergencies:
            inside = (day >= a) & (day <= b) & (district == where) & ~no_district
            is_emergency |= inside & (u() < P.EMERGENCY_SHARE_IN_EPISODE)
        # Direct answers: most inquiries, a few of the rest; never an emergency.
        direct = (u() < t.direct[cat * len(P.REQUEST_TYPES) + rtype]) & ~is_emergency
        dispatched = ~direct

        # Who: the lead unit by the category's handler; fallback for unplaced addresses.
        handler = p.l2_handler[cat]
        local = np.where(handler == -1, p.street_unit[street], p.district_unit[district])
        local[no_district] = p.fallback_unit
        lead = np.where(handler < 0, local, handler)

        # Returns: a poorer catalogue match sends the order to a wrong department first.
        misdispatched = dispatched & (u() < t.p_misdispatch[lead])
        first = lead.copy()
        wrong = np.flatnonzero(misdispatched)
        first[wrong] = p.department_units[rng.integers(0, len(p.department_units), len(wrong))]
        misdispatched &= first != lead
        return_count = misdispatched * (1 + (u() < 0.1)).astype(np.int16)

        # Handling times: float32 seconds after creation, int32 once drawn; drawn for all rows
        # and masked afterwards.
        delay = t.dispatch_delay[cell()]
        delay[is_emergency] /= 5.0
        delay += misdispatched * ((24 + 24 * u()) * _HOUR)
        dispatch_at = created + delay.astype(np.int32)
        ack_limit = np.where(is_emergency, f32(P.ACK_LIMIT_EMERGENCY_H), f32(P.ACK_LIMIT_H))
        ack_limit *= _HOUR
        ack_in_time = u() < t.p_ack[lead]
        late = 1.0 + 0.6 * _EXPONENTIAL_Q[cell()]
        ack_s = ack_limit * np.where(ack_in_time, 0.95 * np.square(u()), late)
        ack_due = dispatch_at + ack_limit.astype(np.int32)
        ack_at = dispatch_at + ack_s.astype(np.int32)

        res_limit = t.res_limit[rtype]
        res_limit[is_emergency] = P.RESOLUTION_LIMIT_EMERGENCY_H * _HOUR
        extended = dispatched & (u() < t.p_extended[lead])
        due_s = res_limit + extended * f32(P.EXTENSION_H * _HOUR)
        res_due = dispatch_at + due_s.astype(np.int32)
        reply_in_time = u() < t.p_reply[lead]
        in_time = np.maximum(ack_s, due_s * (0.1 + 0.85 * u()))
        overdue = due_s * (1.0 + 0.35 * _EXPONENTIAL_Q[cell()])
        replied_at = dispatch_at + np.where(reply_in_time, in_time, overdue).astype(np.int32)

        # Callback: reached or not; satisfaction by unit quality; resolved follows satisfaction.
        callback_at = replied_at + t.callback_delay[cell()].astype(np.int32)
        reached = u() < P.CALLBACK_REACHED
        p_sat = t.p_satisfied[lead] - f32(0.1) * ~reply_in_time
        us = u()
        sat = (us >= p_sat).astype(np.int8) + (us >= p_sat + (1 - p_sat) * P.BASIC_SHARE_OF_REST)
        reopened = reached & (sat == 2) & (u() < P.REOPEN_OF_DISSATISFIED)
        # After a reopen the second callback is usually better.
        second = (u() >= 0.55) * (1 + (u() >= 0.6)).astype(np.int8)
        sat = np.where(reopened, second, sat)
        resolved_p = np.array([0.94, 0.72, 0.18], f32)[sat] + t.resolved_shift[lead]
        resolved = u() < resolved_p
        closed_at = callback_at + reopened * np.int32(P.REOPEN_EXTRA_H * _HOUR)
        direct_closed = created + ((3 + 12 * u()) * 60).astype(np.int32)
        closed_at = np.where(direct, direct_closed, closed_at)

        # What has happened by the end of the history.
        as_of = self.as_of
        archive_after = P.ARCHIVE_AFTER_DAYS * _DAY
        has_dispatch = dispatched & (dispatch_at <= as_of)
        has_ack = has_dispatch & (ack_at <= as_of)
        has_reply = has_ack & (replied_at <= as_of)
        has_close = np.where(direct, closed_at <= as_of, has_reply & (closed_at <= as_of))
        archived = has_close & (closed_at <= as_of - archive_after)
        # The steps nest (dispatched ⊃ acknowledged ⊃ replied ⊃ closed ⊃ archived), so the
        # status is their count; a direct answer jumps from received to closed.
        status = has_dispatch.astype(np.int32) + has_ack + has_reply + has_close + archived
        status[direct & has_close] += 3
        open_rows = int(np.count_nonzero(status < OPEN_STATUSES))
        called = has_close & dispatched
        close_reason = dispatched * (1 + ~reached).astype(np.int32)
        ack_on_time = has_ack & (ack_at <= ack_due)
        ack_known = has_ack | (has_dispatch & (ack_due < as_of))
        on_time = has_reply & (replied_at <= res_due)
        on_time_known = has_reply | (has_dispatch & (res_due < as_of))
        urged = has_dispatch & ((has_ack & ~ack_on_time) | (~has_ack & (ack_due < as_of)))
        late_limit = res_due + (due_s * 0.5).astype(np.int32)
        supervised = has_dispatch & (
            (has_reply & (replied_at > late_limit)) | (~has_reply & (res_due < as_of))
        )
        # Events happen in this order, so the latest one that has happened is the update time.
        updated = np.where(has_dispatch, dispatch_at, created)
        updated = np.where(has_ack, ack_at, updated)
        updated = np.where(has_reply, replied_at, updated)
        updated = np.where(has_close, np.maximum(closed_at, updated), updated)
        updated = np.where(archived, closed_at + archive_after, updated)

        base, d, ts, i16 = self.base_s, t.dicts, ORDER_SCHEMA.field("created_at").type, pa.int16()

        def dic(
            name: str, values: np.ndarray, labels: str, mask: np.ndarray | None = None
        ) -> pa.Array:
            return A.dictionary(values, d[labels], ORDER_SCHEMA.field(name).type, mask)

        no_unit = ~has_dispatch
        no_answer = ~(called & reached)
        columns = [
            A.numeric(
                np.arange(n, dtype=np.int64) + (self.spec.first_order_id + offset), pa.int64()
            ),
            _numbers(self.prefixes, day, seq),
            A.timestamp(created, base, ts),
            A.numeric(day + np.int32(self.first_day_number), pa.date32()),
            dic("channel", channel, "channel"),
            dic("request_type", rtype, "request_type"),
            dic("category_l1_code", l1, "category_l1_code"),
            dic("category_l1_name", l1, "category_l1_name"),
            dic("category_l2_code", cat, "category_l2_code"),
            dic("category_l2_name", cat, "category_l2_name"),
            dic("category_l3_code", l3, "category_l3_code"),
            dic("category_l3_name", l3, "category_l3_name"),
            dic("district_code", district, "district_code", no_district),
            dic("street_code", street, "street_code", no_district),
            dic("lead_unit_code", lead, "unit_code", no_unit),
            dic("lead_unit_name", lead, "unit_name", no_unit),
            dic("first_unit_code", first, "unit_code", no_unit),
            dic("first_unit_name", first, "unit_name", no_unit),
            dic("status", status, "status"),
            A.timestamp(dispatch_at, base, ts, no_unit),
            A.timestamp(ack_at, base, ts, ~has_ack),
            A.timestamp(ack_due, base, ts, no_unit),
            A.timestamp(res_due, base, ts, no_unit),
            A.timestamp(replied_at, base, ts, ~has_reply),
            A.timestamp(closed_at, base, ts, ~has_close),
            dic("close_reason", close_reason, "close_reason", ~has_close),
            dic("satisfaction", sat, "satisfaction", no_answer),
            A.boolean(resolved, no_answer),
            A.boolean(is_enterprise),
            A.boolean(is_emergency),
            A.boolean(direct),
            A.boolean(ack_on_time, ~ack_known),
            A.boolean(on_time, ~on_time_known),
            A.numeric((has_dispatch * return_count).astype(np.int16), i16),
            A.numeric((called & reopened).astype(np.int16), i16),
            A.numeric((has_dispatch & extended).astype(np.int16), i16),
            A.numeric((called * (1 + reopened)).astype(np.int16), i16),
            A.numeric(urged.astype(np.int16), i16),
            A.numeric(supervised.astype(np.int16), i16),
            A.timestamp(updated, base, ts),
        ]
        return pa.RecordBatch.from_arrays(columns, schema=ORDER_SCHEMA), open_rows


__all__ = ["CLOSE_REASONS", "SATISFACTIONS", "STATUS_NAMES", "MonthSpec", "month_tables"]
