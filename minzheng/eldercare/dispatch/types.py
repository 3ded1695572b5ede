"""Dataclasses in and out of the dispatch engine. Plain Python: no Django, no OR-Tools.

Times of day are `datetime.time`; the engine works in minutes after midnight internally.
Datetimes given to `assign_nearest` are local wall-clock times (the caller converts with
`timezone.localtime`), because working hours are wall-clock hours.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

Key = int | str
Interval = tuple[dt.datetime, dt.datetime]


@dataclass(frozen=True)
class Caregiver:
    """护理员 as the engine sees them: home base, qualifications, working hours, bookings."""

    id: Key
    lat: float
    lng: float
    qualifications: frozenset[str] = frozenset()
    work_start: dt.time = dt.time(8, 0)
    work_end: dt.time = dt.time(17, 30)
    weekdays: frozenset[int] = frozenset(range(7))  # Monday = 0, as datetime.weekday()
    busy: tuple[Interval, ...] = ()  # already booked [start, end) intervals
    name: str = ""
    area: str = ""  # e.g. the 乡镇 code: `plan_by_area` plans each area on its own

    def qualified(self, qualification: str) -> bool:
        return not qualification or qualification in self.qualifications


@dataclass(frozen=True)
class Order:
    """One order to assign now (instant dispatch). `start=None` means as soon as possible (`now`)."""

    id: Key
    lat: float
    lng: float
    qualification: str = ""  # "" = any caregiver may do it
    start: dt.datetime | None = None
    minutes: int = 60


@dataclass(frozen=True)
class Assignment:
    order_id: Key
    caregiver_id: Key
    distance_m: int
    start: dt.datetime
    end: dt.datetime
    candidates: int  # caregivers inside the radius that were looked at


@dataclass(frozen=True)
class Visit:
    """One visit of tomorrow's plan. Service must start inside [window_start, window_end]."""

    id: Key
    lat: float
    lng: float
    window_start: dt.time
    window_end: dt.time
    service_minutes: int
    qualification: str = ""
    label: str = ""  # what the list page shows, e.g. the elder's name and the item
    area: str = ""  # e.g. the 乡镇 code of the elder's address


@dataclass(frozen=True)
class Stop:
    visit_id: Key
    sequence: int  # 1, 2, ... in the caregiver's day
    arrival: dt.time  # when the caregiver gets there
    start: dt.time  # service start (arrival, or the window's opening if early)
    end: dt.time
    travel_minutes: int  # from the previous stop (or home)
    distance_m: int
    lat: float
    lng: float
    label: str = ""


@dataclass(frozen=True)
class RoutePoint:
    sequence: int  # 0 = home (start and end)
    label: str
    lat: float
    lng: float
    x: float  # 0..1 inside the route's bounding box, for a map-free sketch (SVG polyline)
    y: float  # 0..1, north at the top


@dataclass(frozen=True)
class Route:
    caregiver_id: Key
    caregiver_name: str
    home_lat: float
    home_lng: float
    stops: tuple[Stop, ...]
    leave: dt.time  # leaves home
    back: dt.time  # back home
    travel_minutes: int  # including the way back home
    distance_m: int

    def view(self) -> list[RoutePoint]:
        """Sequence and coordinates, home → stops → home, with coordinates scaled to a unit box."""
        raw = [(0, "住所", self.home_lat, self.home_lng)]
        raw += [(s.sequence, s.label or str(s.visit_id), s.lat, s.lng) for s in self.stops]
        raw.append((0, "返回住所", self.home_lat, self.home_lng))
        lats, lngs = [p[2] for p in raw], [p[3] for p in raw]
        span_lat, span_lng = (max(lats) - min(lats)) or 1.0, (max(lngs) - min(lngs)) or 1.0
        return [
            RoutePoint(seq, label, lat, lng, (lng - min(lngs)) / span_lng, (max(lats) - lat) / span_lat)
            for seq, label, lat, lng in raw
        ]


@dataclass(frozen=True)
class Dropped:
    visit_id: Key
    reason: str  # Chinese, names the window or qualification that could not be met


@dataclass(frozen=True)
class Progress:
    """One improving solution found during the search (for the benchmark's quality-over-time)."""

    wall_s: float
    cpu_s: float
    objective: int


@dataclass(frozen=True)
class Plan:
    routes: tuple[Route, ...]  # only caregivers with at least one stop
    dropped: tuple[Dropped, ...]
    travel_minutes: int
    distance_m: int
    objective: int
    status: str  # the solver's status, e.g. ROUTING_SUCCESS, or "empty"
    build_s: float  # building the model (matrices, constraints)
    first_solution_s: float  # from the start of the search to the first plan
    solve_s: float
    trace: tuple[Progress, ...] = field(default=(), repr=False)

    @property
    def served(self) -> int:
        return sum(len(r.stops) for r in self.routes)
