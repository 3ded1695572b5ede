"""The dispatch engine on small, hand-checkable instances (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import time

from minzheng.eldercare.dispatch import (
    Caregiver,
    CaregiverIndex,
    Order,
    Visit,
    assign_nearest,
    haversine_m,
    plan_by_area,
    plan_day,
    synthetic,
)
from minzheng.eldercare.dispatch.geo import METRES_PER_DEGREE
from minzheng.eldercare.dispatch.plan import minutes

HOME = (29.80, 121.56)  # 鄞州区
DAY = dt.date(2026, 12, 2)  # a Wednesday
CST = dt.timezone(dt.timedelta(hours=8))  # wall-clock local time, as the callers pass it
NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=CST)


def north(metres: float, lat: float = HOME[0], lng: float = HOME[1]) -> tuple[float, float]:
    return lat + metres / METRES_PER_DEGREE, lng


def cg(cid: str, metres: float, quals: set[str] | None = None, **kw: object) -> Caregiver:
    lat, lng = north(metres)
    return Caregiver(cid, lat, lng, frozenset(quals or {"养老护理员"}), **kw)  # type: ignore[arg-type]


def order(qual: str = "养老护理员", **kw: object) -> Order:
    return Order("O1", *HOME, qualification=qual, **kw)  # type: ignore[arg-type]


def test_haversine_one_degree_of_latitude() -> None:
    assert abs(haversine_m(30.0, 121.0, 31.0, 121.0) - 111_195) < 5
    assert haversine_m(*HOME, *HOME) == 0


def test_nearest_qualified_caregiver_wins() -> None:
    team = [cg("near", 500), cg("nurse", 1500, {"养老护理员", "护士"}), cg("far-nurse", 2500, {"护士"})]
    assert assign_nearest(order(), team, now=NOW).caregiver_id == "near"
    got = assign_nearest(order("护士"), team, now=NOW)
    assert got.caregiver_id == "nurse" and abs(got.distance_m - 1500) <= 2
    assert got.start == NOW and got.end == NOW + dt.timedelta(minutes=60)
    assert assign_nearest(order("康复师"), team, now=NOW) is None


def test_radius_is_respected_and_configurable() -> None:
    team = [cg("out", 3200)]
    assert assign_nearest(order(), team, now=NOW) is None
    assert assign_nearest(order(), team, radius_m=3500, now=NOW).caregiver_id == "out"
    # East-west too: the grid's longitude span must not cut the circle short.
    east = Caregiver("east", HOME[0], HOME[1] + 2900 / (METRES_PER_DEGREE * 0.8678), frozenset({"养老护理员"}))
    got = assign_nearest(order(), [east], now=NOW)
    assert got is not None and 2850 <= got.distance_m <= 3000


def test_busy_and_off_duty_caregivers_are_skipped() -> None:
    booked = (NOW - dt.timedelta(minutes=30), NOW + dt.timedelta(minutes=30))
    team = [cg("busy", 100, busy=(booked,)), cg("late", 200, work_start=dt.time(10)), cg("free", 900)]
    assert assign_nearest(order(), team, now=NOW).caregiver_id == "free"
    weekend = dt.datetime(2026, 12, 5, 9, 0, tzinfo=CST)  # Saturday
    weekdays = [cg("mon-fri", 100, weekdays=frozenset(range(5)))]
    assert assign_nearest(order(), weekdays, now=weekend) is None
    # Service past the end of the working day does not fit.
    assert assign_nearest(order(start=dt.datetime(2026, 12, 2, 17, 0, tzinfo=CST)), [cg("c", 100)], now=NOW) is None


def test_index_bookings_move_the_next_order_on() -> None:
    index = CaregiverIndex([cg("a", 100), cg("b", 800)])
    first = assign_nearest(order(), index, now=NOW)
    index.book(first.caregiver_id, first.start, first.end)
    second = assign_nearest(order(), index, now=NOW)
    assert (first.caregiver_id, second.caregiver_id) == ("a", "b")
    later = assign_nearest(order(start=NOW + dt.timedelta(hours=1)), index, now=NOW)
    assert later.caregiver_id == "a"  # the booking ended: [start, end) intervals


def test_equal_distance_ties_go_to_the_smaller_id() -> None:
    lat, lng = north(1000)
    team = [Caregiver("b", lat, lng, frozenset({"养老护理员"})), Caregiver("a", lat, lng, frozenset({"养老护理员"}))]
    assert assign_nearest(order(), team, now=NOW).caregiver_id == "a"
    assert assign_nearest(order(), list(reversed(team)), now=NOW).caregiver_id == "a"


def visit(
    vid: str, metres: float, start: tuple[int, int], end: tuple[int, int], qual: str = "", mins: int = 30
) -> Visit:
    return Visit(vid, *north(metres), dt.time(*start), dt.time(*end), mins, qual, label=vid)


def test_plan_honours_windows_qualifications_and_working_hours() -> None:
    team = [cg("A", 0, work_start=dt.time(8), work_end=dt.time(12)), cg("N", 200, {"护士"})]
    visits = [
        visit("v1", 1000, (8, 0), (8, 30)),
        visit("v2", 1500, (9, 30), (10, 0)),
        visit("v3", 2000, (10, 0), (11, 0), qual="护士", mins=45),
        visit("v4", 600, (8, 0), (11, 0)),
    ]
    started = time.perf_counter()
    plan = plan_day(visits, team, time_limit_s=1, day=DAY)
    assert time.perf_counter() - started <= 4.0  # the 1 s limit holds, with room for a busy machine
    assert plan.dropped == () and plan.served == 4
    by_visit = {s.visit_id: (r, s) for r in plan.routes for s in r.stops}
    assert by_visit["v3"][0].caregiver_id == "N"
    windows = {v.id: v for v in visits}
    for route in plan.routes:
        caregiver = next(c for c in team if c.id == route.caregiver_id)
        assert minutes(caregiver.work_start) <= minutes(route.leave) <= minutes(route.back)
        assert minutes(route.back) <= minutes(caregiver.work_end)
        previous_end = minutes(route.leave)
        for stop in route.stops:
            v = windows[stop.visit_id]
            assert minutes(v.window_start) <= minutes(stop.start) <= minutes(v.window_end)
            assert minutes(stop.arrival) == previous_end + stop.travel_minutes <= minutes(stop.start)
            assert minutes(stop.end) == minutes(stop.start) + v.service_minutes
            previous_end = minutes(stop.end)
        points = route.view()
        assert points[0].sequence == 0 and points[-1].label == "返回住所"
        assert [p.sequence for p in points[1:-1]] == list(range(1, len(route.stops) + 1))
        assert all(0 <= p.x <= 1 and 0 <= p.y <= 1 for p in points)


def test_infeasible_visits_are_dropped_with_a_reason() -> None:
    team = [cg("A", 0, work_start=dt.time(8), work_end=dt.time(12))]
    visits = [
        visit("ok", 500, (9, 0), (9, 30)),
        visit("nurse", 500, (9, 0), (10, 0), qual="护士"),
        visit("evening", 500, (18, 0), (19, 0)),
        visit("clash", 500, (9, 0), (9, 10), mins=60),  # same slot as "ok", one caregiver
        visit("backwards", 500, (10, 0), (9, 0)),
    ]
    plan = plan_day(visits, team, time_limit_s=1)
    reasons = {d.visit_id: d.reason for d in plan.dropped}
    assert reasons["nurse"] == "没有护理员具备「护士」资质"
    assert reasons["evening"] == "时间窗 18:00–19:00（服务 30 分钟）不在任何护理员的工作时间内（含往返路程）"
    assert reasons["backwards"] == "时间窗 10:00–09:00 无效：结束早于开始"
    assert len({"ok", "clash"} & set(reasons)) == 1
    assert "已排满" in reasons[next(iter({"ok", "clash"} & set(reasons)))]
    assert plan.served == 1


def test_day_leaves_out_caregivers_off_that_weekday() -> None:
    team = [cg("weekday", 0, weekdays=frozenset(range(5)))]
    saturday = dt.date(2026, 12, 5)
    plan = plan_day([visit("v", 500, (9, 0), (10, 0))], team, time_limit_s=1, day=saturday)
    assert plan.served == 0 and plan.status == "empty"
    assert plan_day([visit("v", 500, (9, 0), (10, 0))], team, time_limit_s=1, day=DAY).served == 1


def test_plan_is_deterministic_for_a_seed() -> None:
    team = synthetic.caregivers(6, seed=7, towns=3)
    visits = synthetic.visits(40, seed=7, towns=3)
    runs = [plan_day(visits, team, time_limit_s=5, solution_limit=30) for _ in range(2)]
    runs.append(plan_day(list(reversed(visits)), list(reversed(team)), time_limit_s=5, solution_limit=30))
    shapes = [[(r.caregiver_id, [(s.visit_id, s.start) for s in r.stops]) for r in p.routes] for p in runs]
    assert shapes[0] == shapes[1] == shapes[2]
    assert runs[0].objective == runs[2].objective and runs[0].served + len(runs[0].dropped) == 40
    other = plan_day(synthetic.visits(40, seed=8, towns=3), team, time_limit_s=5, solution_limit=30)
    assert [s.visit_id for r in other.routes for s in r.stops] != [s.visit_id for r in runs[0].routes for s in r.stops]


def test_a_plan_is_returned_even_when_the_limit_is_shorter_than_the_first_solution() -> None:
    team = synthetic.caregivers(6, seed=3, towns=3)
    plan = plan_day(synthetic.visits(40, seed=3, towns=3), team, time_limit_s=0.001)
    assert plan.served > 30 and plan.served + len(plan.dropped) == 40 and plan.trace


def test_plan_by_area_keeps_caregivers_in_their_area() -> None:
    team = [dataclasses.replace(c, area="A") for c in (cg("a1", 0), cg("a2", 300))]
    team.append(dataclasses.replace(cg("b1", 100), area="B"))
    visits = [dataclasses.replace(visit(f"a{k}", 200 * k, (8, 0), (16, 0)), area="A") for k in range(4)]
    visits.append(dataclasses.replace(visit("b", 100, (9, 0), (10, 0)), area="B"))
    visits.append(dataclasses.replace(visit("c", 100, (9, 0), (10, 0)), area="C"))
    plan = plan_by_area(visits, team, time_limit_s=1)
    served = {s.visit_id: r.caregiver_id for r in plan.routes for s in r.stops}
    assert served["b"] == "b1" and {served[f"a{k}"] for k in range(4)} <= {"a1", "a2"}
    assert [(d.visit_id, d.reason) for d in plan.dropped] == [("c", "所在片区（C）没有护理员")]
    assert plan.served == 5 and plan.distance_m == sum(r.distance_m for r in plan.routes)
