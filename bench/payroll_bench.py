#!/usr/bin/env python3
"""Benchmark: the monthly payroll of 1,000,000 entitlements across programmes in one county (issue 11).

Usage: .venv/bin/python bench/payroll_bench.py [--entitlements 1000000] [--seed 7] [--keep DIR]
                                               [--database-url postgres://…/EMPTY_DB]

Setup (not what is measured): a fresh SQLite database in a scratch data directory (or the EMPTY
PostgreSQL database given), 鄞州区's divisions, and N entitlements written with bulk_create (NOT
through entitlement_create, which writes a history row and an audit event each): persons in
households over the county's villages (one person per 2.5 entitlements), 98% of them with an active
bank account, entitlements spread over 低保 (per household), 特困, 高龄津贴 and the two disability
allowances (per person), amounts 80–1,200 元, all started before the month.

Measured, per programme and in total: `run_payroll` (snapshot lines in chunks, control totals,
inputs hash), `run_approve` (a second person) and `run_issue_to` (lines → issued, the bank file
streamed to disk with its sha256); then the same runs asked again (must change nothing), and peak
RSS (ru_maxrss). Aim (issue 11): ≤ 60 s on 2 cores, memory flat in N. Run the full size at most
once or twice, under `flock /tmp/mz-bench.lock`.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time
from array import array
from pathlib import Path
from typing import Any

from benchlib import db_label, emit, rss_mb, set_size, setup_django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

COUNTY = "330212"
MONTH = dt.date(2026, 12, 1)
BATCH = 20_000
# (programme, share of entitlements); dibao is paid per household, the others per person.
MIX = [("dibao", 0.30), ("tekun", 0.05), ("gaoling", 0.35), ("disability_living", 0.15), ("disability_care", 0.15)]


def _id_number(i: int) -> str:
    from minzheng.core.idnumber import check_digit

    born = dt.date(1930, 1, 1) + dt.timedelta(days=i // 1000)  # unique: (birth date, sequence) per i
    first17 = f"{COUNTY}{born:%Y%m%d}{i % 1000:03d}"
    return first17 + check_digit(first17)


def build(n: int, seed: int) -> dict[str, int]:
    """Households, persons, accounts and entitlements by bulk_create, in batches (memory flat)."""
    from minzheng.payments.models import BankAccount, Entitlement
    from minzheng.registry.models import Household, Person

    rng = random.Random(seed)  # benchmark data, not secrets
    villages = _villages()
    place_of = array("H")  # person index → village index (2 bytes each: memory flat enough)
    people = int(n / 2.5) + 1
    per_programme = {p: int(n * share) for p, share in MIX}
    per_programme["dibao"] += n - sum(per_programme.values())
    t0 = time.perf_counter()
    for lo in range(0, people, BATCH):
        hi = min(people, lo + BATCH)
        picks = [rng.randrange(len(villages)) for _ in range(lo, hi)]
        place_of.extend(picks)
        homes = Household.objects.bulk_create(
            [Household(household_no=f"PB-{i:08d}", division_id=villages[picks[i - lo]]) for i in range(lo, hi)]
        )
        persons = []
        for i, home in zip(range(lo, hi), homes, strict=True):
            number = _id_number(i)
            born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            persons.append(
                Person(
                    id_number=number,
                    name=f"人员{i}",
                    sex="M" if int(number[16]) % 2 else "F",
                    birth_date=born,
                    household=home,
                    relation="户主",
                    division_code=home.division_id,
                )
            )
        persons = Person.objects.bulk_create(persons)
        BankAccount.objects.bulk_create(
            [
                BankAccount(
                    holder=p,
                    bank_code="NBRCB",
                    bank_name="宁波鄞州农村商业银行",
                    account_no=f"62284{p.pk:014d}",
                    account_name=p.name,
                    division_code=p.division_code,
                    reason="批量开户",
                )
                for p in persons
                if rng.random() < 0.98
            ]
        )
    print(f"setup: {people:,} households/persons with accounts in {time.perf_counter() - t0:.1f} s")
    t0 = time.perf_counter()
    first_person = Person.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    first_home = Household.objects.order_by("pk").values_list("pk", flat=True).first() or 0
    offset = 0
    for prog, count in per_programme.items():
        for lo in range(0, count, BATCH):
            rows = []
            for k in range(lo, min(count, lo + BATCH)):
                idx = (offset + k) % people if prog != "dibao" else k % people
                rows.append(_entitlement(prog, first_person + idx, first_home + idx, villages[place_of[idx]], rng))
            Entitlement.objects.bulk_create(rows)
        offset += count
    print(f"setup: {n:,} entitlements in {time.perf_counter() - t0:.1f} s")
    return per_programme


def _entitlement(prog: str, pid: int, hid: int, village: str, rng: random.Random) -> Any:
    from minzheng.payments.models import Entitlement

    # Households and persons are created in lockstep (one each), so index k is both pk offsets.
    return Entitlement(
        programme=prog,
        household_id=hid if prog == "dibao" else None,
        person_id=None if prog == "dibao" else pid,
        payee_id=pid,
        division_code=village,
        members=rng.randint(1, 4) if prog == "dibao" else 1,
        amount_fen=rng.randint(80, 1200) * 100,
        from_month=dt.date(2026, rng.randint(1, 12), 1),
        source="migrated",
    )


def _villages() -> list[str]:
    from minzheng.divisions.models import Division

    return list(Division.objects.filter(code__startswith=COUNTY, level=5).values_list("code", flat=True))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entitlements", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    data_dir = setup_django(args, "payroll")

    from minzheng.accounts.services import user_create
    from minzheng.payments import payroll
    from minzheng.payments.models import PayrollLine
    from minzheng.testing import PASSWORD, load_test_divisions

    load_test_divisions()
    builder = user_create(
        actor=None, username="bench_b", role="county_approver", jurisdiction=COUNTY, password=PASSWORD
    )
    checker = user_create(
        actor=None, username="bench_c", role="county_approver", jurisdiction=COUNTY, password=PASSWORD
    )
    per_programme = build(args.entitlements, args.seed)
    set_size(f"{args.entitlements:,} 条待遇、{len(per_programme)} 个项目")
    print(f"RSS after setup: {rss_mb():.0f} MB")

    out_dir = data_dir / "bank"
    out_dir.mkdir(exist_ok=True)
    total_s = 0.0
    runs = []
    for prog in per_programme:
        t0 = time.perf_counter()
        run = payroll.run_payroll(prog, MONTH, COUNTY, actor=builder)
        t1 = time.perf_counter()
        payroll.run_approve(run, actor=checker)
        with (out_dir / f"{prog}.bank").open("wb") as fh:
            name = payroll.run_issue_to(run, fh, actor=checker)
        t2 = time.perf_counter()
        total_s += t2 - t0
        runs.append(run)
        print(
            f"{prog:18} lines {PayrollLine.objects.filter(run=run).count():>9,}  beneficiaries {run.beneficiaries:>9,}"
            f"  total {run.total_fen / 100:>16,.2f} 元  run {t1 - t0:6.1f} s  approve+issue {t2 - t1:5.1f} s  {name}"
        )
    lines = PayrollLine.objects.count()
    print(f"first run, all programmes: {lines:,} lines in {total_s:.1f} s; peak RSS {rss_mb():.0f} MB")
    emit("payroll", f"月度发放：生成批次、审核、出盘，{lines:,} 笔（{db_label()}）", round(total_s, 1), "s")

    t0 = time.perf_counter()
    again = [payroll.run_payroll(prog, MONTH, COUNTY, actor=builder) for prog in per_programme]
    t1 = time.perf_counter()
    same = [a.pk for a in again] == [r.pk for r in runs] and PayrollLine.objects.count() == lines
    print(f"second run: {t1 - t0:.2f} s, same runs and no new line: {same}; peak RSS {rss_mb():.0f} MB")
    emit("payroll", f"同月重复执行（不新增明细：{'是' if same else '否'}）", round(t1 - t0, 2), "s")
    next_month(runs, out_dir, builder, checker)


def return_file(bank_file: Path) -> bytes:
    """The bank's answer to a default-format file: every detail row paid (参考号,成功,流水号,)."""
    with bank_file.open(encoding="utf-8", newline="") as fh:
        refs = [row[0] for row in csv.reader(fh) if row and row[0].isdigit()]
    return "".join(f"{ref},成功,B{ref},\r\n" for ref in refs).encode()


def next_month(runs: list[Any], out_dir: Path, builder: Any, checker: Any) -> None:
    """Month two as a county lives it: the bank's return file reconciled, then the next month's run,
    which must look back over the paid months for arrears (the cost the first month does not show)."""
    from minzheng.core.dates import add_months
    from minzheng.payments import payroll
    from minzheng.payments.models import PayrollLine
    from minzheng.payments.reconcile import reconcile

    t0 = time.perf_counter()
    for run in runs:
        reconcile(run, f"{run.programme}.ret", return_file(out_dir / f"{run.programme}.bank"), actor=checker)
    t1 = time.perf_counter()
    paid = PayrollLine.objects.filter(status="paid").count()
    print(f"reconcile (return files, all paid): {paid:,} lines in {t1 - t0:.1f} s ({paid / (t1 - t0):,.0f} rows/s)")
    emit("payroll", f"银行回盘对账（{db_label()}）", round(paid / (t1 - t0)), "rows/s")
    month = add_months(MONTH, 1)
    t0 = time.perf_counter()
    second = [payroll.run_payroll(run.programme, month, COUNTY, actor=builder) for run in runs]
    t1 = time.perf_counter()
    count = PayrollLine.objects.filter(run__in=second).count()
    print(
        f"next month's run ({month:%Y-%m}, arrears look-back included): {count:,} lines in {t1 - t0:.1f} s;"
        f" peak RSS {rss_mb():.0f} MB"
    )
    emit("payroll", f"次月发放（含补发回看）（{db_label()}）", round(t1 - t0, 1), "s")
    emit("payroll", "峰值内存", round(rss_mb()), "MB")


if __name__ == "__main__":
    main()
