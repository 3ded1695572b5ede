"""Great-circle distance and a grid index of caregivers for radius queries."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Generic, TypeVar

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)
METRES_PER_DEGREE = math.pi * EARTH_RADIUS_M / 180.0

T = TypeVar("T")


def haversine_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


class GridIndex(Generic[T]):
    """Items bucketed by a lat/lng grid of about `cell_m` metres.

    A radius query visits only the cells that overlap the radius's bounding box, so its
    cost grows with the caregivers nearby, not with the county's total.
    """

    def __init__(self, items: Iterable[tuple[float, float, T]], cell_m: float = 1000.0) -> None:
        self.cell_deg = cell_m / METRES_PER_DEGREE
        self._cells: dict[tuple[int, int], list[tuple[float, float, T]]] = defaultdict(list)
        for lat, lng, item in items:
            self._cells[self._key(lat, lng)].append((lat, lng, item))

    def _key(self, lat: float, lng: float) -> tuple[int, int]:
        # Longitude cells are as many degrees wide as latitude cells; near the poles they get
        # narrower in metres, which only means more cells per query, never a missed caregiver.
        return math.floor(lat / self.cell_deg), math.floor(lng / self.cell_deg)

    def within(self, lat: float, lng: float, radius_m: float) -> Iterator[tuple[float, T]]:
        """(distance in metres, item) for every item within the radius, in no particular order."""
        dlat = radius_m / METRES_PER_DEGREE
        # A degree of longitude is shortest at the band's edge farthest from the equator.
        widest = min(89.9, abs(lat) + dlat)
        dlng = radius_m / (METRES_PER_DEGREE * math.cos(math.radians(widest)))
        i0, j0 = self._key(lat - dlat, lng - dlng)
        i1, j1 = self._key(lat + dlat, lng + dlng)
        for i in range(i0, i1 + 1):
            for j in range(j0, j1 + 1):
                for item_lat, item_lng, item in self._cells.get((i, j), ()):
                    d = haversine_m(lat, lng, item_lat, item_lng)
                    if d <= radius_m:
                        yield d, item
