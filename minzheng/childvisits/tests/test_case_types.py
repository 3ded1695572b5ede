"""Child case types: 10 + 10 working days without 公示, 监护缺失 with 村级评议 and 公示, confirmation paying
the guardian, the stop at 18 (not while in full-time school), transfer between counties."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.cases import services as cases
from minzheng.cases.casetypes import case_type
from minzheng.cases.models import Case
from minzheng.children.models import ParentSituation, Situation, Source
from minzheng.childvisits.entitlements import child_entitlement_from_case
from minzheng.childvisits.tests.helpers import TODAY, child_with_file, years_ago
from minzheng.core.dates import add_months, first_of
from minzheng.payments.allowances import entitlement_grant
from minzheng.payments.models import Entitlement, Status
from minzheng.testing import Cast
from minzheng.workdays.selectors import add_working_days
from minzheng.workflow.services import TransitionRefused

NEXT = add_months(first_of(TODAY), 1)
OVERRIDE = {"override_reason": "父母均已死亡，死亡证明已核", "amount_fen": 120000}


def _open(cast: Cast, ctype: str, kid: Any, received: dt.date) -> Case:
    return cases.case_open(cases.Opening(ctype, kid.household, received, applicant=kid), actor=cast.town_officer)


@pytest.mark.parametrize("ctype", ["child_orphan", "child_unsupported"])
def test_ten_plus_ten_working_days_and_no_publicity(ctype: str) -> None:
    machine = case_type(ctype).machine
    for state in ("accepted", "reviewed"):  # 乡镇审核 10, 县级审批 10
        deadline = machine.states[state].deadline
        assert deadline is not None and (deadline.amount, deadline.unit) == (10, "working_days")
    assert "publicised" not in machine.states and case_type(ctype).publicity_days == 0


@pytest.mark.django_db
def test_the_clock_counts_working_days_from_acceptance_and_from_review(cast: Cast) -> None:
    _, kid, _ = child_with_file()
    received = TODAY - dt.timedelta(days=12)
    case = _open(cast, "child_orphan", kid, received)
    assert case.status == "accepted"
    assert case.stage_due_on == add_working_days(received, 10)
    assert case.due_on == add_working_days(received, 20)
    reviewed_on = TODAY - dt.timedelta(days=2)
    cases.case_transition(
        case, "reviewed", actor=cast.town_officer, reason="同意", data={"on": reviewed_on.isoformat()}
    )
    case.refresh_from_db()
    assert case.stage_due_on == add_working_days(reviewed_on, 10)
    with pytest.raises(TransitionRefused):  # the county approves, not the town
        cases.case_transition(case, "confirmed", actor=cast.town_officer, reason="同意", data=dict(OVERRIDE))


@pytest.mark.django_db
def test_confirmation_pays_the_guardian_from_the_next_month(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    _, kid, grandma = child_with_file()
    case = _open(cast, "child_orphan", kid, TODAY - dt.timedelta(days=5))
    cases.case_transition(case, "reviewed", actor=cast.town_officer, reason="同意")
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_transition(case, "confirmed", actor=cast.county_approver, reason="批准", data=dict(OVERRIDE))
    ent = Entitlement.objects.get(case=case)
    assert (ent.programme, ent.person_id, ent.payee_id) == ("orphan", kid.pk, grandma.pk)
    assert (ent.amount_fen, ent.from_month, ent.status) == (120000, NEXT, Status.ACTIVE)
    assert child_entitlement_from_case(case, actor=None) == ent  # idempotent
    assert "监护人" in ent.decision


@pytest.mark.django_db
def test_guardian_missing_needs_village_review_and_publicity(cast: Cast) -> None:
    _, kid, _ = child_with_file()
    case = _open(cast, "child_guardian_missing", kid, TODAY - dt.timedelta(days=20))
    with pytest.raises(TransitionRefused, match="村级评议"):
        cases.case_transition(case, "village_reviewed", actor=cast.village_worker, reason="评议通过")
    review = {"held_on": (TODAY - dt.timedelta(days=19)).isoformat(), "participants": 7, "result": "同意"}
    data = {"democratic_review": review, "on": review["held_on"]}
    cases.case_transition(case, "village_reviewed", actor=cast.village_worker, reason="评议通过", data=data)
    cases.case_transition(case, "reviewed", actor=cast.town_officer, reason="同意", data={"on": review["held_on"]})
    with pytest.raises(TransitionRefused, match="不能转为「审核确认」"):  # 公示 first
        cases.case_transition(case, "confirmed", actor=cast.county_approver, reason="批准", data=dict(OVERRIDE))
    cases.case_transition(case, "publicised", actor=cast.town_officer, data={"on": review["held_on"]})
    cases.case_transition(case, "confirmed", actor=cast.county_approver, reason="批准", data=dict(OVERRIDE))
    case.refresh_from_db()
    assert (case.status, case.decision_amount_fen) == ("confirmed", 120000)


def _grant(cast: Cast, kid: Any, grandma: Any, months_ago: int = 3) -> Entitlement:
    return entitlement_grant(
        "orphan", kid, amount_fen=120000, from_month=add_months(first_of(TODAY), -months_ago), guardian=grandma,
        reason="孤儿认定（测试）", actor=cast.county_approver,
    )  # fmt: skip


def _stop(cast: Cast, kid: Any) -> Case:
    case = _open(cast, "child_stop", kid, TODAY)
    cases.case_transition(case, "checked", actor=cast.town_officer, reason="已核实")
    return case


@pytest.mark.django_db
def test_the_stop_at_18_ends_the_allowance_in_the_month_of_the_decision(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    _, kid, grandma = child_with_file(birth=years_ago(18, days=3), in_school=False)
    ent = _grant(cast, kid, grandma)
    case = _stop(cast, kid)
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_transition(case, "stopped", actor=cast.county_approver, reason="年满18周岁且已离校")
    ent.refresh_from_db()
    assert (ent.status, ent.to_month) == (Status.ENDED, first_of(TODAY))
    assert "已满 18 周岁" in ent.changes.order_by("-pk").first().reason


@pytest.mark.django_db
def test_no_stop_at_17_or_while_in_full_time_school_before_22(cast: Cast) -> None:
    _, young, _g1 = child_with_file("ET-17", birth=years_ago(18, days=-3))  # 18 in three days
    _, student, _g2 = child_with_file(
        "ET-19", birth=years_ago(19), in_school=True, school_until=TODAY + dt.timedelta(days=300)
    )
    for kid in (young, student):
        case = _stop(cast, kid)
        with pytest.raises(TransitionRefused, match="不能停发"):
            cases.case_transition(case, "stopped", actor=cast.county_approver, reason="停发")


@pytest.mark.django_db
def test_a_parent_released_from_prison_is_a_ground_to_stop(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    cf, kid, grandma = child_with_file(birth=years_ago(10))
    ent = _grant(cast, kid, grandma)
    ParentSituation.objects.create(
        child=cf, parent="father", situation=Situation.IMPRISONED, source=Source.FEED, since=years_ago(3),
        until=TODAY - dt.timedelta(days=10), evidence="监狱释放通知",
    )  # fmt: skip
    case = _stop(cast, kid)
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_transition(case, "stopped", actor=cast.county_approver, reason="父亲刑满释放")
    ent.refresh_from_db()
    assert ent.status == Status.ENDED and "服刑在押情形于" in ent.changes.order_by("-pk").first().reason


@pytest.mark.django_db
def test_a_transfer_ends_the_old_county_and_continues_here(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    _, kid, grandma = child_with_file()
    old = _grant(cast, kid, grandma)
    Entitlement.objects.filter(pk=old.pk).update(division_code="330203001001")  # paid by another county (海曙)
    case = _open(cast, "child_transfer", kid, TODAY)
    cases.case_transition(case, "checked", actor=cast.town_officer, reason="已迁入")
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_transition(case, "transferred", actor=cast.county_approver, reason="同意接续")
    old.refresh_from_db()
    new = Entitlement.objects.get(case=case)
    assert (old.status, old.to_month) == (Status.ENDED, first_of(TODAY))
    assert (new.programme, new.amount_fen, new.from_month, new.payee_id) == ("orphan", 120000, NEXT, grandma.pk)
    assert new.division_code == kid.division_code
