#!/usr/bin/env python3
"""Benchmark: home-care daily plan (OR-Tools) and instant dispatch on generated county data.

Usage: .venv/bin/python bench/dispatch_bench.py [--long 30] [--short 10] [--seed 1]
       [--sizes 500x50,1000x100] [--caregivers 2000] [--orders 10000]

The full run is `--long 300`, once, under `flock /tmp/mz-bench.lock`.

For each size N visits / M caregivers (a seeded county box of 12 towns, three-hour windows,
20 % of visits need a nurse, 10-hour working days, 15 km/h), planned three ways: one search
over the county (`plan_day`), town by town (`plan_by_area`, nobody crosses a border), and
town by town then repaired across borders and improved by town (`plan_county`):
- the first complete plan: seconds (what they include is printed beside them), dropped, km;
- a plan with the short limit (what the product runs): served, dropped, travel minutes and km;
- a plan with the long limit: the same, plus the best objective seen at the short mark of the
  same run; the gap = short-run travel / long-run travel − 1 (aim: ≤ 5 % at 500/50 in 10 s).
Then one table of every plan of that size with its dropped count, how many of its dropped
visits the whole-county long plan places, and travel against that plan; and the ratio of the
first-plan times, whole county against by area + repair. Every ratio is printed from this
run's measurements, with the dropped counts beside the plans it compares.
Instant dispatch: one grid index over the caregivers, then the given number of orders over one
day, each assigned to the nearest free qualified caregiver within 3 km and booked; p50/p99/max
of the per-order latency (aim: p99 ≤ 100 ms); then, for contrast, the first 500 orders without
booking through a prebuilt index and through a plain list (index rebuilt per call), and the ratio.
Wall-clock figures depend on what else the 2 shared cores run; CPU seconds are printed too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchlib import emit

from minzheng.eldercare.dispatch import (
    CaregiverIndex,
    Plan,
    assign_nearest,
    plan_by_area,
    plan_county,
    plan_day,
    synthetic,
)
from minzheng.eldercare.dispatch.plan import DROP_PENALTY

Planner = Callable[..., Plan]


def best_by(plan: Plan, seconds: float) -> tuple[int, int] | None:
    """(dropped, metres) of the best solution found by `seconds` wall-clock into the search."""
    seen = [p for p in plan.trace if p.wall_s <= seconds]
    if not seen:
        return None
    objective = min(p.objective for p in seen)
    return objective // DROP_PENALTY, objective % DROP_PENALTY


def describe(plan: Plan) -> str:
    return (
        f"served {plan.served}, dropped {len(plan.dropped)}, travel {plan.travel_minutes} min / "
        f"{plan.distance_m / 1000:.1f} km, {len(plan.routes)} caregivers used, {plan.status}"
    )


def timed(planner: Planner, visits: list, caregivers: list, limit: float, **kw: object) -> tuple[Plan, float, float]:
    """(plan, CPU seconds, wall seconds of the whole call)."""
    cpu, wall = time.process_time(), time.perf_counter()
    plan = planner(visits, caregivers, time_limit_s=limit, **kw)
    return plan, time.process_time() - cpu, time.perf_counter() - wall


LABELS = {
    "county": "whole county, one search (plan_day)",
    "area": "by area, 12 towns, no crossing (plan_by_area)",
    "repair": "by area, then repair across borders, then improve by area (plan_county)",
}
PLANNERS: dict[str, Planner] = {"county": plan_day, "area": plan_by_area, "repair": plan_county}


def dropped_ids(plan: Plan) -> set:
    return {d.visit_id for d in plan.dropped}


def first_plan(mode: str, quick: Plan, visits: list, caregivers: list) -> tuple[float, int, float, str]:
    """(seconds, dropped, km, what the seconds include) of the first complete plan of each planner."""
    if mode == "county":  # the first solution of the short run's own search (its trace)
        first = quick.trace[0]
        return (quick.build_s + first.wall_s, first.objective // DROP_PENALTY, (first.objective % DROP_PENALTY) / 1000,
                "model build + search to its first solution, from the short run's trace")  # fmt: skip
    if mode == "area":  # first solution only in every area, the whole call
        plan, _, wall = timed(plan_by_area, visits, caregivers, 120.0, solution_limit=1)
        return wall, len(plan.dropped), plan.distance_m / 1000, "whole call, every area's build + first solution"
    plan, _, wall = timed(plan_county, visits, caregivers, 0.0)
    return wall, len(plan.dropped), plan.distance_m / 1000, "whole call: area first solutions + border repair"


def bench_plan(n: int, m: int, *, seed: int, short: float, long: float, modes: list[str]) -> None:
    caregivers = synthetic.caregivers(m, seed=seed)
    visits = synthetic.visits(n, seed=seed)
    plans: dict[tuple[str, str], Plan] = {}
    firsts: dict[str, tuple[float, int, float, str]] = {}
    for mode in modes:
        planner = PLANNERS[mode]
        print(f"\n== daily plan: {n} visits / {m} caregivers (seed {seed}), {LABELS[mode]} ==")
        quick, quick_cpu, quick_wall = timed(planner, visits, caregivers, short)
        firsts[mode] = first = first_plan(mode, quick, visits, caregivers)
        print(f"first plan: {first[0]:.2f} s ({first[3]}), dropped {first[1]}, travel {first[2]:.1f} km")
        print(f"{short:.0f}-s plan: {describe(quick)} ({quick_cpu:.1f} s CPU, {quick_wall:.1f} s wall)")
        full, full_cpu, full_wall = timed(planner, visits, caregivers, long)
        print(f"{long:.0f}-s plan: {describe(full)} ({full_cpu:.1f} s CPU, {full_wall:.1f} s wall)")
        for t in (short, 30, 60, 120):
            if t < long and (point := best_by(full, t)):
                print(f"  same run at {t:.0f} s: dropped {point[0]}, travel {point[1] / 1000:.1f} km")
        plans[mode, f"{short:.0f} s"], plans[mode, f"{long:.0f} s"] = quick, full
        gap = quick.distance_m / full.distance_m - 1 if full.distance_m else 0.0
        same = " (the same visits served)" if dropped_ids(quick) == dropped_ids(full) else ""
        print(
            f"gap: {short:.0f}-s travel is {gap * 100:+.1f} % against the {long:.0f}-s plan "
            f"(dropped {len(quick.dropped)} vs {len(full.dropped)}){same}"
        )
    summary(n, m, plans, firsts, long)


def summary(n: int, m: int, plans: dict[tuple[str, str], Plan], firsts: dict, long: float) -> None:
    """One table of every plan of this size, each with its dropped count, and the ratios, all from this run."""
    ref_key = ("county", f"{long:.0f} s")
    ref = plans.get(ref_key)
    print(f"\n-- {n}/{m}: every plan of this run; travel is compared with the whole-county {long:.0f}-s plan --")
    print("plan | served | dropped | of those, placed by the county plan | travel km | travel vs county")
    for (mode, limit), plan in plans.items():
        placed = len(dropped_ids(plan) - dropped_ids(ref)) if ref else "-"
        versus = f"{(plan.distance_m / ref.distance_m - 1) * 100:+.1f} %" if ref and ref.distance_m else "-"
        note = ""
        if ref and dropped_ids(plan) != dropped_ids(ref):
            more = dropped_ids(plan) < dropped_ids(ref)
            note = " (serves every visit it serves and more)" if more else " (serves other visits: see dropped)"
        print(f"{mode} {limit} | {plan.served} | {len(plan.dropped)} | {placed} | {plan.distance_m / 1000:.1f} | "
              f"{versus}{note}")  # fmt: skip
    if "county" in firsts and "repair" in firsts:
        c, r = firsts["county"], firsts["repair"]
        print(
            f"first plan: whole county {c[0]:.2f} s ({c[3]}; dropped {c[1]}) vs by area + repair {r[0]:.2f} s "
            f"({r[3]}; dropped {r[1]}): whole county / by area + repair = {c[0] / r[0]:.2f}"
        )
        emit("dispatch", f"全县排班首个方案（按乡镇分区 + 跨区修补，漏排 {r[1]}）", round(r[0], 2), "s",
             size=f"{n} 单 / {m} 名护理员", baseline=round(c[0], 2), baseline_name=f"全县一次求解（漏排 {c[1]}）",
             work="同一批上门服务单与护理员，到第一个完整方案为止；漏排数列在两边")  # fmt: skip


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def bench_instant(n_caregivers: int, n_orders: int, *, seed: int) -> None:
    day = dt.date(2026, 12, 2)
    caregivers = synthetic.caregivers(n_caregivers, seed=seed)
    orders = synthetic.orders(n_orders, seed=seed, day=day)
    print(f"\n== instant dispatch: {n_orders} orders, {n_caregivers} caregivers, radius 3 km ==")
    started = time.perf_counter()
    index = CaregiverIndex(caregivers)
    print(f"index build {1000 * (time.perf_counter() - started):.1f} ms")
    now = dt.datetime.combine(day, dt.time(7, 0))
    latencies, assigned, cpu = [], 0, time.process_time()
    for order in orders:
        t = time.perf_counter()
        got = assign_nearest(order, index, now=now)
        if got:
            index.book(got.caregiver_id, got.start, got.end)
        latencies.append((time.perf_counter() - t) * 1000)
        assigned += got is not None
    cpu = time.process_time() - cpu
    print(
        f"assigned {assigned}, none within 3 km {n_orders - assigned}; "
        f"per order p50 {percentile(latencies, 50):.3f} ms, "
        f"p99 {percentile(latencies, 99):.3f} ms, max {max(latencies):.2f} ms ({cpu:.1f} s CPU in all)"
    )
    # The contrast: the same 500 orders, neither side booking, so both do the same work but the index.
    fresh, indexed, plain = CaregiverIndex(caregivers), [], []
    for order in orders[:500]:
        t = time.perf_counter()
        assign_nearest(order, fresh, now=now)
        indexed.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        assign_nearest(order, caregivers, now=now)
        plain.append((time.perf_counter() - t) * 1000)
    ip50, ip99, pp50, pp99 = (percentile(x, q) for x in (indexed, plain) for q in (50, 99))
    print(
        f"first 500 orders, no bookings, same run: prebuilt index p50 {ip50:.3f} / p99 {ip99:.3f} ms; "
        f"plain list (index rebuilt per call) p50 {pp50:.2f} / p99 {pp99:.2f} ms: "
        f"the index is {pp50 / ip50:.0f}x faster at p50, {pp99 / ip99:.0f}x at p99"
    )
    size = f"{n_orders:,} 单、{n_caregivers:,} 名护理员"
    emit("dispatch", "即时派单每单 p99（含预订）", round(percentile(latencies, 99), 3), "ms", size=size)
    emit("dispatch", "即时派单每单 p99（同 500 单，不预订）", round(ip99, 3), "ms", size=size, baseline=round(pp99, 3),
         baseline_name="逐单遍历护理员列表", work="同一批前 500 单，两边都不预订，只差在预建的网格索引")  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--long", type=float, default=30.0, help="long time limit in seconds (full run: 300)")
    ap.add_argument("--short", type=float, default=10.0, help="the product's time limit in seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", default="500x50,1000x100", help="visits x caregivers, comma separated")
    ap.add_argument("--caregivers", type=int, default=2000, help="caregivers for instant dispatch")
    ap.add_argument("--orders", type=int, default=10000)
    ap.add_argument(
        "--modes", default="county,area,repair", help="county (one search), area (per town), repair (plan_county)"
    )
    a = ap.parse_args()
    print(f"dispatch benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    bench_instant(a.caregivers, a.orders, seed=a.seed)
    for size in a.sizes.split(","):
        n, m = (int(x) for x in size.lower().split("x"))
        bench_plan(n, m, seed=a.seed, short=a.short, long=a.long, modes=a.modes.split(","))


if __name__ == "__main__":
    main()
