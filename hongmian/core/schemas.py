"""API schemas of the kernel shared by every app."""

from __future__ import annotations

from ninja import Schema


class ErrorOut(Schema):
    """The body of every API error (core.api_errors): a stable `code` a client can rely on,
    a message for people, and what is wrong where (`fields`, empty when no field is at fault;
    `__all__` for the request as a whole)."""

    code: str
    message: str
    fields: dict[str, list[str]]
