"""信用+: rules as data with yearly caps, a redemption never takes the balance below zero (nor the stock),
a deduction stops at zero unless its rule allows a debt, the fund pays out by points to the fen."""

from __future__ import annotations

import pytest

from minzheng.audit.models import AuditEvent
from minzheng.governance import services_credit as credit
from minzheng.governance.models import CreditAccount, CreditEntry, CreditRule, ShopItem
from minzheng.governance.services import GovernanceError
from minzheng.governance.tests.conftest import HEYI, LUPU, ago, bare_household
from minzheng.registry.models import Household
from minzheng.testing import Cast


def _rules(cast: Cast) -> dict[str, CreditRule]:
    credit.rules_adopt(HEYI, effective_from=ago(100), actor=cast.village_worker)
    return {r.code: r for r in credit.rules_in_force(HEYI, ago(0))}


def test_redemption_never_below_zero(cast: Cast, household: Household) -> None:
    w = cast.village_worker
    rules = _rules(cast)
    credit.points_record(household, rules["E05"], on=ago(3), evidence="拾得钱包交还失主", actor=w)  # +20
    soap = credit.item_add(division_code=HEYI, name="洗衣液", points=15, stock=5, actor=w)
    credit.redeem(household, soap, actor=w)
    account = CreditAccount.objects.get(household=household)
    assert account.balance == 5
    with pytest.raises(GovernanceError, match="积分不足：余额 5 分"):
        credit.redeem(household, soap, actor=w)
    assert CreditAccount.objects.get(pk=account.pk).balance == 5
    assert ShopItem.objects.get(pk=soap.pk).stock == 4
    assert AuditEvent.objects.filter(object_type="gov_credit", object_id=str(household.pk)).count() == 2


def test_out_of_stock_takes_no_points(cast: Cast, household: Household) -> None:
    w = cast.village_worker
    rules = _rules(cast)
    credit.points_record(household, rules["E05"], on=ago(3), evidence="见义勇为", actor=w)
    rice = credit.item_add(division_code=HEYI, name="大米 5 斤", points=10, stock=0, actor=w)
    with pytest.raises(GovernanceError, match="库存不足"):
        credit.redeem(household, rice, actor=w)
    assert CreditAccount.objects.get(household=household).balance == 20
    assert not CreditEntry.objects.filter(kind=CreditEntry.Kind.REDEEM).exists()


def test_deduction_stops_at_zero_unless_the_rule_allows_a_debt(cast: Cast, household: Household) -> None:
    w = cast.village_worker
    rules = _rules(cast)
    credit.points_record(household, rules["E04"], on=ago(5), evidence="庭院整洁", actor=w)  # +3
    entry = credit.points_record(household, rules["D01"], on=ago(4), evidence="河边乱倒垃圾", actor=w)  # -10
    assert (entry.points, entry.balance_after) == (-3, 0) and "扣至零为止" in entry.note
    debt = credit.points_record(household, rules["D03"], on=ago(2), evidence="调解后仍不赡养", actor=w)  # -30, allowed
    assert debt.balance_after == -30


def test_yearly_cap_and_village_rules(cast: Cast, household: Household) -> None:
    w = cast.village_worker
    rules = _rules(cast)
    credit.points_record(household, rules["E03"], on=ago(1), evidence="获评好媳妇", actor=w)
    with pytest.raises(GovernanceError, match="每户每年最多计 10 分"):
        credit.points_record(household, rules["E03"], on=ago(1), evidence="再次获评", actor=w)
    far = bare_household("HQ-0777", LUPU)
    with pytest.raises(GovernanceError, match="不在您的管辖范围内"):
        credit.points_record(far, rules["E01"], evidence="志愿服务", actor=w)


def test_fund_pays_out_by_points_to_the_fen(cast: Cast, household: Household) -> None:
    w = cast.village_worker
    rules = _rules(cast)
    other = bare_household("HQ-0002")
    credit.points_record(household, rules["E05"], on=ago(3), evidence="拾金不昧", actor=w)  # 20
    credit.points_record(other, rules["E02"], on=ago(3), evidence="参加议事", actor=w)  # 2
    credit.fund_deposit(division_code=HEYI, kind="allocation", amount_fen=100_000, counterpart="村集体福利", actor=w)
    with pytest.raises(GovernanceError, match="不足发放"):
        credit.fund_payout(division_code=HEYI, amount_fen=200_000, since=ago(30), actor=w)
    entry = credit.fund_payout(division_code=HEYI, amount_fen=10_001, since=ago(30), actor=w)
    paid = {p.account.household_id: p.amount_fen for p in entry.payouts.select_related("account")}
    assert paid == {household.pk: 9092, other.pk: 909} and entry.balance_fen == 100_000 - 10_001


def test_shares_sum_exactly() -> None:
    assert credit.shares(100, {1: 1, 2: 1, 3: 1}) == {1: 34, 2: 33, 3: 33}
    assert credit.shares(0, {1: 5}) == {1: 0} and credit.shares(5, {}) == {}


def test_village_revises_and_adds_its_own_rules(cast: Cast, household: Household) -> None:
    w = cast.village_worker
    _rules(cast)
    old = credit.rules_in_force(HEYI, ago(0))[0]
    first = credit.points_record(household, old, on=ago(10), evidence="志愿服务 4 小时", actor=w)
    new = credit.rule_set(
        division_code=HEYI, code=old.code, text=old.text, points=2, cap_per_year=24, effective_from=ago(5), actor=w
    )
    assert [r.points for r in credit.rules_in_force(HEYI, ago(0)) if r.code == old.code] == [2]
    assert [r.points for r in credit.rules_in_force(HEYI, ago(7)) if r.code == old.code] == [old.points]
    assert CreditEntry.objects.get(pk=first.pk).rule_id == old.pk and new.pk != old.pk
    with pytest.raises(GovernanceError, match="不在有效期内"):
        credit.points_record(household, CreditRule.objects.get(pk=old.pk), on=ago(1), evidence="旧版本", actor=w)
    own = credit.rule_set(
        division_code=HEYI, code="e09", text="参加移风易俗红白理事会", points=5, cap_per_year=None,
        effective_from=ago(1), actor=w,
    )  # fmt: skip
    assert own.code == "E09" and AuditEvent.objects.filter(object_type="gov_credit_rule", action="create").count() == 2
