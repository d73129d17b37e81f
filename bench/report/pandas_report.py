"""The same monthly report figures computed the way an analyst would in a notebook: load
the columns into pandas DataFrames, then groupby per section. Used by run.py for comparison
only; the project computes reports with hongmian.analytics (Ibis on DuckDB or Spark).

`load` takes the partition files to read; passing every file of the store and filtering in
pandas is the "read the whole folder" habit, passing the period's files is the careful one.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from hongmian.analytics.periods import Period
from hongmian.analytics.pipelines.report import COLUMNS


def load(files: list[Path]) -> pd.DataFrame:
    frames = [pd.read_parquet(f, columns=list(COLUMNS)) for f in files]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=COLUMNS)


def _measures(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    d = df.assign(
        inquiry=df["request_type"] == "inquiry",
        dispatched=df["lead_unit_code"].notna(),
        satisfied=df["satisfaction"].isin(["satisfied", "basic"]),
        returned=df["return_count"] > 0,
        reopened=df["reopen_count"] > 0,
        called_back=df["callback_count"] > 0,
    )
    d["inquiry_direct"] = d["inquiry"] & d["direct_answer"]
    return d.groupby(keys, observed=True, dropna=False).agg(
        total=("created_date", "size"),
        direct=("direct_answer", "sum"),
        inquiries=("inquiry", "sum"),
        inquiry_direct=("inquiry_direct", "sum"),
        dispatched=("dispatched", "sum"),
        ack_on_time=("acknowledged_on_time", "sum"),
        ack_known=("acknowledged_on_time", "count"),
        on_time=("on_time", "sum"),
        on_time_known=("on_time", "count"),
        resolved=("resolved", "sum"),
        resolved_known=("resolved", "count"),
        satisfied=("satisfied", "sum"),
        satisfaction_known=("satisfaction", "count"),
        returned=("returned", "sum"),
        reopened=("reopened", "sum"),
        called_back=("called_back", "sum"),
        enterprise=("is_enterprise", "sum"),
        emergency=("is_emergency", "sum"),
    )


def monthly_report(df: pd.DataFrame, period: Period) -> dict[str, Any]:
    """Every section's figures (the same groupings as the pipeline), from a loaded frame."""
    periods = [period, period.previous(), period.year_ago()]
    day = pd.to_datetime(df["created_date"])
    parts = []
    for p, per in enumerate(periods):
        mask = (day >= pd.Timestamp(per.start)) & (day <= pd.Timestamp(per.end))
        parts.append(df[mask].assign(p=p))
    tagged = pd.concat(parts, ignore_index=True)
    current = tagged[tagged["p"] == 0]

    volumes = _measures(tagged, ["p", "is_enterprise", "is_emergency"])
    by_how = tagged.groupby(["p", "channel", "request_type"], observed=True).size()
    by_cat = tagged.groupby(
        [
            "p",
            "category_l1_code",
            "category_l1_name",
            "category_l2_code",
            "category_l2_name",
            "is_enterprise",
            "is_emergency",
        ],
        observed=True,
    ).size()
    by_area = tagged.groupby(
        ["p", "district_code", "street_code", "is_enterprise", "is_emergency"],
        observed=True,
        dropna=False,
    ).size()
    daily = current.groupby("created_date", observed=True).size()
    units = _measures(
        current[current["lead_unit_code"].notna()],
        ["lead_unit_code", "lead_unit_name", "first_unit_code", "first_unit_name"],
    )
    l2_now = current.groupby("category_l2_code", observed=True).size().sort_values(ascending=False)
    representatives = {}
    for code in list(l2_now.index[:5]):
        rows = current[current["category_l2_code"] == code].sort_values(
            ["reopen_count", "supervision_count", "return_count", "number"],
            ascending=[False, False, False, True],
        )
        representatives[code] = rows["number"].head(3).tolist()
    totals = volumes.groupby(level="p")["total"].sum()
    district = by_area.xs(0, level="p").groupby(level="district_code", dropna=False).sum()
    current_measures = volumes.xs(0, level="p").sum()
    return {
        "total": int(totals.get(0, 0)),
        "previous": int(totals.get(1, 0)),
        "year_ago": int(totals.get(2, 0)),
        "by_district": {
            (k if isinstance(k, str) else "unknown"): int(v) for k, v in district.items()
        },
        "satisfaction": (
            int(current_measures["satisfied"]),
            int(current_measures["satisfaction_known"]),
        ),
        "sections": {
            "by_channel_type": len(by_how),
            "by_category": len(by_cat),
            "daily": len(daily),
            "units": len(units),
            "representatives": representatives,
        },
    }


def month_files(store: Path, period: Period) -> list[Path]:
    from hongmian.analytics.schema import months_between
    from hongmian.analytics.store import partition_file

    keys: set[str] = set()
    for per in (period, period.previous(), period.year_ago()):
        keys.update(months_between(per.start, per.end))
    return [partition_file(store, k) for k in sorted(keys) if partition_file(store, k).exists()]


__all__ = ["load", "month_files", "monthly_report"]
