"""The counts behind every figure and the rates made from them. Engines return integers;
everything divided is divided here, so DuckDB and Spark give identical reports. The
definitions are documented in docs/analytics.md — keep the two in step."""

from __future__ import annotations

from typing import Any

UNKNOWN = "unknown"  # the key of orders whose address names no district / street


def ratio(numerator: int, denominator: int) -> dict[str, Any]:
    return {
        "numerator": numerator,
        "denominator": denominator,
        "rate": round(numerator / denominator, 4) if denominator else None,
    }


def change_pct(current: int, base: int) -> float | None:
    """Percentage change (环比 / 同比); None when the base period had nothing."""
    return round((current - base) * 100.0 / base, 1) if base else None


def as_int(value: Any) -> int:
    return int(value) if value is not None else 0


def measures(t: Any) -> dict[str, Any]:
    """Counts behind every rate, as Ibis aggregates over table `t`."""
    return {
        "total": t.count(),
        "direct": t.direct_answer.sum(),
        "inquiries": (t.request_type == "inquiry").sum(),
        "inquiry_direct": ((t.request_type == "inquiry") & t.direct_answer).sum(),
        "dispatched": t.lead_unit_code.notnull().sum(),
        "ack_on_time": t.acknowledged_on_time.sum(),
        "ack_known": t.acknowledged_on_time.count(),
        "on_time": t.on_time.sum(),
        "on_time_known": t.on_time.count(),
        "resolved": t.resolved.sum(),
        "resolved_known": t.resolved.count(),
        "satisfied": t.satisfaction.isin(["satisfied", "basic"]).sum(),
        "satisfied_fully": (t.satisfaction == "satisfied").sum(),
        "satisfaction_known": t.satisfaction.count(),
        "returned": (t.return_count > 0).sum(),
        "reopened": (t.reopen_count > 0).sum(),
        "called_back": (t.callback_count > 0).sum(),
        "enterprise": t.is_enterprise.sum(),
        "emergency": t.is_emergency.sum(),
    }


def rates(m: dict[str, int]) -> dict[str, dict[str, Any]]:
    """The named rates from a row of `measures` (see docs/analytics.md)."""
    return {
        "direct_answer": ratio(m["direct"], m["total"]),
        "inquiry_direct_answer": ratio(m["inquiry_direct"], m["inquiries"]),
        "response": ratio(m["ack_on_time"], m["ack_known"]),
        "on_time": ratio(m["on_time"], m["on_time_known"]),
        "resolution": ratio(m["resolved"], m["resolved_known"]),
        "satisfaction": ratio(m["satisfied"], m["satisfaction_known"]),
        "return": ratio(m["returned"], m["dispatched"]),
        "reopen": ratio(m["reopened"], m["called_back"]),
    }


def clean(row: dict[str, Any]) -> dict[str, int]:
    return {k: as_int(row.get(k)) for k in MEASURE_KEYS}


# The names `measures` returns, in its order.
MEASURE_KEYS = (
    "total",
    "direct",
    "inquiries",
    "inquiry_direct",
    "dispatched",
    "ack_on_time",
    "ack_known",
    "on_time",
    "on_time_known",
    "resolved",
    "resolved_known",
    "satisfied",
    "satisfied_fully",
    "satisfaction_known",
    "returned",
    "reopened",
    "called_back",
    "enterprise",
    "emergency",
)


__all__ = ["MEASURE_KEYS", "UNKNOWN", "as_int", "change_pct", "clean", "measures", "rates", "ratio"]
