#!/usr/bin/env python3
"""Benchmark: 民政大脑 for a county of 1,000,000 residents — the refresh job, then the pages.

Usage: .venv/bin/python bench/dashboard_bench.py [--persons 1000000] [--requests 100] [--seed 7]
                                                 [--keep DIR] [--database-url postgres://…/EMPTY_DB]

Setup (not measured): a fresh SQLite database in a scratch data directory (or the EMPTY PostgreSQL
database given), the built-in divisions, N residents in 户 of 1–5 spread over 鄞州区's villages with
birth dates 0–99 years back, and 12% of them tagged (独居老人, 残疾, 低保 …). Rows are written with
bulk_create (the registry import takes its own bench, import_bench.py); the other apps' tables hold
what an empty county holds, so the refresh time is dominated by the registry's million rows.

Then prints:
- the refresh job (`dashboard.services.refresh`, every registered figure rolled up to every
  division prefix): seconds, rows stored, and a second run (idempotent: same rows);
- the pages through Django's test Client as the county approver: the county board, a town, a
  village, the 大屏 and its JSON; p50/p95/p99 over --requests requests each;
- peak RSS.

Aim (issue 15): page p95 ≤ 500 ms from stored aggregates. Run the full size under `flock /tmp/mz-bench.lock`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from benchlib import db_label, emit, pct, percentiles, rss_mb, set_size, setup_django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COUNTY = "330212"
BATCH = 10_000
TAGS = ["living_alone_elder", "disability", "dibao", "tekun", "left_behind_child", "empty_nest_elder"]


def _id_number(rng: random.Random, birth: dt.date, serial: int) -> str:
    from minzheng.core.idnumber import check_digit

    first17 = f"{COUNTY}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + check_digit(first17)


def build(n: int, seed: int) -> dict[str, Any]:
    """N residents in 户 over the county's villages, 12% tagged; returns counts and rows/s."""
    from minzheng.divisions.models import Division
    from minzheng.divisions.services import divisions_load_builtin
    from minzheng.registry.models import Household, Person, PersonTag, Relation

    divisions_load_builtin()
    villages = list(Division.objects.filter(code__startswith=COUNTY, level=5).values_list("code", flat=True))
    rng = random.Random(seed)
    from django.utils import timezone

    today = timezone.localdate()
    t0 = time.perf_counter()
    made = hh_no = 0
    seen: set[str] = set()
    while made < n:
        households, members = [], []
        while made < n and len(members) < BATCH:
            hh_no += 1
            village = rng.choice(villages)
            households.append(Household(household_no=f"B{hh_no:08d}", division_id=village))
            for i in range(min(rng.randint(1, 5), n - made)):
                birth = today - dt.timedelta(days=rng.randint(0, 99 * 365))
                number = _id_number(rng, birth, made)
                while number in seen:
                    birth -= dt.timedelta(days=1)
                    number = _id_number(rng, birth, made)
                seen.add(number)
                members.append((len(households) - 1, Person(
                    id_number=number, name=f"居民{made}", sex="M" if made % 2 else "F", birth_date=birth,
                    relation=Relation.HEAD if i == 0 else Relation.SON, division_code=village,
                )))  # fmt: skip
                made += 1
        Household.objects.bulk_create(households, batch_size=BATCH)
        for idx, person in members:
            person.household = households[idx]
        people = Person.objects.bulk_create([p for _, p in members], batch_size=BATCH)
        tags = [PersonTag(person=p, kind=rng.choice(TAGS)) for p in people if rng.random() < 0.12]
        PersonTag.objects.bulk_create(tags, batch_size=BATCH)
    seconds = time.perf_counter() - t0
    return {"persons": made, "households": hh_no, "seconds": seconds, "rows_per_s": (made + hh_no) / seconds}


def pages(requests: int) -> None:
    from django.test import Client

    from minzheng.accounts.services import user_create
    from minzheng.divisions.models import Division

    user = user_create(actor=None, username="bench_county", role="county_approver", jurisdiction=COUNTY,
                       password=secrets.token_urlsafe(16) + "aA1#", display_name="县级")  # fmt: skip
    town = Division.objects.filter(code__startswith=COUNTY, level=4).order_by("code").values_list("code", flat=True)[0]
    village = Division.objects.filter(parent_id=town, level=5).order_by("code").values_list("code", flat=True)[0]
    client = Client()
    client.force_login(user)
    urls = {  # label: (url, the figure's name in docs/benchmarks.md)
        "county board": ("/dashboard/", "县级驾驶舱页"),
        "town board": (f"/dashboard/?division={town[:9]}", "乡镇驾驶舱页"),
        "village board": (f"/dashboard/?division={village}", "村驾驶舱页"),
        "大屏": ("/dashboard/screen/", "大屏页"),
        "大屏 JSON": ("/dashboard/data/", "大屏数据接口"),
    }
    for label, (url, name) in urls.items():
        assert client.get(url).status_code == 200, url  # warm: templates compiled, figures' labels loaded
        times = []
        for _ in range(requests):
            t0 = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200
        print(f"{label:14s} {len(response.content) / 1024:7.1f} KB  {percentiles(times)}")
        emit("dashboard", f"{name} p95（{db_label()}）", round(pct(times, 0.95), 1), "ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="data directory to keep (default: a temp dir)")
    parser.add_argument("--database-url", default="", help="an EMPTY PostgreSQL database (default: SQLite)")
    args = parser.parse_args()
    data_dir = setup_django(args, "dashboard")
    try:
        built = build(args.persons, args.seed)
        print(f"setup: {built['persons']:,} persons in {built['households']:,} 户, "
              f"{built['seconds']:.0f} s ({built['rows_per_s']:,.0f} rows/s)")  # fmt: skip
        from minzheng.dashboard.models import Aggregate
        from minzheng.dashboard.services import refresh

        set_size(f"{built['persons']:,} 居民、{built['households']:,} 户")
        for run, name in (("refresh", "指标刷新"), ("refresh again", "指标再次刷新（结果不变）")):
            t0 = time.perf_counter()
            result = refresh()
            secs = time.perf_counter() - t0
            print(f"{run}: {secs:.1f} s, {result['figures']} figures, {result['rows']:,} rows, "
                  f"{result['failed']} failed; peak RSS {rss_mb():.0f} MB")  # fmt: skip
            emit("dashboard", f"{name}，{result['figures']} 项指标（{db_label()}）", round(secs, 1), "s")
        print(f"aggregates stored: {Aggregate.objects.count():,}")
        pages(args.requests)
        print(f"peak RSS: {rss_mb():.0f} MB")
        emit("dashboard", f"峰值内存（{db_label()}）", round(rss_mb()), "MB")
    finally:
        if args.keep is None:
            shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
