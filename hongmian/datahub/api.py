"""`/api/datahub/…`: the catalogue in DCAT (Turtle and JSON-LD), open to everyone.

One Router mounted at /datahub/ (config/api.py); errors become {code, message, fields}."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from hongmian.datahub.dcat import catalogue_datasets, catalogue_graph
from hongmian.datahub.services.assets import api_call_record

router = Router(tags=["datahub"])

# A catalogue changes a few times a day; a harvester polling every minute costs one render.
DCAT_MAX_AGE = 300


def _graph_response(request: HttpRequest, fmt: str, content_type: str) -> HttpResponse:
    api_call_record(
        f"GET {request.path}", "数据资源目录（DCAT）", request.user
    )  # usage (decision 0085)
    base = request.build_absolute_uri("/").rstrip("/")
    body = catalogue_graph(base, catalogue_datasets()).serialize(format=fmt)
    response = HttpResponse(body, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={DCAT_MAX_AGE}"
    return response


@router.get("/dcat.ttl", auth=None, summary="数据资源目录（DCAT，Turtle）")
def dcat_turtle(request: HttpRequest) -> HttpResponse:
    """The public catalogue as DCAT-AP style RDF in Turtle (what it holds: decision 0076)."""
    return _graph_response(request, "turtle", "text/turtle; charset=utf-8")


@router.get("/dcat.jsonld", auth=None, summary="数据资源目录（DCAT，JSON-LD）")
def dcat_jsonld(request: HttpRequest) -> HttpResponse:
    """The same catalogue in JSON-LD."""
    return _graph_response(request, "json-ld", "application/ld+json")


# The sharing operations live in their own module on this Router (decision 0081).
from hongmian.datahub import api_sharing  # noqa: E402, F401  (registers its operations)
