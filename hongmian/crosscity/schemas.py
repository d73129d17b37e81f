"""In/Out schemas of the cross-city endpoints."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from hongmian.crosscity.services.partners import MAX_PACKAGE_CHARS


class JwkSetOut(Schema):
    keys: list[dict[str, Any]]


class PackageFileIn(Schema):
    sha256: str = Field(max_length=64)
    content: str = Field(max_length=MAX_PACKAGE_CHARS)


class PackageIn(Schema):
    package: str = Field(max_length=MAX_PACKAGE_CHARS)
    files: list[PackageFileIn] = Field(default_factory=list, max_length=30)


class ReceiptOut(Schema):
    receipt: str
    new: bool


class StatusIn(Schema):
    update: str = Field(max_length=20_000)


class StatusOut(Schema):
    ok: bool
    new: bool
