"""Shared builders for the stops and overpayment tests: a tiny county with entitlements, real feed files
ingested into a real feed store, a real verification batch, and payroll rows written directly (the
payroll itself is built in parallel; these rows are what it leaves behind: a run, lines, statuses).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from minzheng.core.idnumber import check_digit
from minzheng.payments.models import Entitlement, PayrollLine, PayrollRun
from minzheng.payments.services import entitlement_create
from minzheng.registry.models import Household, Person
from minzheng.registry.services import household_create, person_create
from minzheng.testing import VILLAGE_A, VILLAGE_A2, make_household
from minzheng.verification import batchrun
from minzheng.verification.engine.ingest import ingest_file
from minzheng.verification.engine.store import FeedStore
from minzheng.verification.models import BatchRun
from minzheng.verification.services import batch_run_start

AS_OF = dt.date(2026, 11, 1)
DIED_ON = dt.date(2026, 9, 20)
TEKUN_FEN = 153_217  # 1,532.17 元 a month: odd fen so a sum off by one shows
DIBAO_FEN = 228_050


def ident(first17: str) -> str:
    return first17 + check_digit(first17)


@dataclass
class World:
    family: Household  # 张建国 户 (3 persons): 低保
    wife: Person  # 李秀英, found in the 财政供养 feed
    elder: Person  # 王桂英, alone, 特困; the death feed says she died on 2026-09-20
    neighbour: Person  # 陈阿福, alone, 特困; nothing found
    dibao: Entitlement
    tekun: Entitlement
    tekun_ok: Entitlement


def _single(household_no: str, name: str, first17: str) -> Person:
    household = household_create(actor=None, household_no=household_no, division_code=VILLAGE_A2)
    return person_create(actor=None, household=household, name=name, id_number=ident(first17), relation="户主")


def build_world() -> World:
    family, (head, wife, _child) = make_household("HQ-0001", VILLAGE_A)
    elder = _single("HQ-0002", "王桂英", "33021219420305402")
    neighbour = _single("HQ-0003", "陈阿福", "33021219450711301")
    common: dict[str, Any] = {"source": "case", "reason": "测试：审批确认", "actor": None}
    dibao = entitlement_create(
        programme_id="dibao",
        subject=family,
        payee=head,
        amount_fen=DIBAO_FEN,
        members=3,
        from_month=dt.date(2026, 6, 1),
        **common,
    )
    tekun = entitlement_create(
        programme_id="tekun", subject=elder, payee=elder, amount_fen=TEKUN_FEN, from_month=dt.date(2026, 1, 1), **common
    )
    tekun_ok = entitlement_create(
        programme_id="tekun",
        subject=neighbour,
        payee=neighbour,
        amount_fen=TEKUN_FEN,
        from_month=dt.date(2026, 1, 1),
        **common,
    )
    return World(family, wife, elder, neighbour, dibao, tekun, tekun_ok)


def write_feeds(root: Path, world: World) -> None:
    """The 民政 death register and the 财政 payroll list as the departments deliver them (CSV), ingested."""
    store = FeedStore(root / "store")
    death = root / "death.csv"
    with death.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(["公民身份号码", "姓名", "死亡日期"])
        w.writerow([world.elder.id_number, world.elder.name, DIED_ON.isoformat()])
    payroll = root / "public_payroll.csv"
    with payroll.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh, lineterminator="\r\n")
        w.writerow(["身份号码", "姓名", "单位名称", "人员类别"])
        w.writerow([world.wife.id_number, world.wife.name, "鄞州区瞻岐镇中心小学", "在编"])
    ingest_file("death", death, AS_OF, store)
    ingest_file("public_payroll", payroll, AS_OF, store)


def run_batch(as_of: dt.date = AS_OF) -> BatchRun:
    """A whole batch re-check as the job runs it (its completion calls the payments hook)."""
    run = batch_run_start(actor=None, as_of=as_of, scope=BatchRun.Scope.ALL)
    batchrun.batch_execute(run, checkpoint={}, save=lambda done, total, cp: None)
    run.refresh_from_db()
    return run


def pay(ent: Entitlement, month: dt.date, status: str = PayrollLine.State.PAID) -> PayrollLine:
    """One line of the month's run for `ent`, in the state the bank left it."""
    run, _ = PayrollRun.objects.get_or_create(
        programme=ent.programme,
        month=month,
        region=ent.division_code[:6],
        seq=0,
        defaults={"status": PayrollRun.State.RECONCILED},
    )
    payee = ent.payee
    return PayrollLine.objects.create(
        run=run,
        entitlement=ent,
        entitlement_version=ent.version,
        period=month,
        division_code=ent.division_code,
        payee_name=payee.name,
        payee_id_number=payee.id_number,
        account_no="6228480010000000001",
        members=ent.members,
        amount_fen=ent.amount_fen,
        status=status,
    )


def months(first: dt.date, last: dt.date) -> list[dt.date]:
    from minzheng.core.dates import months_between

    return months_between(first, last)
