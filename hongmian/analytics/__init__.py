"""Analytics (数据分析): the Parquet store of 12345 work orders, declared pipelines that run on
DuckDB or Apache Spark through Ibis, the synthetic history generator and the monthly report
(民情月历) figures. Nothing here runs in the request path (STYLE habit 8); see
docs/analytics.md.

Modules that worker processes import (schema, history) must not import Django models at
import time: they run in spawned processes without an app registry."""
