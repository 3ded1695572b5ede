"""A confirmed case creates its entitlement (from the month after, with the decided amount); 停保 ends it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from minzheng.cases import services as cases
from minzheng.cases.models import Case
from minzheng.core.dates import add_months, first_of
from minzheng.payments.models import Entitlement, EntitlementChange, Status
from minzheng.payments.sources import entitlement_from_case, sweep_confirmed_cases
from minzheng.payments.tests.sources_helpers import family
from minzheng.rules.models import Parameter
from minzheng.testing import Cast, make_household

TODAY = timezone.localdate()
NEXT = add_months(first_of(TODAY), 1)


def _ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


def _confirmed(cast: Cast, case_type: str = "dibao", amount: int | None = 118100, **open_kw: Any) -> Case:
    """A case through 受理 → 调查 → 乡镇审核 → 公示 (7 days) → 审核确认, as the cases tests drive it."""
    household, people = open_kw.pop("family", None) or make_household()
    applicant = people[2] if case_type == "tekun" else None
    opening = cases.Opening(case_type, household, TODAY - dt.timedelta(days=20), "SQ-1", applicant=applicant)
    case = cases.case_open(opening, actor=cast.town_officer)
    survey = {"visited_on": _ago(18), "visitors": ["王村", "李镇"], "findings": "家中无劳动力"}
    cases.case_transition(case, "investigated", actor=cast.village_worker, data={"survey": survey, "on": _ago(18)})
    cases.case_transition(case, "reviewed", actor=cast.town_officer, reason="同意", data={"on": _ago(16)})
    cases.case_transition(case, "publicised", actor=cast.town_officer, data={"on": _ago(15)})
    data: dict[str, Any] = {"override_reason": "入户调查确认无收入来源"}
    if amount is not None:
        data["amount_fen"] = amount
    cases.case_transition(case, "confirmed", actor=cast.county_approver, reason="同意", data=data)
    case.refresh_from_db()
    return case


@pytest.mark.django_db
def test_confirmed_dibao_case_pays_the_household_head_from_next_month(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = _confirmed(cast)
    ent = Entitlement.objects.get(case=case)
    assert (ent.programme, ent.household_id, ent.person_id) == ("dibao", case.household_id, None)
    assert (ent.amount_fen, ent.from_month, ent.status, ent.source) == (118100, NEXT, Status.ACTIVE, "case")
    assert (ent.payee.name, ent.members) == ("张建国", 3)  # 户主; three members
    assert case.case_no in ent.decision
    assert list(ent.changes.values_list("kind", flat=True)) == [EntitlementChange.Kind.CREATED]


@pytest.mark.django_db
def test_the_effect_twice_and_the_sweep_give_one_entitlement(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        case = _confirmed(cast)
    first = Entitlement.objects.get(case=case)
    assert entitlement_from_case(case, actor=None) == first
    assert sweep_confirmed_cases() == {"created": 0, "ended": 0, "failed": 0}
    assert Entitlement.objects.count() == 1 and first.changes.count() == 1


@pytest.mark.django_db
def test_a_lost_effect_is_caught_by_the_daily_sweep(cast: Cast) -> None:
    case = _confirmed(cast)  # on_commit never ran: the test transaction is not committed
    assert not Entitlement.objects.exists()
    assert sweep_confirmed_cases()["created"] == 1
    assert Entitlement.objects.get().case == case
    assert sweep_confirmed_cases()["created"] == 0


@pytest.mark.django_db
def test_county_start_offset_parameter(cast: Cast) -> None:
    Parameter.objects.create(
        key="payments.dibao.start_offset_months", region_code="330212", effective_from=dt.date(2020, 1, 1),
        value="0", value_type="integer", reference="测试：当月起发",
    )  # fmt: skip
    ent = entitlement_from_case(_confirmed(cast), actor=None)
    assert ent is not None and ent.from_month == first_of(TODAY)


@pytest.mark.django_db
def test_tekun_pays_the_person_and_a_child_through_the_guardian(cast: Cast) -> None:
    case = _confirmed(cast, "tekun", amount=150000)  # the applicant is 张小明, a child
    ent = entitlement_from_case(case, actor=None)
    assert ent is not None and (ent.person.name, ent.household_id, ent.members) == ("张小明", None, 1)
    assert ent.payee.name == "张建国" and "监护人" in ent.decision


@pytest.mark.django_db
def test_an_unknown_amount_is_never_paid_and_a_zero_is_kept_unpaid(cast: Cast) -> None:
    case = _confirmed(cast, amount=None)
    Case.objects.filter(pk=case.pk).update(decision_amount_fen=None)
    case.refresh_from_db()
    ent = entitlement_from_case(case, actor=None)
    assert ent is not None
    assert (ent.status, ent.suspended_from, ent.amount_fen) == (Status.SUSPENDED, NEXT, 0)
    assert "金额待核对" in ent.decision
    edge = _confirmed(cast, "dibao_edge", amount=0, family=family("HQ-0002", [("王五", dt.date(1960, 1, 1), "户主")]))
    zero = entitlement_from_case(edge, actor=None)
    assert zero is not None and (zero.status, zero.amount_fen) == (Status.ACTIVE, 0)


@pytest.mark.django_db
def test_linshi_is_one_off_and_a_refusal_creates_nothing(cast: Cast) -> None:
    household, _ = make_household()
    case = cases.case_open(cases.Opening("linshi", household, TODAY, "SQ-9"), actor=cast.town_officer)
    Case.objects.filter(pk=case.pk).update(status="confirmed", decision_eligible=True, decision_amount_fen=50000)
    case.refresh_from_db()
    assert entitlement_from_case(case, actor=None) is None
    Case.objects.filter(pk=case.pk).update(case_type="dibao", decision_eligible=False)
    case.refresh_from_db()
    assert entitlement_from_case(case, actor=None) is None
    assert not Entitlement.objects.exists()


@pytest.mark.django_db
def test_a_tingbao_decision_ends_the_household_entitlement_in_its_month(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        dibao = _confirmed(cast)
    ent = Entitlement.objects.get(case=dibao)
    stop = cases.case_open(cases.Opening("tingbao", dibao.household, TODAY), actor=cast.town_officer)
    cases.case_transition(stop, "checked", actor=cast.town_officer, reason="户主已死亡（殡葬数据）")
    with django_capture_on_commit_callbacks(execute=True):
        cases.case_transition(
            stop, "stopped", actor=cast.county_approver, reason="户主死亡，停发",
            data={"override_reason": "殡葬数据核实死亡"},
        )  # fmt: skip
    ent.refresh_from_db()
    assert (ent.status, ent.to_month) == (Status.ENDED, first_of(TODAY))
    assert "停保复核" in ent.changes.last().reason  # type: ignore[union-attr]
    assert sweep_confirmed_cases()["ended"] == 0  # already ended: nothing twice
