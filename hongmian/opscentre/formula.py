"""An indicator's formula, evaluated with Ibis (over DuckDB, the analytics engines'
connection): rows of a table with a `day` and a `district` column, the formula's filters,
one measure (count / sum / avg of a field), grouped by day and/or district. No SQL strings:
every filter and aggregate is an Ibis expression, so the same formula runs on Spark."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis
import pyarrow as pa
from django.utils.translation import gettext

from hongmian.core.errors import ValidationFailed
from hongmian.opscentre.states import FILTER_OPS, Measure

# Filter values: scalars, or a short list for in/not_in.
MAX_IN_VALUES = 100


@dataclass(frozen=True, slots=True)
class Filter:
    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class Formula:
    measure: str
    field: str = ""
    filters: tuple[Filter, ...] = ()


def _bad(path: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, code="opscentre.bad_formula", fields={path: [message]})


def parse_formula(
    *, measure: str, field_name: str, filters: object, columns: Mapping[str, str]
) -> Formula:
    """The formula checked against the source's columns (name → "number" / "string" /
    "date" …): an unknown column, operator or measure, a sum of text, is
    `opscentre.bad_formula` naming where."""
    if measure not in Measure.values:
        raise _bad("measure", gettext("未知的计算方式：%(m)s") % {"m": measure})
    if measure != Measure.COUNT:
        if field_name not in columns:
            raise _bad("field", gettext("数据来源没有字段“%(f)s”") % {"f": field_name})
        if columns[field_name] != "number":
            raise _bad("field", gettext("只能对数值字段求和或平均：%(f)s") % {"f": field_name})
    if not isinstance(filters, list):
        raise _bad("filters", gettext("筛选条件应为列表"))
    parsed: list[Filter] = []
    for i, raw in enumerate(filters):
        path = f"filters[{i}]"
        if not isinstance(raw, dict) or set(raw) != {"field", "op", "value"}:
            raise _bad(path, gettext("每个筛选条件应有 field、op、value 三项"))
        name, op, value = raw["field"], raw["op"], raw["value"]
        if name not in columns:
            raise _bad(f"{path}.field", gettext("数据来源没有字段“%(f)s”") % {"f": name})
        if op not in FILTER_OPS:
            raise _bad(f"{path}.op", gettext("未知的比较方式：%(op)s") % {"op": op})
        if op in ("in", "not_in"):
            if not isinstance(value, list) or not 0 < len(value) <= MAX_IN_VALUES:
                raise _bad(f"{path}.value", gettext("in / not_in 需要 1–100 个值的列表"))
            if not all(isinstance(v, str | int | float) for v in value):
                raise _bad(f"{path}.value", gettext("列表中只能是文字或数值"))
        elif not isinstance(value, str | int | float) or isinstance(value, bool):
            raise _bad(f"{path}.value", gettext("筛选值应为文字或数值"))
        parsed.append(Filter(name, op, value))
    return Formula(measure=measure, field=field_name, filters=tuple(parsed))


def _predicate(table: Any, f: Filter) -> Any:
    column = table[f.field]
    match f.op:
        case "eq":
            return column == f.value
        case "ne":
            return column != f.value
        case "in":
            return column.isin(list(f.value))
        case "not_in":
            return ~column.isin(list(f.value))
        case "gt":
            return column > f.value
        case "gte":
            return column >= f.value
        case "lt":
            return column < f.value
        case _:
            return column <= f.value


def _metric(table: Any, formula: Formula) -> Any:
    if formula.measure == Measure.COUNT:
        return table.count()
    column = table[formula.field]
    return column.sum() if formula.measure == Measure.SUM else column.mean()


def _number(value: Any, measure: str) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        # No rows: a count or a sum of nothing is 0, an average of nothing has no value.
        return None if measure == Measure.AVG else 0.0
    return float(value)


def evaluate(
    con: Any,
    table: Any,
    formula: Formula,
    *,
    start: dt.date,
    end: dt.date,
    group_by: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """The measure over the rows whose `day` is in [start, end] and that pass every filter,
    one dict per group (`group_by` of "day" and/or "district", plus "value"); without
    groups, one dict. Groups with no rows are absent (the caller fills days with zero)."""
    rows = table.filter((table["day"] >= start) & (table["day"] <= end))
    for f in formula.filters:
        rows = rows.filter(_predicate(rows, f))
    metric = _metric(rows, formula).name("value")
    if not group_by:
        value = con.execute(metric)
        return [{"value": _number(value, formula.measure)}]
    expr = rows.group_by(list(group_by)).aggregate(metric).order_by(list(group_by))
    out = con.to_pyarrow(expr).to_pylist()
    for row in out:
        row["value"] = _number(row["value"], formula.measure)
    return out


def memtable(rows: Sequence[Mapping[str, Any]], columns: Mapping[str, str]) -> Any:
    """An Ibis table of Python rows with the given column types ("number", "string",
    "date"): how the database's rows (orders, bookings, applications) reach DuckDB."""
    types = {"number": pa.float64(), "string": pa.string(), "date": pa.date32()}
    schema = pa.schema([(name, types[kind]) for name, kind in columns.items()])
    data = {name: [r.get(name) for r in rows] for name in columns}
    # Through Arrow with the types given: an empty list has no type of its own.
    return ibis.memtable(pa.Table.from_pydict(data, schema=schema))
