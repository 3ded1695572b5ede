"""Relief as cases decided by the rules policy and paid once through the payroll: never twice for the
same household or person and event, whoever races whom."""

from __future__ import annotations

from typing import Any

import pytest

from minzheng.core.dates import first_of
from minzheng.disaster import services
from minzheng.disaster.models import Kind, ReliefPayment, ReliefRecipient
from minzheng.disaster.services_relief import ReliefRefused, relief_pay
from minzheng.disaster.tests.helpers import TODAY, claim, confirm, import_params, to_publicity, typhoon
from minzheng.payments.models import Entitlement, PayrollLine, Status
from minzheng.payments.payroll import run_payroll
from minzheng.testing import COUNTY, VILLAGE_A2, Cast, make_household
from minzheng.workflow.services import TransitionRefused

pytestmark = pytest.mark.django_db


@pytest.fixture
def params(county: None) -> None:
    import_params()


def _paid(cast: Cast, capture: Any) -> tuple[Any, Any, list[Any]]:
    household, people = make_household()
    event = typhoon(cast)
    c = claim(cast, event, household)
    to_publicity(cast, c)
    with capture(execute=True):
        confirm(cast, c)
    return event, c, people


def test_the_policy_decides_three_persons_times_the_daily_standard_times_ninety_days(
    cast: Cast, params: None, django_capture_on_commit_callbacks: Any
) -> None:
    _, c, people = _paid(cast, django_capture_on_commit_callbacks)
    c.case.refresh_from_db()
    assert c.case.engine_eligible is True and c.case.engine_amount_fen == 3 * 2000 * 90
    assert any("倒塌" in line for line in c.case.engine_explanation)
    payment = ReliefPayment.objects.get(claim=c)
    ent = payment.entitlement
    assert (ent.programme, ent.household_id, ent.amount_fen) == ("disaster_transition", c.household_id, 540000)
    assert (ent.status, ent.from_month, ent.to_month) == (Status.ENDED, first_of(TODAY), first_of(TODAY))
    assert set(ReliefRecipient.objects.filter(payment=payment).values_list("person_id", flat=True)) == {
        p.pk for p in people
    }


def test_the_payroll_pays_it_once_in_its_month_and_never_again(
    cast: Cast, params: None, django_capture_on_commit_callbacks: Any
) -> None:
    _, _, people = _paid(cast, django_capture_on_commit_callbacks)
    from minzheng.payments.services import account_set

    account_set(
        people[0], bank_code="RCB", bank_name="鄞州农商银行", account_no="6230123456789012", account_name="张建国",
        reason="户主社保卡", actor=cast.county_approver,
    )  # fmt: skip
    month = first_of(TODAY)
    run = run_payroll("disaster_transition", month, COUNTY, actor=cast.county_approver)
    assert (run.beneficiaries, run.total_fen) == (1, 540000)
    again = run_payroll("disaster_transition", month, COUNTY, actor=cast.county_approver)
    assert again.pk == run.pk and PayrollLine.objects.count() == 1
    from minzheng.core.dates import add_months

    later = run_payroll("disaster_transition", add_months(month, 1), COUNTY, actor=cast.county_approver)
    assert later.beneficiaries == 0 and PayrollLine.objects.count() == 1


def test_a_second_claim_of_the_household_or_of_a_member_elsewhere_is_refused(
    cast: Cast, params: None, django_capture_on_commit_callbacks: Any
) -> None:
    event, c, people = _paid(cast, django_capture_on_commit_callbacks)
    with pytest.raises(services.DisasterError, match="已有本次灾害的过渡期生活救助申请"):
        claim(cast, event, c.household)
    # The son moves to a new household in the next village; that household claims for the same event.
    from minzheng.registry.services import household_create

    other = household_create(actor=None, household_no="HQ-0009", division_code=VILLAGE_A2)
    type(people[2]).objects.filter(pk=people[2].pk).update(household=other, division_code=VILLAGE_A2)
    with pytest.raises(services.DisasterError, match="张小明 已随其他户领取"):
        claim(cast, event, other, persons=1, actor=cast.town_officer)
    # The other kind of relief for the same event is a separate entitlement.
    winter = claim(cast, event, c.household, kind=Kind.WINTER, persons=2)
    assert winter.case.case_no.startswith("冬春-330212-")


def test_confirming_is_refused_when_a_member_was_paid_meanwhile_and_the_database_refuses_a_second_payment(
    cast: Cast, params: None, django_capture_on_commit_callbacks: Any
) -> None:
    household, people = make_household()
    event = typhoon(cast)
    first = claim(cast, event, household)
    from minzheng.registry.services import household_create, person_create

    other = household_create(actor=None, household_no="HQ-0002", division_code=household.division_id)
    person_create(actor=None, household=other, name="赵二", id_number="330212196505051234", relation="户主")
    second = claim(cast, event, other, persons=1)
    for c in (first, second):
        to_publicity(cast, c)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(cast, first)
    # The son joins the second household after it applied: its confirmation is refused by the guard.
    type(people[2]).objects.filter(pk=people[2].pk).update(household=other)
    with pytest.raises(TransitionRefused, match=r"张小明 已在 .* 领取本次灾害"):
        confirm(cast, second)
    # Even past the guard (a race), the database's unique row per person stops a second payment.
    second.case.status, second.case.decision_eligible, second.case.decision_amount_fen = "confirmed", True, 180000
    second.case.save()
    with pytest.raises(ReliefRefused, match="已领取本次灾害"):
        relief_pay(second, actor=None)
    assert (
        ReliefPayment.objects.count() == 1 and Entitlement.objects.filter(programme="disaster_transition").count() == 1
    )
    assert relief_pay(first, actor=None) == ReliefPayment.objects.get(claim=first)  # idempotent


def test_winter_relief_uses_the_county_standard(
    cast: Cast, params: None, django_capture_on_commit_callbacks: Any
) -> None:
    household, _ = make_household()
    event = typhoon(cast)
    c = claim(cast, event, household, kind=Kind.WINTER, persons=2)
    to_publicity(cast, c)
    with django_capture_on_commit_callbacks(execute=True):
        confirm(cast, c)
    assert ReliefPayment.objects.get(claim=c).amount_fen == 2 * 50000


def test_a_claim_outside_the_event_area_or_the_jurisdiction_is_refused(cast: Cast, params: None) -> None:
    household, _ = make_household()
    event = typhoon(cast, areas=["330212101"])  # 咸祥镇 only
    with pytest.raises(services.DisasterError, match="不在本次灾害的受灾区域内"):
        claim(cast, event, household)
    inside = typhoon(cast)
    data = services.ClaimData(kind=Kind.TRANSITION, household=household, received_on=TODAY, transition_persons=1)
    with pytest.raises(services.DisasterError, match="超出您的管辖范围"):
        services.claim_open(inside, data, actor=cast.other_town_officer)


def test_a_household_without_a_claim_is_not_offered_disaster_relief_on_its_panel(cast: Cast, params: None) -> None:
    from minzheng.rules.eligibility import household_result

    household, _ = make_household()
    rows = {r["policy_id"]: r for r in household_result(household, TODAY)["policies"]}
    assert rows["disaster_transition"]["eligible"] is False and not rows["disaster_transition"]["applicable"]
    assert not rows["disaster_winter"]["applicable"]
    claim(cast, typhoon(cast), household)  # the claim's facts reach the panel at once (the cache's fingerprint)
    rows = {r["policy_id"]: r for r in household_result(household, TODAY)["policies"]}
    assert rows["disaster_transition"]["eligible"] is True and rows["disaster_transition"]["amount_fen"] == 540000


def test_the_facts_are_those_of_claims_made_by_the_as_of_day_in_local_time(cast: Cast, params: None) -> None:
    """A claim made at 23:30 on the day counts for that day (Beijing time), not before; booleans stay booleans."""
    import datetime as dt

    from django.utils import timezone

    from minzheng.disaster.facts import relief_facts
    from minzheng.disaster.models import ReliefClaim

    household, _ = make_household()
    made = claim(cast, typhoon(cast), household, persons=2)
    late = timezone.make_aware(dt.datetime.combine(TODAY, dt.time(23, 30)))
    ReliefClaim.objects.filter(pk=made.pk).update(created_at=late)
    assert relief_facts([household.pk], TODAY - dt.timedelta(days=1)) == {}
    facts = relief_facts([household.pk], TODAY)[household.pk]
    assert facts == {
        "disaster_house_damage": "倒塌", "disaster_no_livelihood": True, "disaster_transition_persons": 2,
    }  # fmt: skip
    assert facts["disaster_no_livelihood"] is True
    assert relief_facts([], TODAY) == {}
