"""Automatic stops: a death reported by a feed suspends the next month's payment without anyone searching.

Real feed files are ingested into a real store and a real batch re-check runs over the registry;
its completion calls `apply_stops` (the verification hook). Payroll rows are written directly.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.db.models import QuerySet

from minzheng.payments.models import EntitlementChange, Overpayment, PayrollLine, Status
from minzheng.payments.services import EntitlementError
from minzheng.payments.stops import apply_stops, stop_cancel, stop_confirm
from minzheng.payments.tests.test_stops_fixtures import (
    DIBAO_FEN,
    TEKUN_FEN,
    World,
    build_world,
    months,
    pay,
    run_batch,
    write_feeds,
)
from minzheng.testing import Cast
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import WorkItemError, item_act, item_resolve

SEP, OCT, NOV, DEC = (dt.date(2026, m, 1) for m in (9, 10, 11, 12))


@pytest.fixture
def world(cast: Cast, tmp_path: Path, settings: object) -> World:
    settings.FEEDS_DIR = tmp_path  # type: ignore[attr-defined]
    w = build_world()
    for ent in (w.tekun, w.tekun_ok):
        for month in months(dt.date(2026, 1, 1), OCT):
            pay(ent, month)
        pay(ent, NOV, PayrollLine.State.ISSUED)  # November's file is at the bank, not yet confirmed
    for month in months(dt.date(2026, 6, 1), NOV):
        pay(w.dibao, month)
    write_feeds(tmp_path, w)
    return w


def _items(kind: str | None = None) -> QuerySet[WorkItem]:
    rows = WorkItem.objects.filter(source="payments_stop")
    return rows.filter(kind=kind) if kind else rows


def test_a_death_in_the_feed_suspends_the_next_month_without_anyone_searching(world: World, cast: Cast) -> None:
    run_batch()  # nobody calls apply_stops: the batch's completion does
    for ent in (world.tekun, world.dibao, world.tekun_ok):
        ent.refresh_from_db()
    # Died 2026-09-20: September is still hers; from October nothing is paid.
    assert world.tekun.status == Status.SUSPENDED and world.tekun.suspended_from == OCT
    # A member on the public payroll suspends the household's 低保 from the first month not yet paid.
    assert world.dibao.status == Status.SUSPENDED and world.dibao.suspended_from == DEC
    assert world.tekun_ok.status == Status.ACTIVE and world.tekun_ok.suspended_from is None
    death = _items("stop_death").get()
    assert death.status == WorkItem.Status.OPEN and death.role == "town_officer"
    assert death.division_code == world.tekun.division_code and death.subject_id == str(world.tekun.pk)
    assert "2026年10月起暂停" in death.title and "王**" in death.title and "王桂英" not in death.title
    assert death.data["died_on"] == "2026-09-20"
    payroll = _items("stop_public_payroll").get()
    assert payroll.subject_id == str(world.dibao.pk) and payroll.data["suspended_from"] == "2026-12-01"
    assert _items().count() == 2


def test_a_second_apply_suspends_nothing_and_opens_no_second_item(world: World) -> None:
    run_batch()
    changes, items = EntitlementChange.objects.count(), set(_items().values_list("pk", "status"))
    counts = apply_stops()
    assert counts["findings"] == 2 and counts["known"] == 2
    assert counts["suspended"] == counts["items"] == 0
    assert EntitlementChange.objects.count() == changes
    assert set(_items().values_list("pk", "status")) == items


def test_confirm_ends_with_the_month_of_death_and_recovers_what_was_paid_after_to_the_fen(
    world: World, cast: Cast
) -> None:
    pay(world.tekun, OCT, PayrollLine.State.FAILED)  # bounced: never paid
    run_batch()
    item = _items("stop_death").get()
    item_act(item, "payments_stop_confirm", actor=cast.town_officer)
    world.tekun.refresh_from_db()
    assert world.tekun.status == Status.ENDED and world.tekun.to_month == SEP
    op = Overpayment.objects.get(entitlement=world.tekun)
    after_death = PayrollLine.objects.filter(entitlement=world.tekun, period__gt=SEP, status__in=["paid", "issued"])
    assert sorted(op.lines.values_list("pk", flat=True)) == sorted(after_death.values_list("pk", flat=True))
    assert op.amount_fen == 2 * TEKUN_FEN == 306_434  # October (paid) + November (issued); the bounced line is not
    assert (op.period_from, op.period_to, op.cause) == (OCT, NOV, Overpayment.Cause.DEATH)
    item.refresh_from_db()
    assert item.status == WorkItem.Status.RESOLVED and "追回台账" in item.resolution
    # The neighbour, alive, keeps everything.
    assert not Overpayment.objects.filter(entitlement=world.tekun_ok).exists()
    # Nothing more to suspend, nothing opened twice.
    assert apply_stops()["items"] == 0 and Overpayment.objects.count() == 1


def test_cancel_restores_and_the_next_run_does_not_suspend_again(world: World, cast: Cast) -> None:
    run_batch()
    item = _items("stop_public_payroll").get()
    item_act(item, "payments_stop_cancel", actor=cast.town_officer)
    world.dibao.refresh_from_db()
    assert world.dibao.status == Status.ACTIVE and world.dibao.suspended_from is None
    assert world.dibao.changes.filter(kind="restored").get().reason.startswith("经乡镇核实")
    assert apply_stops()["suspended"] == 0
    world.dibao.refresh_from_db()
    assert world.dibao.status == Status.ACTIVE and world.dibao.amount_fen == DIBAO_FEN


def test_a_household_restored_at_a_new_amount_pays_the_suspended_months_at_it(world: World, cast: Cast) -> None:
    run_batch()
    ent = stop_cancel(
        world.dibao, reason="财政供养成员不计入保障人口，按 2 人重核", actor=cast.town_officer, amount_fen=152_000
    )
    assert ent.status == Status.ACTIVE and ent.amount_fen == 152_000
    change = ent.changes.get(kind="amount")
    assert change.effective_month == DEC and change.old_amount_fen == DIBAO_FEN
    assert _items("stop_public_payroll").get().status == WorkItem.Status.RESOLVED


def test_closing_the_item_by_hand_is_refused_while_payment_is_suspended(world: World, cast: Cast) -> None:
    run_batch()
    item = _items("stop_death").get()
    with pytest.raises(WorkItemError, match="确认停发"):
        item_resolve(item, actor=cast.town_officer, resolution="已知悉")
    item.refresh_from_db()
    assert item.status == WorkItem.Status.OPEN


def test_confirm_needs_a_reason_and_opens_nothing_when_nothing_was_paid_after(world: World, cast: Cast) -> None:
    with pytest.raises(EntitlementError, match="理由"):
        stop_confirm(world.tekun_ok, last_month=NOV, reason=" ", actor=cast.town_officer)
    result = stop_confirm(world.tekun_ok, last_month=NOV, reason="本人申请退出", actor=cast.town_officer)
    assert result.overpayment is None and result.entitlement.to_month == NOV
    assert not Overpayment.objects.exists()


def test_only_the_town_officer_sees_the_actions(world: World, cast: Cast) -> None:
    from minzheng.workitems.services import actions_for

    run_batch()
    item = _items("stop_death").get()
    assert {a.key for a in actions_for(item, cast.town_officer)} >= {"payments_stop_confirm", "payments_stop_cancel"}
    assert not {a.key for a in actions_for(item, cast.village_worker)} & {"payments_stop_confirm"}


def test_apply_stops_runs_daily_and_after_every_batch() -> None:
    from minzheng.payments import stops
    from minzheng.scheduler.registry import SCHEDULES
    from minzheng.verification.tasks import AFTER_BATCH

    assert SCHEDULES["payments.stops"].func is stops.apply_stops and SCHEDULES["payments.stops"].daily_at
    assert stops.after_batch in AFTER_BATCH


def test_the_next_payroll_pays_the_living_and_not_the_dead(world: World, cast: Cast) -> None:
    from minzheng.payments.payroll import run_payroll
    from minzheng.payments.services import account_set

    for person in (world.elder, world.neighbour):
        account_set(
            person,
            bank_code="NBCB",
            bank_name="宁波银行",
            account_no=f"62230100{person.pk:08d}",
            account_name="",
            reason="开户",
            actor=cast.town_officer,
        )
    run_batch()
    run = run_payroll("tekun", DEC, "330212", actor=cast.town_officer)
    paid = dict(run.lines.values_list("entitlement_id", "period"))
    assert paid == {world.tekun_ok.pk: DEC}  # the dead elder's December (and no arrears) is not paid
    assert run.total_fen == TEKUN_FEN
