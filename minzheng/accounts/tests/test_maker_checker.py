"""Item 5: maker-checker across accounts: an approver the maker created or changed cannot approve."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from minzheng.accounts.access import independent_of
from minzheng.accounts.models import User
from minzheng.accounts.services import password_change, user_create, user_update
from minzheng.meals import services as meals
from minzheng.rules.services import RulesError, param_change_approve, param_change_propose, params_import
from minzheng.testing import COUNTY, PASSWORD, TOWN_A, Cast

PARAMS = """\
dibao.standard:
  description: 最低生活保障标准
  unit: 元/人/月
  values:
    - {region: "330212", from: 2022-07-01, value: 1181, reference: "鄞州区 2022"}
"""
CHANGE = {
    "key": "dibao.standard",
    "region_code": "330212",
    "effective_from": dt.date(2023, 7, 1),
    "value": "1240",
    "reference": "甬民发〔2023〕1号",
    "reason": "年度调整",
}


def approver(actor: User | None, username: str = "shenpi2") -> User:
    return user_create(actor=actor, username=username, role="county_approver", jurisdiction=COUNTY, password=PASSWORD)


def test_created_by_and_changed_by_are_recorded(cast: Cast) -> None:
    made = approver(cast.sysadmin)
    assert (made.created_by, made.changed_by) == (cast.sysadmin, cast.sysadmin)
    user_update(actor=cast.county_approver, user=made, display_name="审批二")
    made.refresh_from_db()
    assert (made.created_by, made.changed_by) == (cast.sysadmin, cast.county_approver)


def test_independence(cast: Cast) -> None:
    admin = cast.sysadmin
    assert not independent_of(admin, admin)
    made = approver(admin)
    assert not independent_of(made, admin)  # created by the maker
    assert independent_of(cast.county_approver, admin)  # the cast came from the installation (CLI)
    user_update(actor=admin, user=cast.county_approver, password="Reset#Pass2026")
    assert not independent_of(cast.county_approver, admin)  # the maker reset its password: may control it
    # Changing one's own password later does not wash out the maker's change.
    password_change(user=cast.county_approver, old_password="Reset#Pass2026", new_password="Mine#Pass2026")
    assert not independent_of(cast.county_approver, admin)
    # Through an account the maker controls: admin → deputy admin → approver.
    deputy = user_create(actor=admin, username="fuguan", role="sysadmin", jurisdiction=COUNTY, password=PASSWORD)
    third = approver(deputy, "shenpi3")
    assert not independent_of(third, admin)
    assert independent_of(third, cast.town_officer)
    assert independent_of(cast.county_approver, None)  # an unknown maker (CLI) blocks nothing


def test_parameter_change_refused_when_the_approver_was_created_by_the_maker(cast: Cast, tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(PARAMS, encoding="utf-8")
    params_import(actor=None, path=path)
    maker = cast.sysadmin  # may both propose parameters and create accounts
    change = param_change_propose(actor=maker, data=CHANGE)
    puppet = approver(maker)
    with pytest.raises(RulesError, match=f"审核人账号由提出人 {maker.username} 创建或修改过"):
        param_change_approve(actor=puppet, change=change)
    user_update(actor=maker, user=cast.county_approver, role="county_approver", display_name="陈县长")
    with pytest.raises(RulesError, match="创建或修改过"):
        param_change_approve(actor=cast.county_approver, change=change)
    other = user_create(actor=None, username="duli", role="county_approver", jurisdiction=COUNTY, password=PASSWORD)
    assert param_change_approve(actor=other, change=change).value == "1240"


def test_meal_settlement_refused_when_the_approver_was_changed_by_the_builder(cast: Cast) -> None:
    day = dt.date(2026, 3, 2)
    now = dt.datetime(2026, 3, 31, 18, tzinfo=dt.UTC)
    canteen = meals.canteen_create(actor=None, name="合一村老年食堂", division_code="330212100201")
    builder = user_create(actor=cast.sysadmin, username="jiesuan", role="town_officer", jurisdiction=TOWN_A)
    settlement = meals.settlement_build(actor=builder, canteen=canteen, month=day, now=now)
    user_update(actor=builder, user=cast.county_approver, display_name="陈审批")
    with pytest.raises(meals.MealsError, match="审核人账号由结算单生成人 jiesuan 创建或修改过"):
        meals.settlement_approve(actor=cast.county_approver, settlement=settlement, now=now)
    assert meals.settlement_approve(actor=cast.auditor, settlement=settlement, now=now).status == "approved"
