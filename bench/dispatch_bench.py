#!/usr/bin/env python3
"""Benchmark: home-care daily plan (OR-Tools) and instant dispatch on generated county data.

Usage: .venv/bin/python bench/dispatch_bench.py [--long 30] [--short 10] [--seed 1]
       [--sizes 500x50,1000x100] [--caregivers 2000] [--orders 10000]

The full run is `--long 300`, once, under `flock /tmp/mz-bench.lock`.

For each size N visits / M caregivers, planned as one search over the county (`plan_day`) and
town by town (`plan_by_area`), each (a seeded county box of 12 towns, three-hour windows,
20 % of visits need a nurse, 10-hour working days, 15 km/h):
- model build seconds and time to the first plan (parallel cheapest insertion);
- a plan with the short limit (what the product runs): served, dropped, travel minutes and km;
- a plan with the long limit: the same, plus the best objective seen at the short mark of the
  same run; the gap = short-run travel / long-run travel − 1 (aim: ≤ 5 % at 500/50 in 10 s).
Instant dispatch: one grid index over the caregivers, then the given number of orders over one
day, each assigned to the nearest free qualified caregiver within 3 km and booked; p50/p99/max
of the per-order latency (aim: p99 ≤ 100 ms), and for contrast the p99 of the same call given a
plain list (index rebuilt per call) on the first 500 orders.
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

from minzheng.eldercare.dispatch import CaregiverIndex, Plan, assign_nearest, plan_by_area, plan_day, synthetic
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


def timed(planner: Planner, visits: list, caregivers: list, limit: float) -> tuple[Plan, float]:
    cpu = time.process_time()
    plan = planner(visits, caregivers, time_limit_s=limit)
    return plan, time.process_time() - cpu


def bench_plan(n: int, m: int, *, seed: int, short: float, long: float, modes: list[str]) -> None:
    caregivers = synthetic.caregivers(m, seed=seed)
    visits = synthetic.visits(n, seed=seed)
    longs: dict[str, Plan] = {}
    for mode in modes:
        planner: Planner = plan_by_area if mode == "area" else plan_day
        label = "by area (12 towns, plan_by_area)" if mode == "area" else "whole county (plan_day)"
        print(f"\n== daily plan: {n} visits / {m} caregivers (seed {seed}), {label} ==")
        quick, quick_cpu = timed(planner, visits, caregivers, short)
        print(f"build {quick.build_s:.2f} s; first plan {quick.first_solution_s:.2f} s after the search starts")
        print(
            f"{short:.0f}-s plan: {describe(quick)} ({quick_cpu:.1f} s CPU, {quick.build_s + quick.solve_s:.1f} s wall)"
        )
        full, full_cpu = timed(planner, visits, caregivers, long)
        longs[mode] = full
        print(f"{long:.0f}-s plan: {describe(full)} ({full_cpu:.1f} s CPU, {full.build_s + full.solve_s:.1f} s wall)")
        for t in (short, 30, 60, 120):
            if t < long and (point := best_by(full, t)):
                print(f"  same run at {t:.0f} s: dropped {point[0]}, travel {point[1] / 1000:.1f} km")
        gap = quick.distance_m / full.distance_m - 1 if full.distance_m else 0.0
        print(
            f"gap: {short:.0f}-s travel is {gap * 100:+.1f} % against the {long:.0f}-s plan "
            f"(dropped {len(quick.dropped)} vs {len(full.dropped)})"
        )
        if mode == "area" and "county" in longs and longs["county"].distance_m:
            best = longs["county"]
            print(
                f"by-area {short:.0f}-s travel against the whole-county {long:.0f}-s plan: "
                f"{(quick.distance_m / best.distance_m - 1) * 100:+.1f} % "
                f"(dropped {len(quick.dropped)} vs {len(best.dropped)})"
            )


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
    plain = []
    for order in orders[:500]:
        t = time.perf_counter()
        assign_nearest(order, caregivers, now=now)
        plain.append((time.perf_counter() - t) * 1000)
    print(
        f"plain list (index rebuilt per call), 500 orders: "
        f"p50 {percentile(plain, 50):.2f} ms, p99 {percentile(plain, 99):.2f} ms"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--long", type=float, default=30.0, help="long time limit in seconds (full run: 300)")
    ap.add_argument("--short", type=float, default=10.0, help="the product's time limit in seconds")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--sizes", default="500x50,1000x100", help="visits x caregivers, comma separated")
    ap.add_argument("--caregivers", type=int, default=2000, help="caregivers for instant dispatch")
    ap.add_argument("--orders", type=int, default=10000)
    ap.add_argument("--modes", default="county,area", help="county (one search), area (per town), or both")
    a = ap.parse_args()
    print(f"dispatch benchmark, {dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}")
    bench_instant(a.caregivers, a.orders, seed=a.seed)
    for size in a.sizes.split(","):
        n, m = (int(x) for x in size.lower().split("x"))
        bench_plan(n, m, seed=a.seed, short=a.short, long=a.long, modes=a.modes.split(","))


if __name__ == "__main__":
    main()
