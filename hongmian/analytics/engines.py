"""The engines a pipeline runs on, behind one Ibis connection: DuckDB embedded (the default:
one process, no service) or Apache Spark in local mode (the same expressions, for when the
store outgrows one machine). Pipelines only build Ibis expressions; nothing here knows about
the report.

Spark needs Java 17+ and the `pyspark` package (the "spark" dependency group).
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
from django.utils.translation import gettext
from ibis.backends import BaseBackend

from hongmian.analytics.schema import ORDER_SCHEMA, TZ_NAME
from hongmian.core.errors import ApplicationError, ValidationFailed

ENGINES = ("duckdb", "spark")
# DuckDB spills to disk past this; the report on a month of a 100-million-order store needs a
# small fraction of it. Override with HONGMIAN_ANALYTICS_MEMORY_LIMIT-style options per caller.
DEFAULT_DUCKDB_MEMORY = "3GB"


def check_engine(engine: str) -> str:
    if engine not in ENGINES:
        raise ValidationFailed(
            gettext("未知的计算引擎：“%(engine)s”，可选 %(value1)s")
            % {"engine": engine, "value1": " / ".join(ENGINES)},
            code="analytics.unknown_engine",
            fields={"engine": ["unknown"]},
        )
    return engine


def duckdb_connect(*, memory_limit: str = DEFAULT_DUCKDB_MEMORY, threads: int | None = None) -> Any:
    # No TimeZone setting: it needs DuckDB's icu extension, which is downloaded on demand
    # (not possible offline). The report reads dates, never does time-zone arithmetic.
    config: dict[str, Any] = {"memory_limit": memory_limit}
    if threads:
        config["threads"] = threads
    return ibis.duckdb.connect(**config)


def spark_session(
    *,
    master: str = "local[*]",
    shuffle_partitions: int = 4,
    driver_memory: str = "2g",
    small_data: bool = False,
) -> Any:
    """A local Spark session for analytics: no UI, Beijing time, few shuffle partitions (the
    default 200 makes every small aggregation pay for 200 tasks). `small_data` (tests) turns
    off whole-stage code generation and adaptive planning: on a few thousand rows compiling
    and re-planning each query costs far more than running it."""
    # Python workers (if a plan ever needs one) must be this interpreter, not whatever
    # "python3" is on PATH: PySpark refuses mismatched minor versions.
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise ApplicationError(
            gettext("未安装 pyspark：请用默认依赖组安装（uv sync 会包含 spark 组）"),
            code="analytics.engine_unavailable",
        ) from None
    builder = (
        SparkSession.builder.master(master)
        .appName("hongmian-analytics")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", TZ_NAME)
        .config("spark.sql.shuffle.partitions", str(shuffle_partitions))
        .config("spark.default.parallelism", str(shuffle_partitions))
        .config("spark.driver.memory", driver_memory)
        .config("spark.sql.adaptive.enabled", "true")
        # Arrow moves results to Python column by column instead of row by row.
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
    )
    try:
        session = builder.getOrCreate()
    except Exception as exc:  # the JVM failed to start: no Java, wrong version …
        raise ApplicationError(
            gettext("无法启动 Spark（需要 Java 17 或更高版本）：%(value0)s")
            % {"value0": str(exc).splitlines()[0][:300]},
            code="analytics.engine_unavailable",
        ) from None
    if small_data:
        session.conf.set("spark.sql.codegen.wholeStage", "false")
        session.conf.set("spark.sql.adaptive.enabled", "false")
    session.sparkContext.setLogLevel("ERROR")
    # py4j says goodbye at INFO from a finaliser, after logging's streams may be closed.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    return session


def connect(engine: str, *, spark: Any = None, memory_limit: str | None = None) -> BaseBackend:
    """An Ibis connection for `engine`. For Spark, pass a session to reuse it (tests keep one
    per module); otherwise a local one is started and stopped when the process exits."""
    check_engine(engine)
    if engine == "duckdb":
        return duckdb_connect(memory_limit=memory_limit or DEFAULT_DUCKDB_MEMORY)
    if spark is None:
        spark = spark_session()
        atexit.register(spark.stop)
    return ibis.pyspark.connect(spark)


def _plain_schema(columns: Sequence[str]) -> pa.Schema:
    """The store's schema for `columns`, with dictionaries as plain strings (what every
    engine reads them as)."""
    fields = []
    for name in columns:
        f = ORDER_SCHEMA.field(name)
        typ = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
        fields.append(pa.field(name, typ))
    return pa.schema(fields)


def read_orders(con: BaseBackend, files: Sequence[Path], columns: Sequence[str]) -> Any:
    """An Ibis table over the given partition files, with just `columns`. No files gives an
    empty table of the same shape, so a period without orders runs the same expressions."""
    cols = list(columns)
    paths = [str(f) for f in files]
    if con.name == "pyspark":
        session = con._session
        if paths:
            frame = session.read.parquet(*paths).select(*cols)
        else:
            # An empty frame from the schema alone: no local rows, so no Python worker.
            from pyspark.sql.pandas.types import from_arrow_schema

            frame = session.createDataFrame(
                session.sparkContext.emptyRDD(), from_arrow_schema(_plain_schema(cols))
            )
        name = ibis.util.gen_name("orders")
        frame.createOrReplaceTempView(name)
        return con.table(name)
    if not paths:
        table = ibis.memtable(_plain_schema(cols).empty_table())
    else:
        # Partition folders are named month=…; the month is in the data, so no extra column.
        table = con.read_parquet(paths, hive_partitioning=False)
    return table.select(cols)


__all__ = ["ENGINES", "check_engine", "connect", "read_orders", "spark_session"]
