"""Instant dispatch: the nearest available qualified caregiver within a radius."""

from __future__ import annotations

import datetime as dt
from bisect import insort
from collections.abc import Iterable

from minzheng.eldercare.dispatch.geo import GridIndex
from minzheng.eldercare.dispatch.types import Assignment, Caregiver, Interval, Key, Order

DEFAULT_RADIUS_M = 3000  # "护理员 3 公里以内" [seed 004 峡山]; configurable per call


class CaregiverIndex:
    """Caregivers on a grid plus their bookings; build once, assign many orders.

    `book()` records an assignment so the same caregiver is not given an overlapping order.
    """

    def __init__(self, caregivers: Iterable[Caregiver], cell_m: float = 1000.0) -> None:
        self.caregivers: dict[Key, Caregiver] = {}
        self._busy: dict[Key, list[Interval]] = {}
        for c in caregivers:
            self.caregivers[c.id] = c
            self._busy[c.id] = sorted(c.busy)
        self._grid: GridIndex[Caregiver] = GridIndex(((c.lat, c.lng, c) for c in self.caregivers.values()), cell_m)

    def book(self, caregiver_id: Key, start: dt.datetime, end: dt.datetime) -> None:
        insort(self._busy[caregiver_id], (start, end))

    def is_free(self, caregiver_id: Key, start: dt.datetime, end: dt.datetime) -> bool:
        """No booking overlaps [start, end)."""
        return all(not (b_start < end and start < b_end) for b_start, b_end in self._busy[caregiver_id])

    def nearby(self, lat: float, lng: float, radius_m: float) -> list[tuple[float, Caregiver]]:
        return list(self._grid.within(lat, lng, radius_m))


def on_duty(caregiver: Caregiver, start: dt.datetime, end: dt.datetime) -> bool:
    """Inside the caregiver's working hours on a working day (the whole service, same day)."""
    if start.weekday() not in caregiver.weekdays or end.date() != start.date():
        return False
    return caregiver.work_start <= start.time() and end.time() <= caregiver.work_end


def assign_nearest(
    order: Order,
    caregivers: CaregiverIndex | Iterable[Caregiver],
    *,
    radius_m: float = DEFAULT_RADIUS_M,
    now: dt.datetime,
) -> Assignment | None:
    """The nearest caregiver who holds the qualification, is on duty and free, within radius_m.

    Ties on distance go to the smaller caregiver id, so the answer does not depend on input order.
    Pass a prebuilt `CaregiverIndex` when assigning many orders; a plain list is indexed per call.
    """
    index = caregivers if isinstance(caregivers, CaregiverIndex) else CaregiverIndex(caregivers)
    start = order.start or now
    end = start + dt.timedelta(minutes=order.minutes)
    candidates = index.nearby(order.lat, order.lng, radius_m)
    candidates.sort(key=lambda dc: (dc[0], str(dc[1].id)))
    for distance, caregiver in candidates:
        if (
            caregiver.qualified(order.qualification)
            and on_duty(caregiver, start, end)
            and index.is_free(caregiver.id, start, end)
        ):
            return Assignment(order.id, caregiver.id, round(distance), start, end, len(candidates))
    return None
