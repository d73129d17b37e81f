"""The OpenAPI document is built once per process and URL prefix; callers get copies."""

from __future__ import annotations

from config.api import api


def test_the_document_is_kept_and_each_caller_gets_its_own_copy() -> None:
    first = api.get_openapi_schema(path_params={})
    first["info"]["title"] = "changed by a caller"
    second = api.get_openapi_schema(path_params={})
    assert second["info"]["title"] == "Hongmian API"
    assert second["paths"] == first["paths"]
    prefixed = api.get_openapi_schema(path_prefix="/elsewhere/", path_params={})
    assert all(path.startswith("/elsewhere/") for path in prefixed["paths"])
