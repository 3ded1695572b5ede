"""Plan a county area by area (乡镇 / 街道): many small searches instead of one large one.

`plan_county` then repairs across the borders: the visits an area could not place are offered
to the nearest qualified caregivers of any area, in one small search that starts from the
area plans, and what time is left improves each area's routes from that repaired plan.

Research §4.1: at 1,000 visits the first plan alone costs ~19 s of CPU and a minute of search
leaves travel ~20 % above the 5-minute plan; caregivers seldom cross a 乡镇 for a visit, so each
area is planned with its own caregivers, each getting a share of the time limit in proportion to
its visits. A visit whose area has no caregiver is reported as dropped with that reason.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections import defaultdict
from collections.abc import Mapping, Sequence

from minzheng.eldercare.dispatch.geo import haversine_m
from minzheng.eldercare.dispatch.plan import (
    DEFAULT_SPEED_KMH,
    DROP_PENALTY,
    FIRST_PLAN_CAP_S,
    Replanned,
    _screen,
    plan_day,
    replan,
)
from minzheng.eldercare.dispatch.repair import Legs, insert_by_ejection, insert_cheapest, route_of, sequences
from minzheng.eldercare.dispatch.types import Caregiver, Dropped, Key, Plan, Route, Visit

REPAIR_SOLUTIONS = 100  # solutions of step c's search from the current days (the same on any machine)
REPAIR_CAP_S = 10.0  # a safety net only: the solution limit ends the search long before
FULL = "具备资质的护理员在该时间窗内已排满（时间或路程冲突），未能排入"


def plan_by_area(
    visits: Sequence[Visit],
    caregivers: Sequence[Caregiver],
    *,
    time_limit_s: float,
    day: dt.date | None = None,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    solution_limit: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> Plan:
    """`plan_day` per `area`, merged. `first_solution_s` = the time until every area had a plan."""
    t0 = time.perf_counter()
    by_area: dict[str, list[Visit]] = defaultdict(list)
    team: dict[str, list[Caregiver]] = defaultdict(list)
    for v in visits:
        by_area[v.area].append(v)
    for c in caregivers:
        team[c.area].append(c)
    plans: list[Plan] = []
    dropped: list[Dropped] = []
    for area in sorted(by_area):
        if not team[area]:
            dropped += [Dropped(v.id, f"所在片区（{area or '未分片'}）没有护理员") for v in by_area[area]]
            continue
        share = time_limit_s * len(by_area[area]) / len(visits)
        plans.append(plan_day(by_area[area], team[area], time_limit_s=share, day=day, speed_kmh=speed_kmh,
                              solution_limit=solution_limit, labels=labels))  # fmt: skip
    return Plan(
        routes=tuple(r for p in plans for r in p.routes),
        dropped=tuple(d for p in plans for d in p.dropped) + tuple(dropped),
        travel_minutes=sum(p.travel_minutes for p in plans),
        distance_m=sum(p.distance_m for p in plans),
        objective=sum(p.objective for p in plans),
        status=",".join(sorted({p.status for p in plans})) or "empty",
        build_s=sum(p.build_s for p in plans),
        first_solution_s=sum(p.build_s + p.first_solution_s for p in plans),
        solve_s=time.perf_counter() - t0,
    )


def _helpers(loose: Sequence[Visit], caregivers: Sequence[Caregiver], k: int) -> list[Caregiver]:
    """For each visit, the k nearest qualified caregivers (home to visit; ties by id), any area."""
    chosen: dict[Key, Caregiver] = {}
    for v in loose:
        near = sorted(
            (c for c in caregivers if c.qualified(v.qualification)),
            key=lambda c: (haversine_m(c.lat, c.lng, v.lat, v.lng), str(c.id)),
        )
        chosen.update((c.id, c) for c in near[:k])
    return sorted(chosen.values(), key=lambda c: str(c.id))


def plan_county(
    visits: Sequence[Visit],
    caregivers: Sequence[Caregiver],
    *,
    time_limit_s: float,
    day: dt.date | None = None,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    solution_limit: int | None = None,
    labels: Mapping[str, str] | None = None,
    neighbours: int = 12,
) -> Plan:
    """The whole county: area plans first, then a repair across borders, then improvement by area.

    1. Each area's first plan (`plan_day` per area, first solution only).
    2. Repair across borders (`repair.py`, pure Python): each visit left out (its area full, or
       without caregivers) goes, by cheapest insertion, into the day of one of its `neighbours`
       nearest qualified caregivers of any area who has room for it. A visit that fits into no
       such day as it stands makes room by moving one visit: it takes the place of a visit u of
       a qualified caregiver's day and u goes into the day of one of the nearest caregivers of
       any qualification (a nurse's personal-care visit to a care worker, say). Nothing served
       is unserved, and each day keeps its windows and working hours (checked as the planner
       does). `first_solution_s` is the wall time from the call to this repaired plan.
    3. With the time left (or `solution_limit` solutions each), each area's caregivers search
       again from their repaired routes, keeping the visits they took over from other areas.
    Steps 1 and 2 do not depend on time, so the first plan is the same on every machine;
    step 3 is too when `solution_limit` is given, as with `plan_day`.
    """
    t0 = time.perf_counter()
    working = sorted((c for c in caregivers if day is None or day.weekday() in c.weekdays), key=lambda c: str(c.id))
    off_duty = [c for c in caregivers if c not in working]
    by_id = {v.id: v for v in visits}
    first = plan_by_area(visits, working, time_limit_s=FIRST_PLAN_CAP_S, speed_kmh=speed_kmh, solution_limit=1)
    build_s = first.build_s
    final: dict[Key, Route] = {r.caregiver_id: r for r in first.routes}

    def adopt(team: Sequence[Caregiver], got: Plan | Replanned) -> None:
        for c in team:
            final.pop(c.id, None)
        final.update((r.caregiver_id, r) for r in got.routes)

    def unserved() -> list[Visit]:
        served = {s.visit_id for r in final.values() for s in r.stops}
        return sorted((v for v in visits if v.id not in served), key=lambda v: str(v.id))

    loose = unserved()
    if loose and working:
        legs = Legs(speed_kmh)
        seqs = sequences(tuple(final.values()), by_id)
        # a. cheapest insertion into the routes of the nearest qualified caregivers, any area
        team = _helpers(loose, working, neighbours)
        before = {c.id: list(seqs.get(c.id, ())) for c in team}
        rest = insert_cheapest(loose, team, seqs, legs)
        if rest:
            # b. make room by moving one visit to a neighbour, who may hold another qualification
            anyone = [dataclasses.replace(v, qualification="") for v in rest]
            wider = _helpers([*rest, *anyone], working, neighbours)
            before.update((c.id, list(seqs.get(c.id, ()))) for c in wider if c.id not in before)
            team = sorted({c.id: c for c in [*team, *wider]}.values(), key=lambda c: str(c.id))
            rest = insert_by_ejection(rest, team, seqs, legs)
        final.update((c.id, route_of(c, seqs[c.id], legs)) for c in team if seqs.get(c.id, []) != before[c.id])
        if rest:
            # c. still no room: plan the days of those neighbours again with these visits (OR-Tools),
            #    from scratch and then from their current days, keeping a result only if it serves more
            team = sorted({c.id: c for c in [*team, *_helpers(rest, working, neighbours)]}.values(),
                          key=lambda c: str(c.id))  # fmt: skip
            initial = {c.id: [s.visit_id for s in final[c.id].stops] for c in team if c.id in final}
            group = [by_id[v] for route in initial.values() for v in route]
            fresh = plan_day([*group, *rest], team, time_limit_s=FIRST_PLAN_CAP_S, speed_kmh=speed_kmh,
                             solution_limit=1)  # fmt: skip
            build_s += fresh.build_s
            if fresh.served > len(group):
                adopt(team, fresh)
            else:
                got = replan([*group, *rest], team, initial, time_limit_s=REPAIR_CAP_S,
                             solution_limit=REPAIR_SOLUTIONS, speed_kmh=speed_kmh)  # fmt: skip
                if got is not None and len(got.unserved) < len(rest):
                    build_s += got.build_s
                    adopt(team, got)
    first_s = time.perf_counter() - t0
    left = time_limit_s - first_s
    if working and left > 0:
        teams: dict[str, list[Caregiver]] = defaultdict(list)
        for c in working:
            teams[c.area].append(c)
        rest = unserved()
        loads = {
            area: [by_id[s.visit_id] for c in team if c.id in final for s in final[c.id].stops]
            + [v for v in rest if v.area == area]
            for area, team in teams.items()
        }
        total = sum(len(vs) for vs in loads.values()) or 1
        for area in sorted(teams):
            if not loads[area]:
                continue
            team = teams[area]
            initial = {c.id: [s.visit_id for s in final[c.id].stops] for c in team if c.id in final}
            share = left * len(loads[area]) / total
            got = replan(loads[area], team, initial, time_limit_s=share, solution_limit=solution_limit,
                         speed_kmh=speed_kmh)  # fmt: skip
            if got is not None:
                adopt(team, got)
                build_s += got.build_s
    routes = tuple(final[k] for k in sorted(final, key=str))
    loose = unserved()
    model, screened = _screen(loose, working, speed_kmh, day=day, off_duty=off_duty, labels=labels)
    staffed = {c.area for c in working}
    dropped = list(screened) + [
        Dropped(
            v.id,
            FULL if v.area in staffed else f"所在片区（{v.area or '未分片'}）没有护理员，邻近片区{FULL[:-5]}，未能排入",
        )
        for v in model.visits
    ]
    dropped.sort(key=lambda d: str(d.visit_id))
    distance = sum(r.distance_m for r in routes)
    return Plan(
        routes=routes,
        dropped=tuple(dropped),
        travel_minutes=sum(r.travel_minutes for r in routes),
        distance_m=distance,
        objective=distance + DROP_PENALTY * len(model.visits),
        status="by-area+repair",
        build_s=build_s,
        first_solution_s=first_s,
        solve_s=time.perf_counter() - t0,
    )
