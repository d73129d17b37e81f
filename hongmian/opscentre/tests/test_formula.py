"""The declarative formula over Ibis/DuckDB: each measure, each filter, grouping by day and
district, and the checks that refuse a bad formula with its path. No database."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hongmian.analytics.engines import duckdb_connect
from hongmian.core.errors import ValidationFailed
from hongmian.opscentre.formula import evaluate, memtable, parse_formula

D1, D2, D3 = dt.date(2026, 12, 1), dt.date(2026, 12, 2), dt.date(2026, 12, 3)
COLUMNS = {"day": "date", "district": "string", "status": "string", "minutes": "number"}
ROWS = [
    {"day": D1, "district": "440106000", "status": "closed", "minutes": 10.0},
    {"day": D1, "district": "440104000", "status": "open", "minutes": 30.0},
    {"day": D2, "district": "440106000", "status": "open", "minutes": 20.0},
    {"day": D2, "district": "440106000", "status": "closed", "minutes": 40.0},
    {"day": D2, "district": "440104000", "status": "closed", "minutes": None},
    {"day": D3, "district": "440104000", "status": "open", "minutes": 99.0},  # outside
]


@pytest.fixture(scope="module")
def con() -> Any:
    return duckdb_connect(memory_limit="256MB", threads=1)


def run(con: Any, measure: str, field: str = "", filters: Any = (), group_by: Any = ()) -> Any:
    formula = parse_formula(
        measure=measure, field_name=field, filters=list(filters), columns=COLUMNS
    )
    table = memtable(ROWS, COLUMNS)
    return evaluate(con, table, formula, start=D1, end=D2, group_by=group_by)


def test_each_measure_over_the_days_asked(con: Any) -> None:
    assert run(con, "count") == [{"value": 5.0}]
    assert run(con, "sum", "minutes") == [{"value": 100.0}]
    # The average skips the empty cell: (10 + 30 + 20 + 40) / 4.
    assert run(con, "avg", "minutes") == [{"value": 25.0}]


def test_filters_each_operator(con: Any) -> None:
    def count(*filters: dict[str, Any]) -> Any:
        return run(con, "count", filters=filters)[0]["value"]

    assert count({"field": "status", "op": "eq", "value": "open"}) == 2
    assert count({"field": "status", "op": "ne", "value": "open"}) == 3
    assert count({"field": "district", "op": "in", "value": ["440104000"]}) == 2
    assert count({"field": "district", "op": "not_in", "value": ["440104000"]}) == 3
    assert count({"field": "minutes", "op": "gt", "value": 20}) == 2
    assert count({"field": "minutes", "op": "gte", "value": 20}) == 3
    assert count({"field": "minutes", "op": "lt", "value": 20}) == 1
    assert count({"field": "minutes", "op": "lte", "value": 20}) == 2
    both = (
        {"field": "status", "op": "eq", "value": "closed"},
        {"field": "district", "op": "eq", "value": "440106000"},
    )
    assert count(*both) == 2


def test_group_by_day_and_district(con: Any) -> None:
    assert run(con, "count", group_by=("day",)) == [
        {"day": D1, "value": 2.0},
        {"day": D2, "value": 3.0},
    ]
    assert run(con, "sum", "minutes", group_by=("district",)) == [
        {"district": "440104000", "value": 30.0},
        {"district": "440106000", "value": 70.0},
    ]


def test_nothing_matches_count_and_sum_zero_average_none(con: Any) -> None:
    nobody = [{"field": "status", "op": "eq", "value": "none"}]
    assert run(con, "count", filters=nobody) == [{"value": 0.0}]
    assert run(con, "sum", "minutes", filters=nobody) == [{"value": 0.0}]
    assert run(con, "avg", "minutes", filters=nobody) == [{"value": None}]


@pytest.mark.parametrize(
    ("measure", "field", "filters", "path"),
    [
        ("median", "", [], "measure"),
        ("sum", "nope", [], "field"),
        ("avg", "status", [], "field"),
        ("count", "", {"field": "status"}, "filters"),
        ("count", "", [{"field": "status", "op": "eq"}], "filters[0]"),
        ("count", "", [{"field": "nope", "op": "eq", "value": 1}], "filters[0].field"),
        ("count", "", [{"field": "status", "op": "like", "value": 1}], "filters[0].op"),
        ("count", "", [{"field": "status", "op": "in", "value": "open"}], "filters[0].value"),
        ("count", "", [{"field": "status", "op": "eq", "value": True}], "filters[0].value"),
    ],
)
def test_a_bad_formula_names_where(measure: str, field: str, filters: Any, path: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        parse_formula(measure=measure, field_name=field, filters=filters, columns=COLUMNS)
    assert caught.value.code == "opscentre.bad_formula"
    assert list(caught.value.fields) == [path]
