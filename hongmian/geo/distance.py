"""Distance on the earth's surface: the one great-circle formula the house uses (insights'
duplicate finder, the city code's impossible-travel check)."""

from __future__ import annotations

import math
from decimal import Decimal

EARTH_RADIUS_METRES = 6_371_000


def great_circle_metres(
    lat1: float | Decimal, lon1: float | Decimal, lat2: float | Decimal, lon2: float | Decimal
) -> float:
    """Haversine distance in metres between two WGS84 points (degrees); within 0.5 % of the
    ellipsoid's, which is all a "could they have travelled it" check needs."""
    p1, l1, p2, l2 = map(math.radians, (float(lat1), float(lon1), float(lat2), float(lon2)))
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin((l2 - l1) / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(h))
