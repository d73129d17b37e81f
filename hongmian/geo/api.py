"""Geography endpoints: address parsing and the division tree (public facts, no login)."""

from django.http import HttpRequest
from ninja import Router

from hongmian.core.api_errors import errors
from hongmian.geo.address import parse_address, validate_address_text
from hongmian.geo.models import Division
from hongmian.geo.schemas import AddressParseIn, AddressParseOut, DivisionOut
from hongmian.geo.selectors import district_list, division_children

router = Router(tags=["geo"])


@router.post(
    "/parse",
    auth=None,
    response={200: AddressParseOut, **errors(422)},
    summary="解析地址：所在区、街道/镇",
)
def address_parse(request: HttpRequest, payload: AddressParseIn) -> dict[str, object]:
    """Where the text does not say the district or the street, that level is null."""
    return parse_address(validate_address_text(payload.text)).as_dict()


@router.get(
    "/divisions",
    auth=None,
    response={200: list[DivisionOut], **errors(404)},
    summary="行政区划列表",
)
def division_list(request: HttpRequest, parent: str | None = None) -> list[Division]:
    """The divisions directly below `parent` (a 9-digit code); the districts when omitted.
    An unknown `parent` is 404 `division.not_found`."""
    return list(division_children(parent) if parent else district_list())
