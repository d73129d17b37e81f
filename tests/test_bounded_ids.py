"""No input crashes a page (issue 16, item 1): every web URL of the permission matrix, asked
by a role it admits, with its path ids and every id a view reads from the query or the form
set to what once was a 500 — '²' (which `str.isdigit()` accepts and `int()` refuses), a
number past the bigint column, a NUL character — answers below 500.

Views read ids through `hongmian.core.validators.parse_id` (the one helper); forms bound
their integer fields. The routes come from the URL conf through the matrix, so a new page is
checked without a line here (the API's operations: tests/api/test_bounded_input.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.test import Client

from hongmian.core.validators import DB_ID_MAX
from hongmian.identity.states import PUBLIC_ROLES, Role
from hongmian.identity.tests.factories import OrgUnitFactory, UserFactory
from tests import permission_matrix as pm

FOUND = pm.endpoints()

# The names under which views and forms read an id (query or form), and the free text a
# view reads itself; every one is sent at once, each value in turn.
ID_NAMES = (
    "category",
    "category_id",
    "unit",
    "lead_unit",
    "co_units",
    "merge_into",
    "duplicates",
    "master",
    "view",
    "handler",
    "after",
    "sign_off",
    "version",
    "page",
    "per_page",
    "light",
    "dispatch-lead_unit",
    "subdispatch-unit",
)
TEXT_NAMES = ("q", "address", "title", "content", "caller_phone", "number", "phone")
BAD_IDS = ("²", str(DB_ID_MAX + 1), "-99999999999999999999")
# The roles tried first for a page: the one admitted that reaches the most code.
PREFERENCE = (
    Role.HOTLINE_SUPERVISOR,
    Role.HOTLINE_AGENT,
    Role.DEPT_MANAGER,
    Role.DEPT_HANDLER,
    Role.CHIEF_DATA_OFFICER,
    *pm.ROLES,
)


def _principal(row: pm.Row) -> str:
    for role in PREFERENCE:
        if role in row.rule.roles:
            return role
    return pm.ANONYMOUS


def _cases() -> list[Any]:
    cases = []
    for key, row in pm.MATRIX.items():
        method, route = pm.split_key(key)
        endpoint = FOUND.get(key) or FOUND.get(route)
        if endpoint is None or endpoint.door != "web" or route.startswith(("/admin/", "/api/")):
            continue  # the API has its own test; the admin site is Django's own
        cases.append(pytest.param(method, route, row, id=key))
    return cases


def _filled(route: str, value: str) -> str:
    names = [part.split(">")[0] for part in route.split("<")[1:]]
    return pm.fill(route, {name: quote(value, safe="") for name in names})


def _client(principal: str) -> Client:
    client = Client(raise_request_exception=False)
    if principal != pm.ANONYMOUS:
        unit = None if principal in PUBLIC_ROLES else OrgUnitFactory()
        client.force_login(UserFactory(role=principal, org_unit=unit))
    return client


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "route", "row"), _cases())
def test_no_id_in_a_page_request_is_a_500(method: str, route: str, row: pm.Row) -> None:
    client = _client(_principal(row))
    for value in BAD_IDS:
        cache.clear()  # the public pages' lockouts count misses per address
        data = {**row.query, **dict.fromkeys(ID_NAMES, value), **dict.fromkeys(TEXT_NAMES, "a\x00")}
        # A path id past the column still matches `<int:pk>`; '²' matches no route (404).
        url = _filled(route, value if value.isascii() else "1")
        if method == "GET":
            response = client.get(url, data)
        else:
            body = urlencode(data, doseq=True)
            response = client.generic(
                method, url, body, content_type="application/x-www-form-urlencoded"
            )
        assert response.status_code < 500, (url, value, response.status_code)
