"""`compute_report`: the figures of one report period, as a JSON-serialisable dict.

Rendering (HTML, PDF, Word, the dashboard) is built on this dict and lives elsewhere; the
structure is documented field by field in docs/analytics.md and versioned by its "schema"
field. Runs the declared REPORT pipeline (pipelines/report.py) on the chosen engine, with
the narrative step declared below.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

from django.utils.translation import gettext
from ibis.backends import BaseBackend

from hongmian.analytics import engines
from hongmian.analytics.periods import Period
from hongmian.analytics.pipelines.report import REPORT, ReportContext
from hongmian.analytics.report.hotspots import period_hotspots
from hongmian.analytics.report.narrative import narrative_text
from hongmian.analytics.schema import TZ
from hongmian.analytics.store import require_manifest
from hongmian.core.errors import ApplicationError, Conflict, ValidationFailed

# Words in an engine's error that mean the file under it is damaged rather than the query.
_CORRUPTION_HINTS = ("parquet", "corrupt", "magic", "footer", "truncated", "thrift")


@REPORT.step(order=90, name="narrative", title="生成中文文字分析")
def narrative(ctx: ReportContext) -> str:
    """The report's last step, its words: declared here, in the report layer that writes
    them, because pipelines compute figures and never import report/ (test_layers.py)."""
    return narrative_text(ctx.results["assemble"])


def normalise_district(raw: str | None) -> str | None:
    """A district filter as its 9-digit code: accepts 440106, 440106000, 天河区 or 天河."""
    if not raw:
        return None
    from hongmian.geo.selectors import gazetteer

    value = raw.strip()
    for e in gazetteer().districts():
        if value in (e.code, e.code[:6], e.name, e.short_name):
            return e.code
    raise ValidationFailed(
        gettext("未知的区：“%(raw)s”（应为广州市的区代码，如 440106，或区名，如 天河区）")
        % {"raw": raw},
        code="analytics.unknown_district",
        fields={"district": ["unknown"]},
    )


def _engine_error(exc: Exception) -> ApplicationError:
    text = str(exc)
    first = text.strip().splitlines()[0][:400] if text.strip() else type(exc).__name__
    if any(h in text.lower() for h in _CORRUPTION_HINTS):
        return Conflict(
            gettext("分析库文件损坏，无法读取：%(first)s。请重新导出或重新生成相应月份")
            % {"first": first},
            code="analytics.corrupt_store",
        )
    return ApplicationError(
        gettext("计算引擎执行失败：%(first)s") % {"first": first}, code="analytics.engine_failed"
    )


def compute_report(
    *,
    source: Path | str,
    period: Period,
    engine: str = "duckdb",
    district: str | None = None,
    unit: str | None = None,
    top_n: int = 10,
    rank_min_volume: int = 20,
    rising_min_volume: int = 30,
    con: BaseBackend | None = None,
    spark: Any = None,
    memory_limit: str | None = None,
    hotspots: bool = False,
) -> dict[str, Any]:
    """The report for `period` from the store at `source`. `district` and `unit` narrow it;
    an unknown one is an error (`analytics.unknown_district` / `analytics.unknown_unit`), a
    known one without orders gives a report of zeros. A unit is ranked once it has
    `rank_min_volume` dispatched orders; a category is "rising" from `rising_min_volume`
    orders this period. Pass `con` (an Ibis connection) or
    `spark` (a session) to reuse them; otherwise the engine is started and closed here."""
    engines.check_engine(engine)
    store = Path(source)
    require_manifest(store)
    district_code = normalise_district(district)
    started = time.perf_counter()
    own = con is None
    ctx = ReportContext(
        con=con
        if con is not None
        else engines.connect(engine, spark=spark, memory_limit=memory_limit),
        engine=engine,
        store=store,
        period=period,
        district=district_code,
        unit=(unit or "").strip() or None,
        top_n=top_n,
        rank_min_volume=rank_min_volume,
        rising_min_volume=rising_min_volume,
        hotspots=period_hotspots(period, district=district_code, top_n=top_n) if hotspots else None,
    )
    try:
        REPORT.run(ctx)
    except ApplicationError:
        raise
    except Exception as exc:  # the engine's own errors (DuckDB, Spark/Py4J) become coded ones
        raise _engine_error(exc) from exc
    finally:
        if own and engine == "duckdb":
            ctx.con.disconnect()
    report: dict[str, Any] = ctx.results["assemble"]
    report["narrative"] = ctx.results["narrative"]
    report["meta"] = {
        "engine": engine,
        "generated_at": dt.datetime.now(TZ).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 3),
        "steps": {name: round(s, 3) for name, s in ctx.timings.items()},
    }
    return report


__all__ = ["compute_report", "normalise_district"]
