"""/api/hotline/…: the hotline's one Router, which config/api.py mounts like every app's.

Its operations live in three modules: `orders` (take an order, list and read orders, one
endpoint per act of the order's life), `batch` (many orders in one request, for gateways) and
`signoff` (the unit manager's sign-off of a handler's act), `attachments` (an order's files:
upload, list, download).
The batch is added first, and that order is the only one that matters: its path
`work-orders/batch` would otherwise be read as the order number of `work-orders/{number}`.
"""

from __future__ import annotations

from ninja import Router

from hongmian.hotline.api import attachments, batch, orders, signoff

router = Router(tags=["hotline"])
router.add_router("", batch.router)
router.add_router("", orders.router)
router.add_router("", signoff.router)
router.add_router("", attachments.router)
