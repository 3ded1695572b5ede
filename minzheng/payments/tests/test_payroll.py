"""The monthly payroll: totals to the fen, idempotence, resuming a killed run, four eyes, issue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.payments import payroll
from minzheng.payments.models import PayrollLine, PayrollRun
from minzheng.payments.tests.payroll_fixtures import DEC, NOV, REGION, World, december_changes, november_world
from minzheng.testing import Cast
from minzheng.workflow.services import start

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast: Cast) -> World:
    return november_world(cast)


def _lines(run: PayrollRun) -> set[tuple[int, dt.date, int]]:
    return set(PayrollLine.objects.filter(run=run).values_list("entitlement_id", "period", "amount_fen"))


def test_november_totals_to_the_fen(world: World, cast: Cast) -> None:
    run = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    assert run.status == "draft" and run.seq == 0 and run.built_by == cast.town_officer
    assert _lines(run) == {(world.e1.pk, NOV, 50000), (world.e2.pk, NOV, 30000), (world.e3.pk, NOV, 20000)}
    assert (run.beneficiaries, run.total_fen) == (3, 100000)
    assert len(run.inputs_hash) == 64 and run.lease_until is None
    # 无发放账户: e5 is listed, not paid; e4 starts in January; e7 is suspended from November.
    assert [r["entitlement_id"] for r in payroll.run_without_account(run)] == [world.e5.pk]
    line = PayrollLine.objects.get(run=run, entitlement=world.e1)
    snapshot = (line.payee_name, line.account_no, line.members, line.entitlement_version)
    assert snapshot == ("户主1", "6228480000000001", 2, 1)
    audit = AuditEvent.objects.filter(object_type="payroll_run", object_id=str(run.pk), action="write")
    assert audit.count() == 1 and "无发放账户 1" in audit.get().summary


def test_december_pays_arrears_and_skips_suspended_ended_future(world: World, cast: Cast) -> None:
    nov = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    e6 = december_changes(world)
    dec = payroll.run_payroll("dibao", DEC, REGION, actor=cast.town_officer)
    assert _lines(dec) == {
        (world.e1.pk, DEC, 52000),
        (e6.pk, NOV, 12000),
        (e6.pk, DEC, 12000),
        (world.e7.pk, NOV, 15000),
        (world.e7.pk, DEC, 15000),
    }
    assert (dec.beneficiaries, dec.total_fen) == (3, 106000)
    assert PayrollLine.objects.get(run=dec, entitlement=world.e1).entitlement_version == 2
    assert _lines(nov) == {(world.e1.pk, NOV, 50000), (world.e2.pk, NOV, 30000), (world.e3.pk, NOV, 20000)}
    changes = payroll.run_changes(dec)
    assert {r["entitlement_id"] for r in changes["new"]} == {e6.pk, world.e7.pk}
    assert {r["entitlement_id"] for r in changes["stopped"]} == {world.e2.pk, world.e3.pk}
    assert [(r["entitlement_id"], r["old_amount_fen"], r["amount_fen"]) for r in changes["changed"]] == [
        (world.e1.pk, 50000, 52000)
    ]
    towns = payroll.run_by_town(nov)
    assert [(t["town_code"], t["town_name"], t["count"], t["total_fen"]) for t in towns] == [
        ("330212100000", "瞻岐镇", 3, 100000)
    ]


def test_first_run_pays_no_arrears_before_the_platform_paid(world: World, cast: Cast) -> None:
    # e1 started in October, but no October run exists: October was paid outside the platform.
    run = payroll.run_payroll("dibao", NOV, REGION, actor=None)
    assert not PayrollLine.objects.filter(run=run, period__lt=NOV).exists()


def test_running_twice_returns_the_same_run_and_adds_nothing(world: World, cast: Cast) -> None:
    first = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    before = _lines(first)
    again = payroll.run_payroll("dibao", NOV, REGION, actor=cast.county_approver)
    assert again.pk == first.pk and _lines(again) == before
    assert PayrollRun.objects.count() == 1 and PayrollLine.objects.count() == 3
    assert again.inputs_hash == first.inputs_hash


def test_a_killed_run_is_resumed_with_exactly_the_right_lines(world: World, cast: Cast) -> None:
    # As a process killed half-way leaves it: 计算中, lease expired, one chunk's line already inserted.
    gone = timezone.now() - dt.timedelta(minutes=5)
    run = PayrollRun.objects.create(programme="dibao", month=NOV, region=REGION, lease_until=gone)
    start(run, actor=cast.town_officer)
    PayrollLine.objects.create(
        run=run,
        entitlement=world.e1,
        entitlement_version=1,
        period=NOV,
        division_code=world.e1.division_code,
        payee_name="户主1",
        payee_id_number="x",
        account_no="6228480000000001",
        amount_fen=50000,
    )
    resumed = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    assert resumed.pk == run.pk and resumed.status == "draft"
    assert _lines(resumed) == {(world.e1.pk, NOV, 50000), (world.e2.pk, NOV, 30000), (world.e3.pk, NOV, 20000)}
    assert (resumed.beneficiaries, resumed.total_fen) == (3, 100000)


def test_a_run_whose_lease_is_held_is_left_alone(world: World, cast: Cast) -> None:
    held = timezone.now() + dt.timedelta(minutes=1)
    run = PayrollRun.objects.create(programme="dibao", month=NOV, region=REGION, lease_until=held)
    got = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    assert got.pk == run.pk and got.status == "computing" and not PayrollLine.objects.exists()


def test_approval_needs_a_second_person(world: World, cast: Cast) -> None:
    run = payroll.run_payroll("dibao", NOV, REGION, actor=cast.county_approver)
    with pytest.raises(payroll.PayrollError, match="四眼原则"):
        payroll.run_approve(run, actor=cast.county_approver)
    with pytest.raises(payroll.PayrollError, match="不能办理"):
        payroll.run_approve(run, actor=cast.town_officer)
    with pytest.raises(payroll.PayrollError, match="审核后才能出盘"):
        payroll.run_issue(run, actor=cast.county_approver)
    payroll.run_approve(run, actor=world.second_approver)  # type: ignore[arg-type]
    run.refresh_from_db()
    assert run.status == "approved" and run.approved_by == world.second_approver


def test_issue_writes_the_bank_file_once_and_the_same_bytes_again(world: World, cast: Cast) -> None:
    run = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    payroll.run_approve(run, actor=cast.county_approver)
    name, data = payroll.run_issue(run, actor=cast.county_approver)
    run.refresh_from_db()
    assert run.status == "issued" and len(run.bank_file_sha256) == 64
    assert set(PayrollLine.objects.filter(run=run).values_list("status", flat=True)) == {"issued"}
    assert name.endswith(".csv") and "1000.00" in data.decode()
    assert payroll.run_issue(run, actor=cast.auditor) == (name, data)
    assert payroll.run_json(run) == {
        "run_id": run.pk,
        "programme": "dibao",
        "month": "2026-11",
        "region": REGION,
        "beneficiaries": 3,
        "total_fen": 100000,
        "status": "issued",
        "bank_file": name,
    }
    exports = AuditEvent.objects.filter(object_type="payroll_run", object_id=str(run.pk), action="export")
    assert exports.count() == 2


def test_unknown_programme_and_bad_region_are_refused(world: World) -> None:
    with pytest.raises(ValueError, match="没有发放项目"):
        payroll.run_payroll("nope", NOV, REGION, actor=None)
    with pytest.raises(payroll.PayrollError, match="区划代码"):
        payroll.run_payroll("dibao", NOV, "33021", actor=None)


def test_a_recognised_entitlement_of_zero_is_not_paid_and_breaks_nothing(world: World, cast: Cast) -> None:
    """低保边缘 recognised without cash (amount 0, 在保) and a migrated one restored before its amount was
    set: no line of 0 (the line constraint would refuse it and fail the whole run), the rest is paid."""
    from minzheng.payments.models import Entitlement, Status
    from minzheng.payments.tests.payroll_fixtures import entitle

    zero = entitle(8, 10000, dt.date(2026, 10, 1))
    Entitlement.objects.filter(pk=zero.pk).update(amount_fen=0, status=Status.ACTIVE)
    nov = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    assert nov.status == PayrollRun.State.DRAFT
    assert (nov.beneficiaries, nov.total_fen) == (3, 100000)
    assert not PayrollLine.objects.filter(entitlement=zero).exists()


def test_a_stop_after_the_run_was_computed_never_reaches_the_bank_file(world: World, cast: Cast) -> None:
    """Computed on the 20th, a death found on the 22nd, approved and issued on the 25th: the dead
    person's line is withdrawn (at approval, and again at issue for a stop after approval)."""
    from minzheng.payments import services

    nov = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    services.entitlement_suspend(world.e1, month=NOV, reason="死亡待核实", actor=None)
    payroll.run_approve(nov, actor=cast.county_approver)
    nov.refresh_from_db()
    assert (nov.beneficiaries, nov.total_fen) == (2, 50000)
    services.entitlement_end(world.e2, last_month=dt.date(2026, 10, 1), reason="死亡", actor=None)
    _name, content = payroll.run_issue(nov, actor=cast.county_approver)
    nov.refresh_from_db()
    assert (nov.beneficiaries, nov.total_fen) == (1, 20000)
    issued = set(PayrollLine.objects.filter(run=nov, status="issued").values_list("entitlement_id", flat=True))
    assert issued == {world.e3.pk}
    assert f"\n{world.e1.pk}," not in content.decode() and "合计,1,200.00" in content.decode()
    assert AuditEvent.objects.filter(object_type="payroll_run", summary__startswith="撤回 1 笔").count() == 2
