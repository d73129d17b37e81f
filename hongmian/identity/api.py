"""Identity endpoints."""

from ninja import Router

router = Router(tags=["identity"])
