"""A death stops the right entitlements and recomputes the household to the fen, before the next payroll."""

from __future__ import annotations

import pytest

from minzheng.core.dates import add_months
from minzheng.lifeevents import services, services_benefits
from minzheng.lifeevents.models import BenefitChange
from minzheng.lifeevents.services_tasks import TaskError, task_step
from minzheng.lifeevents.tests.conftest import DIBAO_FEN, REPORTER, THIS_MONTH, TODAY, World
from minzheng.payments.models import Entitlement, Overpayment, PayrollLine, PayrollRun, Status
from minzheng.testing import Cast
from minzheng.workitems.models import WorkItem


def _death(world: World, person: object, cast: Cast, facts: dict[str, object] | None = None) -> object:
    return services.event_open(
        kind="death",
        person=person,
        facts={"died_on": TODAY, **(facts or {})},
        reporter=REPORTER,
        actor=cast.town_officer,
    )  # type: ignore[arg-type]


@pytest.mark.django_db
def test_a_death_in_a_dibao_household_of_three_recomputes_it_for_two_to_the_fen(world: World, cast: Cast) -> None:
    event = _death(world, world.head, cast)
    world.dibao.refresh_from_db()
    next_month = add_months(THIS_MONTH, 1)
    # Suspended from the month after the death: the next payroll pays nothing until the caseworker confirms.
    assert (world.dibao.status, world.dibao.suspended_from) == (Status.SUSPENDED, next_month)
    [change] = BenefitChange.objects.filter(event=event)  # type: ignore[misc]
    assert change.action == BenefitChange.Action.AMOUNT
    # 鄞州区 1181 元/人/月, no income known: (1181 − 0) × 2 = 2362.00 元 for the two left.
    assert (change.old_amount_fen, change.new_amount_fen) == (DIBAO_FEN, 236_200)
    assert (change.old_members, change.new_members) == (3, 2)
    assert (change.last_month, change.effective_month) == (THIS_MONTH, next_month)
    item = WorkItem.objects.get(fingerprint=f"lifebenefit:{event.pk}")  # type: ignore[attr-defined]
    assert item.role == "town_officer" and item.due_on is not None and item.due_on < next_month

    services_benefits.change_apply(change, actor=cast.town_officer)
    world.dibao.refresh_from_db()
    assert (world.dibao.status, world.dibao.to_month) == (Status.ENDED, THIS_MONTH)
    new = Entitlement.objects.get(programme="dibao", household=world.family, status=Status.ACTIVE)
    assert (new.amount_fen, new.members, new.from_month) == (236_200, 2, next_month)
    assert new.payee == world.wife  # the deceased was the payee: the adult still in the 户
    item.refresh_from_db()
    assert item.status != WorkItem.Status.OPEN


@pytest.mark.django_db
def test_a_death_ends_the_persons_own_entitlements_and_months_paid_after_it_become_an_overpayment(
    world: World, cast: Cast
) -> None:
    died = add_months(THIS_MONTH, -2)  # reported late: two months after the death were already paid
    for month in (add_months(THIS_MONTH, -1), THIS_MONTH):  # what the payroll left behind: a run, paid lines
        run = PayrollRun.objects.create(
            programme="tekun", month=month, region="330212", status=PayrollRun.State.RECONCILED
        )
        PayrollLine.objects.create(
            run=run,
            entitlement=world.tekun,
            entitlement_version=1,
            period=month,
            division_code="330212100201",
            payee_name=world.elder.name,
            payee_id_number=world.elder.id_number,
            amount_fen=world.tekun.amount_fen,
            status=PayrollLine.State.PAID,
        )
    event = services.event_open(
        kind="death",
        person=world.elder,
        facts={"died_on": died.replace(day=15)},
        reporter={**REPORTER, "reporter_id_number": ""},
        actor=cast.town_officer,
    )
    changes = {c.programme: c for c in event.benefit_changes.all()}
    assert set(changes) == {"tekun", "gaoling"}
    assert all(c.action == BenefitChange.Action.END and c.last_month == died for c in changes.values())
    states = dict(event.tasks.values_list("item", "status"))
    assert states["assistance_stop"] == "pending" and states["elderly_allowance"] == "pending"
    task = event.tasks.get(item="assistance_stop")
    with pytest.raises(TaskError, match="待遇变更待确认"):
        task_step(task, "done", actor=cast.town_officer, reply="已停发")
    services_benefits.change_apply(changes["tekun"], actor=cast.town_officer)
    op = Overpayment.objects.get(entitlement=world.tekun)
    assert op.amount_fen == 2 * world.tekun.amount_fen  # to the fen: the two months paid after the death
    task_step(task, "done", actor=cast.town_officer, reply="特困供养已停发，多发两个月列入追回台账")
    task.refresh_from_db()
    assert task.status == "done"


@pytest.mark.django_db
def test_a_wrong_record_is_dismissed_with_a_reason_and_the_payment_restored(world: World, cast: Cast) -> None:
    event = _death(world, world.elder, cast)
    change = event.benefit_changes.get(programme="gaoling")  # type: ignore[attr-defined]
    with pytest.raises(services_benefits.BenefitError, match="理由"):
        services_benefits.change_dismiss(change, actor=cast.town_officer, reason="")
    services_benefits.change_dismiss(change, actor=cast.town_officer, reason="火化数据身份号码错录，本人健在")
    world.gaoling.refresh_from_db()
    assert world.gaoling.status == Status.ACTIVE
