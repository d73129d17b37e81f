"""API In/Out schemas of the geo app."""

from ninja import Schema


class AddressParseIn(Schema):
    # Length is checked by address.validate_address_text, to answer with our own error codes.
    text: str


class PlaceOut(Schema):
    code: str
    name: str


class AddressParseOut(Schema):
    district: PlaceOut | None
    street: PlaceOut | None
    confidence: float


class DivisionOut(Schema):
    code: str
    name: str
    level: str
