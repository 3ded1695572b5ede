"""Cheapest insertion of unserved visits into existing routes, with the planner's time rules.

The rules are those of `plan.py`'s model: travel minutes are the metres at the given speed
rounded up, service starts inside the visit's window (waiting if early), and the caregiver
leaves home and is back inside the working hours. Used by `plan_county` to repair across area
borders; pure Python, so the result does not depend on time or machine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from minzheng.eldercare.dispatch.geo import haversine_m
from minzheng.eldercare.dispatch.plan import clock, minutes
from minzheng.eldercare.dispatch.types import Caregiver, Key, Route, Stop, Visit


class Legs:
    """Metres and travel minutes between homes and visits, rounded as `plan._matrices` does."""

    def __init__(self, speed_kmh: float) -> None:
        self.per_minute = speed_kmh * 1000 / 60
        self._cache: dict[tuple[float, float, float, float], tuple[int, int]] = {}

    def __call__(self, a: Caregiver | Visit, b: Caregiver | Visit) -> tuple[int, int]:
        key = (a.lat, a.lng, b.lat, b.lng)
        got = self._cache.get(key)
        if got is None:
            d = haversine_m(a.lat, a.lng, b.lat, b.lng)
            got = self._cache[key] = (round(d), math.ceil(d / self.per_minute))
        return got


def schedule(cg: Caregiver, seq: Sequence[Visit], legs: Legs) -> tuple[int, list[int]] | None:
    """(metres, service starts) when the caregiver does `seq` in order, starting each visit as early
    as possible after leaving home at the start of work; None if a window or the day is missed."""
    prev: Caregiver | Visit = cg
    t, metres, starts = minutes(cg.work_start), 0, []
    for v in seq:
        d, travel = legs(prev, v)
        start = max(t + travel, minutes(v.window_start))
        if start > minutes(v.window_end):
            return None
        starts.append(start)
        t, metres, prev = start + v.service_minutes, metres + d, v
    d, travel = legs(prev, cg)
    if t + travel > minutes(cg.work_end):
        return None
    return metres + d, starts


def insert_cheapest(
    loose: Sequence[Visit],
    caregivers: Sequence[Caregiver],
    routes: dict[Key, list[Visit]],
    legs: Legs,
) -> list[Visit]:
    """Put each visit (in the given order) where it adds the fewest metres; returns those that fit nowhere.

    `routes` (caregiver id → visits in order) is updated in place; only qualified caregivers are
    tried, and ties go to the smaller caregiver id, then the earlier position.
    """
    left = []
    for v in loose:
        best: tuple[int, str, int] | None = None
        for cg in caregivers:
            got = _cheapest(v, cg, routes.get(cg.id, []), legs)
            if got is not None and (best is None or (got[0], str(cg.id), got[1]) < best):
                best = (got[0], str(cg.id), got[1])
        if best is None:
            left.append(v)
            continue
        owner = next(c for c in caregivers if str(c.id) == best[1])
        routes.setdefault(owner.id, []).insert(best[2], v)
    return left


def _cheapest(v: Visit, cg: Caregiver, seq: Sequence[Visit], legs: Legs) -> tuple[int, int] | None:
    """(added metres, position) of the cheapest feasible place for v in seq (ties: earlier), or None.

    O(len(seq)) per call: with each stop's earliest start (forward) and latest start that keeps
    the rest of the day feasible (backward), a place is feasible when v starts inside its window
    and the next stop (or home) is reached by its latest start (or the end of work).
    """
    if not cg.qualified(v.qualification):
        return None
    earliest: list[int] = []
    prev: Caregiver | Visit = cg
    t = minutes(cg.work_start)
    for u in seq:
        t = max(t + legs(prev, u)[1], minutes(u.window_start))
        if t > minutes(u.window_end):
            return None
        earliest.append(t)
        t, prev = t + u.service_minutes, u
    latest = [0] * len(seq)
    nxt: Caregiver | Visit = cg
    limit = minutes(cg.work_end)  # latest arrival at the next stop (home: end of work)
    for k in range(len(seq) - 1, -1, -1):
        u = seq[k]
        latest[k] = min(minutes(u.window_end), limit - legs(u, nxt)[1] - u.service_minutes)
        if latest[k] < earliest[k]:
            return None
        limit, nxt = latest[k], u
    if t + legs(prev, cg)[1] > minutes(cg.work_end):
        return None
    best = None
    ws, we, service = minutes(v.window_start), minutes(v.window_end), v.service_minutes
    for pos in range(len(seq) + 1):
        before: Caregiver | Visit = seq[pos - 1] if pos else cg
        after: Caregiver | Visit = seq[pos] if pos < len(seq) else cg
        ready = earliest[pos - 1] + seq[pos - 1].service_minutes if pos else minutes(cg.work_start)
        d_in, t_in = legs(before, v)
        start = max(ready + t_in, ws)
        if start > we:
            continue
        d_out, t_out = legs(v, after)
        if start + service + t_out > (latest[pos] if pos < len(seq) else minutes(cg.work_end)):
            continue
        added = d_in + d_out - legs(before, after)[0]
        if best is None or added < best[0]:
            best = (added, pos)
    return best


def insert_by_ejection(
    loose: Sequence[Visit],
    caregivers: Sequence[Caregiver],
    routes: dict[Key, list[Visit]],
    legs: Legs,
) -> list[Visit]:
    """Make room by moving one visit: v goes where u was, u goes to another caregiver's day.

    For a visit that fits into no day as it stands: for each qualified caregiver and each visit u
    of their day, if v fits once u is out and u fits into another of `caregivers`' days, the
    cheapest such pair of moves (in added metres; ties by caregiver ids and positions) is made.
    Returns the visits for which no such pair exists.
    """
    left = []
    for v in loose:
        best: tuple[int, str, int, int, str, int] | None = None
        homes: dict[Key, list[tuple[int, str, int]]] = {}  # u → where it could go (days unchanged for this v)
        for cg in caregivers:
            if not cg.qualified(v.qualification):
                continue
            seq = routes.get(cg.id, [])
            base = schedule(cg, seq, legs)
            if base is None:
                continue
            for i, u in enumerate(seq):
                rest = [*seq[:i], *seq[i + 1 :]]
                into = _cheapest(v, cg, rest, legs)
                if into is None:
                    continue
                out = schedule(cg, rest, legs)
                saved = base[0] - out[0] if out else 0
                if u.id not in homes:
                    homes[u.id] = [
                        (moved[0], str(other.id), moved[1])
                        for other in caregivers
                        if other.id != cg.id and (moved := _cheapest(u, other, routes.get(other.id, []), legs))
                    ]
                for added, other_id, other_pos in homes[u.id]:
                    option = (into[0] - saved + added, str(cg.id), i, into[1], other_id, other_pos)
                    if best is None or option < best:
                        best = option
        if best is None:
            left.append(v)
            continue
        _, cg_id, i, pos, other_id, other_pos = best
        owner = next(c.id for c in caregivers if str(c.id) == cg_id)
        other = next(c.id for c in caregivers if str(c.id) == other_id)
        u = routes[owner].pop(i)
        routes[owner].insert(pos, v)
        routes.setdefault(other, []).insert(other_pos, u)
    return left


def route_of(cg: Caregiver, seq: Sequence[Visit], legs: Legs) -> Route:
    """The `Route` for a feasible sequence: leave home just in time for the first visit, as `plan_day` does."""
    got = schedule(cg, seq, legs)
    if got is None:
        raise ValueError(f"route of {cg.id} is not feasible")
    starts = got[1]
    leave = starts[0] - legs(cg, seq[0])[1]
    prev: Caregiver | Visit = cg
    stops, prev_end, travel_total, metres_total = [], leave, 0, 0
    for k, v in enumerate(seq):
        d, t = legs(prev, v)
        # Earliest starts after a just-in-time departure: the same as `schedule` from the first stop on.
        start = starts[k] if k == 0 else max(prev_end + t, minutes(v.window_start))
        end = start + v.service_minutes
        stops.append(Stop(v.id, k + 1, clock(prev_end + t), clock(start), clock(end), t, d, v.lat, v.lng, v.label))
        travel_total, metres_total, prev, prev_end = travel_total + t, metres_total + d, v, end
    d, t = legs(prev, cg)
    return Route(cg.id, cg.name, cg.lat, cg.lng, tuple(stops), clock(leave), clock(prev_end + t),
                 travel_total + t, metres_total + d)  # fmt: skip


def sequences(routes: Sequence[Route], visits: Mapping[Key, Visit]) -> dict[Key, list[Visit]]:
    return {r.caregiver_id: [visits[s.visit_id] for s in r.stops] for r in routes}
