"""Daily plan with OR-Tools routing: time windows, qualifications, working hours, travel.

Model (one vehicle per caregiver, starting and ending at the caregiver's home base):
- nodes 0..m-1 are the homes, m.. are the visits that at least one caregiver could do;
- arc cost = metres travelled; the time dimension's transit = service at the origin + travel;
- each visit's service start lies in its window; each caregiver's day lies in the working hours;
- the qualification and the reachable-in-time test decide the allowed vehicles per visit;
- every visit is optional (a disjunction with a large penalty), so an overfull day still plans
  and reports what it could not place, with a Chinese reason.
Search: PARALLEL_CHEAPEST_INSERTION first (it places everything where PATH_CHEAPEST_ARC drops a
third of the visits, research §4.1), then guided local search until the time limit.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from minzheng.eldercare.dispatch.geo import haversine_m
from minzheng.eldercare.dispatch.types import Caregiver, Dropped, Key, Plan, Progress, Route, Stop, Visit

DEFAULT_SPEED_KMH = 15.0  # electric bicycle in town (research §4.1 benchmark set-up)
# Dropping a visit must always cost more than any detour to serve it (metres).
DROP_PENALTY = 100_000_000
DAY = 24 * 60
FIRST_PLAN_CAP_S = 120.0


def minutes(t: dt.time) -> int:
    return t.hour * 60 + t.minute


def clock(m: int) -> dt.time:
    m = max(0, min(DAY - 1, m))
    return dt.time(m // 60, m % 60)


def hhmm(m: int) -> str:
    return clock(m).strftime("%H:%M")


@dataclass
class _Model:
    visits: list[Visit]  # the visits in the model, node = m + position
    caregivers: list[Caregiver]
    metres: list[list[int]]
    travel: list[list[int]]  # minutes
    service: list[int]
    allowed: list[list[int]]  # per visit: the vehicles (caregivers) holding its qualification


def _matrices(points: list[tuple[float, float]], speed_kmh: float) -> tuple[list[list[int]], list[list[int]]]:
    n = len(points)
    metres = [[0] * n for _ in range(n)]
    travel = [[0] * n for _ in range(n)]
    per_minute = speed_kmh * 1000 / 60
    for i in range(n):
        lat_i, lng_i = points[i]
        row_m, row_t = metres[i], travel[i]
        for j in range(i + 1, n):
            d = haversine_m(lat_i, lng_i, points[j][0], points[j][1])
            row_m[j] = metres[j][i] = round(d)
            row_t[j] = travel[j][i] = math.ceil(d / per_minute)
    return metres, travel


def _reachable(cg: Caregiver, v: Visit, to_visit: int, back_home: int) -> bool:
    """Could this caregiver, leaving home at the start of work, do the visit and be home in time?"""
    start = max(minutes(v.window_start), minutes(cg.work_start) + to_visit)
    return start <= minutes(v.window_end) and start + v.service_minutes + back_home <= minutes(cg.work_end)


def _legs(cg: Caregiver, v: Visit, per_minute: float) -> tuple[int, int]:
    t = math.ceil(haversine_m(cg.lat, cg.lng, v.lat, v.lng) / per_minute)
    return t, t


WEEKDAYS = "一二三四五六日"


def _unqualified_reason(
    qualification: str, day: dt.date | None, off_duty: Sequence[Caregiver], labels: Mapping[str, str]
) -> str:
    """Why nobody on duty can take a visit: nobody works that day, or the qualified ones are off, or nobody holds it."""
    name = labels.get(qualification, qualification)
    if any(c.qualified(qualification) for c in off_duty):
        weekday = f"（周{WEEKDAYS[day.weekday()]}）" if day else ""
        need = f"具备「{name}」资质的" if qualification else ""
        return f"该日无排班：{day.isoformat() if day else '当日'}{weekday}没有{need}护理员上班"
    return f"没有护理员具备「{name}」资质" if qualification else "没有可派的护理员"


def _screen(
    visits: Sequence[Visit],
    caregivers: Sequence[Caregiver],
    speed_kmh: float,
    *,
    day: dt.date | None = None,
    off_duty: Sequence[Caregiver] = (),
    labels: Mapping[str, str] | None = None,
) -> tuple[_Model, list[Dropped]]:
    """Drop, with a reason, the visits nobody could do; keep the rest with their allowed caregivers."""
    per_minute = speed_kmh * 1000 / 60
    labels = labels or {}
    kept: list[tuple[Visit, list[int]]] = []
    dropped: list[Dropped] = []
    for v in visits:
        window = f"{hhmm(minutes(v.window_start))}–{hhmm(minutes(v.window_end))}"
        if minutes(v.window_end) < minutes(v.window_start):
            dropped.append(Dropped(v.id, f"时间窗 {window} 无效：结束早于开始"))
            continue
        qualified = [k for k, c in enumerate(caregivers) if c.qualified(v.qualification)]
        if not qualified:
            dropped.append(Dropped(v.id, _unqualified_reason(v.qualification, day, off_duty, labels)))
            continue
        # The time dimension decides who can fit the visit in; restricting the allowed vehicles
        # to the "reachable" ones as well made local search miss easy insertions (measured).
        if not any(_reachable(caregivers[k], v, *_legs(caregivers[k], v, per_minute)) for k in qualified):
            need = f"具备「{labels.get(v.qualification, v.qualification)}」资质的" if v.qualification else ""
            dropped.append(
                Dropped(
                    v.id,
                    f"时间窗 {window}（服务 {v.service_minutes} 分钟）不在任何{need}护理员的工作时间内（含往返路程）",
                )
            )
            continue
        kept.append((v, qualified))
    points = [(c.lat, c.lng) for c in caregivers] + [(v.lat, v.lng) for v, _ in kept]
    metres, travel = _matrices(points, speed_kmh)
    service = [0] * len(caregivers) + [v.service_minutes for v, _ in kept]
    model = _Model([v for v, _ in kept], list(caregivers), metres, travel, service, [a for _, a in kept])
    return model, dropped


def _routing(model: _Model) -> tuple[pywrapcp.RoutingIndexManager, pywrapcp.RoutingModel, pywrapcp.RoutingDimension]:
    m = len(model.caregivers)
    n = m + len(model.visits)
    manager = pywrapcp.RoutingIndexManager(n, m, list(range(m)), list(range(m)))
    routing = pywrapcp.RoutingModel(manager)
    cost = routing.RegisterTransitMatrix(model.metres)
    routing.SetArcCostEvaluatorOfAllVehicles(cost)
    busy = [[model.service[i] + model.travel[i][j] for j in range(n)] for i in range(n)]
    routing.AddDimension(routing.RegisterTransitMatrix(busy), DAY, DAY, False, "Time")
    time_dim = routing.GetDimensionOrDie("Time")
    for pos, visit in enumerate(model.visits):
        index = manager.NodeToIndex(m + pos)
        time_dim.CumulVar(index).SetRange(minutes(visit.window_start), minutes(visit.window_end))
        routing.AddDisjunction([index], DROP_PENALTY)
        if len(model.allowed[pos]) < m:
            routing.VehicleVar(index).SetValues([-1, *model.allowed[pos]])
    for k, cg in enumerate(model.caregivers):
        for index in (routing.Start(k), routing.End(k)):
            time_dim.CumulVar(index).SetRange(minutes(cg.work_start), minutes(cg.work_end))
        # Leave home as late as possible and come back as early as possible: no idle hours at the start.
        routing.AddVariableMaximizedByFinalizer(time_dim.CumulVar(routing.Start(k)))
        routing.AddVariableMinimizedByFinalizer(time_dim.CumulVar(routing.End(k)))
    return manager, routing, time_dim


def _params(time_limit_s: float, solution_limit: int | None) -> object:
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PARALLEL_CHEAPEST_INSERTION
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    params.time_limit.FromMilliseconds(max(1, int(time_limit_s * 1000)))
    if solution_limit:
        params.solution_limit = solution_limit
    return params


def _solve(
    routing: pywrapcp.RoutingModel, time_limit_s: float, solution_limit: int | None, trace: list
) -> pywrapcp.Assignment | None:
    """Search until the limit; if it ran out before the first plan, search again for that plan alone.

    A time-limited search returns no plan (or an empty one) when the first solution alone takes
    longer than the limit, as 1,000 visits did on a busy 2-core machine; a plan that is not yet
    optimised is worth more to a dispatcher than none. (Splitting every solve into "first plan,
    then local search from it" gave the same plans but cost about 2 s more CPU at 500 visits.)
    """
    solution = routing.SolveWithParameters(_params(time_limit_s, solution_limit))
    if solution is not None and trace and (solution_limit == len(trace) or trace[0].wall_s < 0.9 * time_limit_s):
        return solution
    # No plan, or the first plan came at the limit: the limit may have cut it short (at 1,000
    # visits a 10-s limit returned 292 visits served and 708 dropped), so finish it.
    seen = len(trace)
    first = routing.SolveWithParameters(_params(FIRST_PLAN_CAP_S, 1))
    if first is not None and (solution is None or first.ObjectiveValue() < solution.ObjectiveValue()):
        del trace[:seen]  # the first complete plan, timed from the start of the first search
        return first
    del trace[seen:]
    return solution


def _routes(model: _Model, manager, routing, time_dim, solution) -> list[Route]:
    m = len(model.caregivers)
    routes: list[Route] = []
    for k, cg in enumerate(model.caregivers):
        index = solution.Value(routing.NextVar(routing.Start(k)))
        if routing.IsEnd(index):
            continue
        stops: list[Stop] = []
        leave = solution.Value(time_dim.CumulVar(routing.Start(k)))
        prev, prev_end, travel_total, metres_total = k, leave, 0, 0
        while not routing.IsEnd(index):
            node = manager.IndexToNode(index)
            visit = model.visits[node - m]
            start = solution.Value(time_dim.CumulVar(index))
            t = model.travel[prev][node]
            arrival = prev_end + t
            end = start + visit.service_minutes
            stops.append(
                Stop(visit.id, len(stops) + 1, clock(arrival), clock(start), clock(end), t,
                     model.metres[prev][node], visit.lat, visit.lng, visit.label)
            )  # fmt: skip
            travel_total += t
            metres_total += model.metres[prev][node]
            prev, prev_end = node, end
            index = solution.Value(routing.NextVar(index))
        home = model.travel[prev][k]
        routes.append(
            Route(cg.id, cg.name, cg.lat, cg.lng, tuple(stops), clock(leave), clock(prev_end + home),
                  travel_total + home, metres_total + model.metres[prev][k])
        )  # fmt: skip
    return routes


STATUS = {
    0: "ROUTING_NOT_SOLVED",
    1: "ROUTING_SUCCESS",
    2: "ROUTING_PARTIAL_SUCCESS_LOCAL_OPTIMUM_NOT_REACHED",
    3: "ROUTING_FAIL",
    4: "ROUTING_FAIL_TIMEOUT",
    5: "ROUTING_INVALID",
    6: "ROUTING_INFEASIBLE",
    7: "ROUTING_OPTIMAL",
}


def plan_day(
    visits: Sequence[Visit],
    caregivers: Sequence[Caregiver],
    *,
    time_limit_s: float,
    day: dt.date | None = None,
    speed_kmh: float = DEFAULT_SPEED_KMH,
    solution_limit: int | None = None,
    labels: Mapping[str, str] | None = None,
) -> Plan:
    """Plan one day. With `day`, caregivers not working that weekday are left out.

    `labels` names qualifications in the reasons (养老护理员, not care_worker); a visit nobody can
    take because nobody (qualified) works that day says 该日无排班, not that the qualification is missing.

    The search stops at `time_limit_s`, or after `solution_limit` improving solutions; a solution
    limit makes the plan exactly reproducible on any machine (a time limit depends on its speed).
    """
    t0 = time.perf_counter()
    working = [c for c in caregivers if day is None or day.weekday() in c.weekdays]
    visits = sorted(visits, key=lambda v: str(v.id))  # the answer must not depend on input order
    working.sort(key=lambda c: str(c.id))
    off_duty = [c for c in caregivers if c not in working]
    model, dropped = _screen(visits, working, speed_kmh, day=day, off_duty=off_duty, labels=labels)
    if not model.visits:
        return Plan((), tuple(dropped), 0, 0, 0, "empty", time.perf_counter() - t0, 0.0, 0.0)
    manager, routing, time_dim = _routing(model)
    build_s = time.perf_counter() - t0
    trace: list[Progress] = []
    start_wall, start_cpu = time.perf_counter(), time.process_time()

    def on_solution() -> None:
        trace.append(
            Progress(time.perf_counter() - start_wall, time.process_time() - start_cpu, routing.CostVar().Max())
        )

    routing.AddAtSolutionCallback(on_solution)
    solution = _solve(routing, time_limit_s, solution_limit, trace)
    solve_s = time.perf_counter() - start_wall
    status = STATUS.get(routing.status(), str(routing.status()))
    if solution is None:
        reason = "在限定时间内未找到可行方案"
        dropped += [Dropped(v.id, reason) for v in model.visits]
        return Plan((), tuple(dropped), 0, 0, 0, status, build_s, solve_s, solve_s, tuple(trace))
    routes = _routes(model, manager, routing, time_dim, solution)
    served = {s.visit_id for r in routes for s in r.stops}
    reason = "具备资质的护理员在该时间窗内已排满（时间或路程冲突），未能排入"
    dropped += [Dropped(v.id, reason) for v in model.visits if v.id not in served]
    return Plan(
        routes=tuple(routes),
        dropped=tuple(dropped),
        travel_minutes=sum(r.travel_minutes for r in routes),
        distance_m=sum(r.distance_m for r in routes),
        objective=solution.ObjectiveValue(),
        status=status,
        build_s=build_s,
        first_solution_s=trace[0].wall_s if trace else solve_s,
        solve_s=solve_s,
        trace=tuple(trace),
    )


@dataclass
class Replanned:
    """What `replan` returns: the new routes, the visits it left out, and its timings."""

    routes: list[Route]
    unserved: list[Visit]
    objective: int
    build_s: float
    solve_s: float
    trace: list[Progress]


def replan(
    visits: Sequence[Visit],
    caregivers: Sequence[Caregiver],
    initial: Mapping[Key, Sequence[Key]],
    *,
    time_limit_s: float,
    solution_limit: int | None = None,
    speed_kmh: float = DEFAULT_SPEED_KMH,
) -> Replanned | None:
    """Search again from given routes (caregiver id → visit ids in order); visits in no route start unserved.

    The search starts from the given plan and keeps the best plan it sees, and dropping a visit
    costs more than any detour, so it never serves fewer visits than `initial` did. Guided local
    search runs until the time or solution limit (`plan_county` improves each area with it).
    Returns None when the given routes are not feasible in the model (the caller keeps them).
    """
    t0 = time.perf_counter()
    visits = sorted(visits, key=lambda v: str(v.id))
    caregivers = sorted(caregivers, key=lambda c: str(c.id))
    model, screened = _screen(visits, caregivers, speed_kmh)
    m = len(model.caregivers)
    node = {v.id: m + pos for pos, v in enumerate(model.visits)}
    wanted = [list(initial.get(c.id, ())) for c in model.caregivers]
    if any(vid not in node for route in wanted for vid in route):
        return None
    if not model.visits:
        return Replanned([], list(screened_visits(visits, screened)), 0, time.perf_counter() - t0, 0.0, [])
    manager, routing, time_dim = _routing(model)
    params = _params(time_limit_s, solution_limit)
    routing.CloseModelWithParameters(params)
    start = routing.ReadAssignmentFromRoutes([[manager.NodeToIndex(node[v]) for v in r] for r in wanted], True)
    build_s = time.perf_counter() - t0
    if start is None:
        return None
    trace: list[Progress] = []
    start_wall, start_cpu = time.perf_counter(), time.process_time()

    def on_solution() -> None:
        trace.append(
            Progress(time.perf_counter() - start_wall, time.process_time() - start_cpu, routing.CostVar().Max())
        )

    routing.AddAtSolutionCallback(on_solution)
    solution = routing.SolveFromAssignmentWithParameters(start, params) or start
    routes = _routes(model, manager, routing, time_dim, solution)
    served = {s.visit_id for r in routes for s in r.stops}
    if len(served) < sum(len(r) for r in wanted):
        return None  # never worse than the start (the search keeps its best plan; this is a guard)
    unserved = [v for v in model.visits if v.id not in served] + screened_visits(visits, screened)
    return Replanned(routes, unserved, solution.ObjectiveValue(), build_s, time.perf_counter() - start_wall, trace)


def screened_visits(visits: Sequence[Visit], screened: Sequence[Dropped]) -> list[Visit]:
    gone = {d.visit_id for d in screened}
    return [v for v in visits if v.id in gone]
