"""The same pipelines on Apache Spark (local mode) give the same report as on DuckDB.

One Spark session per module (local[1], one shuffle partition, no UI); the JVM needs Java
17+. CI runs the suite twice (SQLite and PostgreSQL); this test touches no database, so it
runs only in the SQLite pass to keep CI within its time budget."""

from __future__ import annotations

import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hongmian.analytics import engines
from hongmian.analytics.periods import parse_period
from hongmian.analytics.report.compute import compute_report
from hongmian.analytics.store import read_manifest

pytestmark = [
    pytest.mark.spark,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="the Spark equality test needs no database; it runs in the SQLite pass only",
    ),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None:
        message = "Java 17+ is needed to start Spark"
        if os.environ.get("CI"):
            pytest.fail(f"{message}, and CI must run this test")
        pytest.skip(message)
    session = engines.spark_session(
        master="local[1]", shuffle_partitions=1, driver_memory="1g", small_data=True
    )
    yield session
    session.stop()


def test_duckdb_and_spark_give_the_same_monthly_report(small_history: Path, spark: Any) -> None:
    # The month of the generated emergency episode, so the emergency section is compared too.
    first_day = read_manifest(small_history)["history"]["emergencies"][0][0]
    month = first_day[:7]
    if month < "2025-10":  # keep a previous month in the history
        month = "2026-10"
    period = parse_period("month", value=month, today_=dt.date(2026, 11, 28))
    options = {
        "source": small_history,
        "period": period,
        "rank_min_volume": 2,
        "rising_min_volume": 3,
    }
    duck = compute_report(**options)
    on_spark = compute_report(engine="spark", spark=spark, **options)
    assert on_spark["meta"]["engine"] == "spark"
    duck.pop("meta")
    on_spark.pop("meta")
    assert duck["total"] > 0
    assert any(u["rank"] for u in duck["units"])
    for key in duck:
        assert on_spark[key] == duck[key], key
    assert on_spark == duck
