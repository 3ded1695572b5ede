#!/usr/bin/env python3
"""Benchmark: 100,000 open cases — the 待办 page, the overdue scan, deadlines after a holiday change.

Usage: .venv/bin/python bench/cases_bench.py [--cases 100000] [--requests 200] [--seed 7] [--keep DIR]
                                             [--database-url postgres://…/EMPTY_DB]

Setup (not what is measured): a fresh SQLite database in a scratch data directory (or the EMPTY
PostgreSQL database given by --database-url or DATABASE_URL), the built-in divisions, the holiday
table, and N open cases spread over 鄞州区's villages with their households, history rows
(TransitionLog) and one open 待办 item each. These rows are written with bulk_create, NOT through
case_open/case_transition (which take ~50 ms a case with their audit rows, letters and
notifications); the stage mix, step dates and deadlines are what the services would have written:
received 0–45 days ago, each step 1–4 days after the last, stage deadlines in working days from the
holiday table, so some cases are overdue as in life.

Then prints:
- setup rows/s per table;
- the 待办 page (/workitems/: mine, overdue tab, page 2, by kind) for a town officer and for the
  county approver through Django's test Client: p50/p95/max over --requests requests;
- the overdue scan: `cases.selectors.overdue(user).count()` for the town and the county, and
  `cases.tasks.overdue_reminders()` (first run writes one message per overdue item, the second
  finds them all already sent);
- the deadline recomputation after a holiday-table change (`holidays_import` of a one-row notice
  making a coming working day a rest day, then `cases.deadlines.deadlines_recompute()`): cases/s,
  and a second, idempotent run;
- the 应享未享 findings of every household synced onto the 待办 (`items_sync`: first and idempotent
  second run) and the worklist page, a view of those 待办, for the town officer and the county approver;
- peak RSS.

Aims (issue 10): page p95 ≤ 200 ms, scan ≤ 10 s. Run the full size under `flock /tmp/mz-bench.lock`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchlib import db_label, emit, pct, percentiles, rss_mb, set_size, setup_django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COUNTY = "330212"
BATCH = 5000
LATE = 0.08  # share of cases past their stage deadline
# (case type, stage, share): the open stages of 低保, 边缘 and 临时救助 as a county's books hold them.
MIX = [
    ("dibao", "accepted", 0.28),
    ("dibao", "investigated", 0.22),
    ("dibao", "reviewed", 0.12),
    ("dibao", "publicised", 0.13),
    ("dibao_edge", "accepted", 0.06),
    ("dibao_edge", "investigated", 0.05),
    ("linshi", "accepted", 0.06),
    ("linshi", "relieved", 0.05),
    ("linshi", "investigated", 0.03),
]
PATHS = {
    "accepted": ["accepted"],
    "investigated": ["accepted", "investigated"],
    "reviewed": ["accepted", "investigated", "reviewed"],
    "publicised": ["accepted", "investigated", "reviewed", "publicised"],
    "relieved": ["accepted", "relieved"],
}


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _steps(rng: random.Random, path: list[str], today: dt.date, deadline: Any) -> list[tuple[str, dt.date]]:
    """Step dates backwards from the current stage's entry: within its deadline, or (LATE of them) well past it."""
    amount = deadline.amount  # n working days last at least n calendar days
    ago = amount * 2 + rng.randrange(0, 10) if rng.random() < LATE else rng.randrange(0, amount)
    day = today - dt.timedelta(days=ago)
    out = [(path[-1], day)]
    for stage in reversed(path[:-1]):
        day -= dt.timedelta(days=rng.randrange(1, 5))
        out.append((stage, day))
    return out[::-1]


def build(n: int, seed: int) -> dict[str, Any]:
    """Households, cases, history and 待办 items by bulk_create; returns the users and counts."""
    from django.utils import timezone

    from minzheng.accounts.services import user_create
    from minzheng.cases.casetypes import case_type
    from minzheng.cases.items import ROLE_ORDER, SOURCE
    from minzheng.cases.models import Case
    from minzheng.demo.build import county_village_codes
    from minzheng.divisions.services import divisions_load_builtin
    from minzheng.registry.models import Household
    from minzheng.workdays.selectors import add_working_days
    from minzheng.workdays.services import seed_from_chinese_calendar
    from minzheng.workflow.models import TransitionLog
    from minzheng.workflow.services import due_date
    from minzheng.workitems.models import WorkItem

    divisions_load_builtin()
    seed_from_chinese_calendar()
    villages = county_village_codes(COUNTY)
    town = villages[0][:9]
    officer = user_create(actor=None, username="bench_zhen", role="town_officer", jurisdiction=town)
    approver = user_create(actor=None, username="bench_xian", role="county_approver", jurisdiction=COUNTY)
    rng = random.Random(seed)  # benchmark data, not secrets
    today = timezone.localdate()
    plan = rng.choices([(t, s) for t, s, _ in MIX], weights=[w for _, _, w in MIX], k=n)
    # Every tenth case in the officer's town, the rest over the county: a town holds a realistic share.
    town_villages = [v for v in villages if v.startswith(town)]
    places = [rng.choice(town_villages) if i % 10 == 0 else rng.choice(villages) for i in range(n)]
    timings: dict[str, tuple[int, float]] = {}

    households = [Household(household_no=f"BENCH-{i:07d}", division_id=places[i]) for i in range(n)]
    _, s = timed(lambda: Household.objects.bulk_create(households, batch_size=BATCH))
    timings["households"] = (n, s)

    totals: dict[dt.date, dt.date] = {}
    cases, steps_of = [], []
    for i, ((tid, stage), place) in enumerate(zip(plan, places, strict=True)):
        machine = case_type(tid).machine
        steps = _steps(rng, PATHS[stage], today, machine.states[stage].deadline)
        received, entered = steps[0][1], steps[-1][1]
        if received not in totals:
            totals[received] = add_working_days(received, 30)
        cases.append(
            Case(
                case_no=f"{case_type(tid).prefix}-{COUNTY}-B-{i:07d}",
                case_type=tid,
                household=households[i],
                division_code=place,
                status=stage,
                received_on=received,
                due_on=totals[received],
                stage_due_on=due_date(machine.states[stage].deadline, entered),
                authorisation_no=f"SQ-{i}",
                created_by=officer,
            )
        )
        steps_of.append(steps)
    _, s = timed(lambda: Case.objects.bulk_create(cases, batch_size=BATCH))
    timings["cases"] = (n, s)

    logs, items = [], []
    for case, steps in zip(cases, steps_of, strict=True):
        machine = case_type(case.case_type).machine
        previous = ""
        for stage, on in steps:
            logs.append(
                TransitionLog(
                    machine=machine.name, object_type="case", object_id=str(case.pk), source=previous,
                    target=stage, action=machine.state_label(stage), actor_username="bench", on=on,
                )
            )  # fmt: skip
            previous = stage
        roles = next(t.roles for t in machine.allowed_from(case.status) if t.target != "withdrawn")
        items.append(
            WorkItem(
                source=SOURCE, kind="case_stage", subject_type="case", subject_id=str(case.pk),
                title=f"{case.case_no} 张* {case_type(case.case_type).name}：待办理",
                division_code=case.division_code, role=next(r for r in ROLE_ORDER if r in roles),
                fingerprint=f"case:{case.pk}:{case.status}", due_on=case.stage_due_on,
                data={"case_no": case.case_no, "stage": case.status},
            )
        )  # fmt: skip
    _, s = timed(lambda: TransitionLog.objects.bulk_create(logs, batch_size=BATCH))
    timings["history rows"] = (len(logs), s)
    _, s = timed(lambda: WorkItem.objects.bulk_create(items, batch_size=BATCH))
    timings["待办 items"] = (len(items), s)
    print("setup by bulk_create (not through the case services; see the docstring):")
    for name, (rows, secs) in timings.items():
        print(f"  {name}: {rows:,} rows in {secs:.1f} s = {rows / secs:,.0f} rows/s")
    return {"officer": officer, "approver": approver, "town": town}


def page_bench(user: Any, requests: int, label: str, cn: str) -> None:
    from django.test import Client

    from minzheng.workitems.selectors import mine, overdue

    client = Client()
    client.force_login(user)
    urls = ["/workitems/", "/workitems/?tab=overdue", "/workitems/?page=2", "/workitems/?kind=case_stage"]
    for url in urls:  # warm-up: templates compiled, connection open
        assert client.get(url).status_code == 200, url
    ms = []
    for k in range(requests):
        t0 = time.perf_counter()
        response = client.get(urls[k % len(urls)])
        ms.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    print(
        f"待办 page as {label} ({mine(user).count():,} open items, {overdue(user).count():,} overdue), "
        f"{requests} requests: {percentiles(ms)}"
    )
    emit("cases", f"{cn}“我的待办”页 p95（{db_label()}）", round(pct(ms, 0.95), 1), "ms")


def scan_bench(users: dict[str, Any]) -> None:
    from minzheng.cases.selectors import overdue
    from minzheng.cases.tasks import overdue_reminders

    for key in ("officer", "approver"):
        count, s = timed(lambda key=key: overdue(users[key]).count())
        print(f"overdue scan (cases.selectors.overdue) for {users[key].jurisdiction}: {count:,} cases in {s:.2f} s")
        who = "乡镇" if key == "officer" else "县级"
        emit("cases", f"超期扫描，{who}（{db_label()}）", round(s * 1000, 1), "ms")
    sent, s = timed(overdue_reminders)
    print(
        f"overdue_reminders, first run: {sent['overdue']:,} items reminded in {s:.1f} s ({sent['overdue'] / s:,.0f}/s)"
    )
    sent, s = timed(overdue_reminders)
    print(f"overdue_reminders, second run (all already sent): {sent['overdue']:,} items in {s:.1f} s")


def recompute_bench(data_dir: Path) -> None:
    from django.utils import timezone

    from minzheng.cases.deadlines import deadlines_recompute
    from minzheng.workdays.selectors import add_working_days
    from minzheng.workdays.services import holidays_import

    day = add_working_days(timezone.localdate(), 2)
    notice = data_dir / "补充通知.csv"
    notice.write_text(f"日期,类型,名称\n{day.isoformat()},休,临时调整\n", encoding="utf-8")
    holidays_import(path=notice, actor=None)
    print(f"holiday table changed: {day} becomes a rest day")
    result, s = timed(deadlines_recompute)
    print(
        f"deadlines_recompute: {result.cases:,} open cases in {s:.1f} s = {result.cases / s:,.0f} cases/s; "
        f"{result.changed:,} cases and {result.items:,} 待办 items moved; peak RSS {rss_mb():.0f} MB"
    )
    emit("cases", f"节假日变更后重算全部期限（{db_label()}）", round(s, 1), "s")
    again, s = timed(deadlines_recompute)
    print(f"deadlines_recompute again (idempotent): {again.changed} moved, {again.cases:,} cases in {s:.1f} s")


def worklist_bench(users: dict[str, Any], requests: int) -> None:
    """应享未享 findings for every household, synced onto the 待办 as a run does (`items_sync`), then the
    worklist page (a view of those 待办) for the town officer and the county approver."""
    from django.test import Client

    from minzheng.registry.models import Household
    from minzheng.workitems.services import ItemSpec, items_sync

    specs = [
        ItemSpec(source="rules_worklist", kind="missing", title=f"应享未享（预判）：最低生活保障（户 {no}）",
                 subject_type="household", subject_id=str(pk), division_code=division, role="town_officer",
                 fingerprint=f"rules:missing:dibao:{pk}:0",
                 data={"policy_id": "dibao", "policy_name": "最低生活保障", "person_id": None, "household_no": no,
                       "amount_fen": 118100, "reason": "预判可能符合", "entity": "household"})
        for pk, no, division in Household.objects.values_list("pk", "household_no", "division_id")
    ]  # fmt: skip
    for attempt in ("first", "again (idempotent)"):
        result, s = timed(lambda: items_sync("rules_worklist", specs, within=COUNTY))
        print(f"items_sync {attempt}: {len(specs):,} findings in {s:.1f} s = {len(specs) / s:,.0f}/s; {result}")
        if attempt == "first":
            emit("cases", f"判定发现写入待办（items_sync，{db_label()}）", round(len(specs) / s), "rows/s")
    analyze()
    # The list (page 1 and 2) and the list filtered by a policy (a JSON key: no index, a scan) apart.
    groups = {
        "list": ("/rules/worklist/", "/rules/worklist/?page=2"),
        "policy": ("/rules/worklist/?policy=dibao&kind=missing",),
    }
    for key, cn in (("officer", "乡镇经办人"), ("approver", "县级审批人")):
        client = Client()
        client.force_login(users[key])
        for group, urls in groups.items():
            for url in urls:
                assert client.get(url).status_code == 200, url
            ms = []
            for k in range(requests):
                t0 = time.perf_counter()
                assert client.get(urls[k % len(urls)]).status_code == 200
                ms.append((time.perf_counter() - t0) * 1000)
            print(f"应享未享 worklist page ({group}) as {key}, {requests} requests: {percentiles(ms)}")
            what = "清单页" if group == "list" else "清单页按政策筛选"
            emit("cases", f"{cn}应享未享{what}（待办视图）p95（{db_label()}）", round(pct(ms, 0.95), 1), "ms")


def analyze() -> None:
    """PostgreSQL plans by its statistics: after a bulk load, gather them as autovacuum soon would."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        print("ANALYZE done (PostgreSQL statistics after the bulk load)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, help="keep the data directory here instead of a temp dir")
    parser.add_argument("--database-url", help="an EMPTY PostgreSQL database to measure instead of SQLite")
    args = parser.parse_args()
    data_dir = setup_django(args, "cases")
    set_size(f"{args.cases:,} 件在办案件")
    from minzheng.cases.models import Case

    if Case.objects.exists():
        sys.exit("数据库中已有案件：请给一个空数据库（基准测试会写入十万件测试案件）")
    t0 = time.perf_counter()
    users = build(args.cases, args.seed)
    print(f"setup total {time.perf_counter() - t0:.1f} s; peak RSS {rss_mb():.0f} MB")
    analyze()
    page_bench(users["officer"], args.requests, f"town officer ({users['town']})", "乡镇经办人")
    page_bench(users["approver"], args.requests, f"county approver ({COUNTY})", "县级审批人")
    scan_bench(users)
    recompute_bench(data_dir)
    worklist_bench(users, args.requests)
    print(f"peak RSS {rss_mb():.0f} MB")
    emit("cases", f"峰值内存（{db_label()}）", round(rss_mb()), "MB")
    if not args.keep and not (args.database_url or os.environ.get("DATABASE_URL")):
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
