"""Geography endpoints."""

from ninja import Router

router = Router(tags=["geo"])
