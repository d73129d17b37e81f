"""GeoReport v2 shapes: plain dicts and lists with the spec's field names, rendered as the
spec's XML (<services><service>…) or as JSON (the "Spark convention": the same tree, with
each XML list as a JSON array).

XML is written with the standard library's ElementTree; nothing here parses XML.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.http import HttpResponse
from django.utils import timezone

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
XML_CONTENT_TYPE = "text/xml; charset=utf-8"
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"

# The element name of each item of an XML list, by the name of the list (as in the spec).
ITEM_TAGS = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters that XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/F).
# Citizens' text reaches us through many doors; one stray control character must not make
# the whole document unreadable, so they are dropped on the way out.
_XML_ILLEGAL = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def w3c_datetime(value: dt.datetime | None) -> str | None:
    """ISO 8601 in Guangzhou time with its offset, to the second: 2026-05-01T09:30:00+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def coordinate(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


# --- rendering -----------------------------------------------------------------------------


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return format(value, "f")
    return _XML_ILLEGAL.sub("", str(value))


def _element(tag: str, value: Any) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, Mapping):
        for key, child in value.items():
            element.append(_element(key, child))
    elif isinstance(value, list | tuple):
        item_tag = ITEM_TAGS[tag]
        for item in value:
            element.append(_element(item_tag, item))
    elif value is not None:
        element.text = _text(value)
    return element


def to_xml(root: str, value: Any) -> bytes:
    """The document, with the XML declaration the spec asks for (encoding="utf-8")."""
    body = ET.tostring(_element(root, value), encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def to_json(value: Any) -> bytes:
    def default(obj: Any) -> Any:
        if isinstance(obj, Decimal):
            return float(obj)
        raise TypeError(f"not JSON serialisable: {type(obj).__name__}")

    return json.dumps(value, ensure_ascii=False, default=default).encode("utf-8")


def render(fmt: str, root: str, value: Any, *, status: int = 200) -> HttpResponse:
    """`value` as the response body in `fmt` ("json" or "xml"); `root` names the XML root."""
    if fmt == "json":
        return HttpResponse(to_json(value), content_type=JSON_CONTENT_TYPE, status=status)
    return HttpResponse(to_xml(root, value), content_type=XML_CONTENT_TYPE, status=status)


def render_errors(fmt: str, errors: Iterable[tuple[int, str]], *, status: int) -> HttpResponse:
    """The spec's error list: <errors><error><code/><description/></error>…</errors>."""
    body = [{"code": code, "description": description} for code, description in errors]
    return render(fmt, "errors", body, status=status)


# --- resources -----------------------------------------------------------------------------


def service(
    *,
    code: str,
    name: str,
    description: str,
    keywords: str,
    group: str,
    service_type: str,
) -> dict[str, Any]:
    return {
        "service_code": code,
        "service_name": name,
        "description": description,
        # No service asks for extra attributes, so clients need not fetch a definition.
        "metadata": False,
        "type": service_type,
        "keywords": keywords,
        "group": group,
    }


def service_definition(*, code: str) -> dict[str, Any]:
    return {"service_code": code, "attributes": []}


def service_request(
    *,
    number: str,
    is_open: bool,
    status_notes: str,
    service_name: str | None,
    service_code: str | None,
    description: str,
    agency_responsible: str | None,
    requested: dt.datetime,
    updated: dt.datetime,
    expected: dt.datetime | None,
    address: str,
    latitude: Decimal | None,
    longitude: Decimal | None,
    media_url: str | None = None,
) -> dict[str, Any]:
    """One <request>, every field of the spec in the spec's order; what we do not have
    (address_id, zipcode, and media_url without a photo) is present and empty, which the
    spec allows."""
    return {
        "service_request_id": number,
        "status": "open" if is_open else "closed",
        "status_notes": status_notes or None,
        "service_name": service_name,
        "service_code": service_code,
        "description": description or None,
        "agency_responsible": agency_responsible,
        "service_notice": None,
        "requested_datetime": w3c_datetime(requested),
        "updated_datetime": w3c_datetime(updated),
        "expected_datetime": w3c_datetime(expected),
        "address": address or None,
        "address_id": None,
        "zipcode": None,
        "lat": coordinate(latitude),
        "long": coordinate(longitude),
        "media_url": media_url or None,
    }


def public_service_request(
    *,
    number: str,
    is_open: bool,
    status_notes: str,
    service_name: str | None,
    service_code: str | None,
    agency_responsible: str | None,
    requested: dt.datetime,
    updated: dt.datetime,
    expected: dt.datetime | None,
    district: str | None,
    street: str | None,
    media_url: str | None = None,
) -> dict[str, Any]:
    """One <request> of the public view (no api_key): what a city publishes about a request
    and nothing personal. The caller's text, address and coordinates are left out
    altogether rather than sent empty; `district` and `street` (names) are our additions,
    which the spec's clients ignore or show as they are. `media_url` is there only when the
    request has a public photo: our copy, without its EXIF (decision 0031)."""
    item = {
        "service_request_id": number,
        "status": "open" if is_open else "closed",
        "status_notes": status_notes or None,
        "service_name": service_name,
        "service_code": service_code,
        "agency_responsible": agency_responsible,
        "service_notice": None,
        "requested_datetime": w3c_datetime(requested),
        "updated_datetime": w3c_datetime(updated),
        "expected_datetime": w3c_datetime(expected),
        "district": district,
        "street": street,
    }
    if media_url:
        item["media_url"] = media_url
    return item


def request_created(*, number: str | None, token: str | None, notice: str) -> list[dict[str, Any]]:
    """The answer to POST requests: the id (realtime services) or a token (batch), never both."""
    first: dict[str, Any] = {"token": token} if number is None else {"service_request_id": number}
    return [{**first, "service_notice": notice, "account_id": None}]


def token_lookup(*, number: str, token: str) -> list[dict[str, Any]]:
    return [{"service_request_id": number, "token": token}]


def discovery(
    *, url: str, changeset: dt.datetime, contact: str, key_service: str
) -> dict[str, Any]:
    formats: Sequence[str] = ["text/xml", "application/json"]
    return {
        "changeset": w3c_datetime(changeset),
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": url,
                "changeset": w3c_datetime(changeset),
                "type": "production",
                "formats": list(formats),
            }
        ],
    }
