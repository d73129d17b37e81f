"""No input crashes the API (issue 16, item 1): every number an operation takes is bounded
in its schema, and every integer and string parameter of every operation, sent the values
that once were 500s — an integer past 64 bits, a superscript digit that `str.isdigit()`
accepts and `int()` refuses, a float too large to round, a NUL character — is a 4xx with a
stable code.

The operations are read from the OpenAPI document the API serves, so a new operation is
checked without a line here. Bodies are covered by the schema walk (a body's bound is
pydantic's, the same as a parameter's) and by schemathesis (tests/api/test_schemathesis.py),
whose strategies now reach these values too."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from config.api import api
from hongmian.core.validators import DB_ID_MAX
from hongmian.hotline.tests.http import api_key_for
from hongmian.identity.states import Role
from hongmian.identity.tests.factories import UserFactory

DOCUMENT: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema()))
COMPONENTS: dict[str, Any] = DOCUMENT["components"]["schemas"]

# What a client can send where an integer is expected, and was once a 500 somewhere.
BAD_INTEGERS = (
    str(DB_ID_MAX + 1),  # one past the bigint id column
    "-99999999999999999999",
    "²",  # str.isdigit() says yes, int() says no
    "1e30",
    "\x00",
)
BAD_STRINGS = ("a\x00b",)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = COMPONENTS[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _numbers(schema: dict[str, Any], where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every integer and number inside `schema` (through refs, unions, arrays, objects)."""
    schema = _resolve(schema)
    for key in ("anyOf", "oneOf", "allOf"):
        for sub in schema.get(key, []):
            yield from _numbers(sub, where)
    if schema.get("type") in ("integer", "number"):
        yield where, schema
    if schema.get("type") == "array" and "items" in schema:
        yield from _numbers(schema["items"], f"{where}[]")
    for name, sub in schema.get("properties", {}).items():
        yield from _numbers(sub, f"{where}.{name}")


def _inputs() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(operation, parameter or body, schema) of every operation's input."""
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            label = f"{method.upper()} {path}"
            for param in operation.get("parameters", []):
                yield label, f"{param['in']}:{param['name']}", param["schema"]
            for content in operation.get("requestBody", {}).get("content", {}).values():
                yield label, "body", content["schema"]


def _is_bounded(schema: dict[str, Any]) -> bool:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if low is None or high is None:
        return False
    # An integer the database stores: no bound past the bigint column.
    return schema.get("type") != "integer" or (low >= -(2**63) and high <= DB_ID_MAX)


def test_every_number_an_operation_takes_is_bounded() -> None:
    unbounded = [
        f"{label} {where}"
        for label, name, schema in _inputs()
        for where, number in _numbers(schema, name)
        if not _is_bounded(number)
    ]
    assert unbounded == [], "bound these (hongmian.core.schemas.DbId for ids)"


def _parameter_cases() -> Iterator[Any]:
    for path, item in DOCUMENT["paths"].items():
        for method, operation in item.items():
            for param in operation.get("parameters", []):
                if param["in"] not in ("path", "query"):
                    continue
                schema = _resolve(param["schema"])
                kinds = {_resolve(s).get("type") for s in schema.get("anyOf", [schema])}
                values = BAD_INTEGERS if kinds & {"integer", "number"} else BAD_STRINGS
                label = f"{method.upper()} {path} {param['name']}"
                yield pytest.param(method, path, param, values, id=label)


def _url(path: str, param: dict[str, Any], value: str) -> str:
    # Every other path parameter gets a harmless value: the one under test is the point.
    filled = path
    for name in [p.strip("{}") for p in path.split("/") if p.startswith("{")]:
        filled = filled.replace(
            f"{{{name}}}", quote(value, safe="") if name == param["name"] else "1"
        )
    if param["in"] == "query":
        filled += f"?{param['name']}={quote(value, safe='')}"
    return filled


@pytest.fixture
def key() -> str:
    # A city-wide supervisor (the role that may do most of the API): a value that got past
    # the schema would reach the operation's query.
    return api_key_for(UserFactory(role=Role.HOTLINE_SUPERVISOR))


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "param", "values"), list(_parameter_cases()))
def test_a_parameter_past_its_range_is_a_coded_4xx(
    key: str, method: str, path: str, param: dict[str, Any], values: tuple[str, ...]
) -> None:
    client = Client(raise_request_exception=False)
    for value in values:
        response = client.generic(
            method.upper(),
            _url(path, param, value),
            data="{}",
            content_type="application/json",
            headers={"Authorization": f"Bearer {key}"},
        )
        answer = (value, response.status_code, response.content[:300])
        assert 400 <= response.status_code < 500, answer
        assert response.json()["code"], answer
