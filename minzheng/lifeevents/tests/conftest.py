"""The 一件事 world: 张建国's 低保 household of three in 合一村, an elder on 高龄津贴 and 特困, departments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.lifeevents.services import departments_ensure
from minzheng.payments.models import Entitlement
from minzheng.payments.services import entitlement_create
from minzheng.registry.models import Household, Person
from minzheng.registry.services import household_create, person_create
from minzheng.rules.engine import DEFAULT_PARAMS
from minzheng.rules.services import params_import
from minzheng.testing import COUNTY, VILLAGE_A, Cast, make_household

TODAY = timezone.localdate()
THIS_MONTH = TODAY.replace(day=1)
DIBAO_FEN = 354_300  # (1181 − 0) × 3 元: 鄞州区 standard, no income known, three members
ELDER_TEKUN_FEN = 153_217


@dataclass
class World:
    family: Household
    head: Person  # 张建国, 户主 and payee of the household's 低保
    wife: Person  # 李秀英 (残疾 tag)
    son: Person
    dibao: Entitlement
    elder: Person  # 王桂英, 86, alone: 特困 and 高龄津贴
    tekun: Entitlement
    gaoling: Entitlement


def build_world() -> World:
    for path in DEFAULT_PARAMS:
        params_import(actor=None, path=path)
    family, (head, wife, son) = make_household("HQ-0001", VILLAGE_A)
    start = dt.date(TODAY.year - 1, 1, 1)
    dibao = entitlement_create(
        programme_id="dibao",
        subject=family,
        payee=head,
        amount_fen=DIBAO_FEN,
        members=3,
        from_month=start,
        source="case",
        reason="测试：审核确认",
        actor=None,
    )
    home = household_create(actor=None, household_no="HQ-0009", division_code=VILLAGE_A)
    elder = person_create(actor=None, household=home, name="王桂英", id_number="330212194003054022", relation="户主")
    tekun = entitlement_create(
        programme_id="tekun",
        subject=elder,
        payee=elder,
        amount_fen=ELDER_TEKUN_FEN,
        from_month=start,
        source="case",
        reason="测试：特困认定",
        actor=None,
    )
    gaoling = entitlement_create(
        programme_id="gaoling",
        subject=elder,
        payee=elder,
        amount_fen=10_000,
        from_month=start,
        source="auto",
        reason="测试：高龄津贴",
        actor=None,
    )
    departments_ensure()
    return World(family, head, wife, son, dibao, elder, tekun, gaoling)


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world()


def department_user(code: str, username: str | None = None) -> User:
    """A 协办部门 account of the department `code` for the county (the cast has hrss)."""
    user = User.objects.filter(username=username or f"dept_{code}").first()
    return user or User.objects.create_user(
        username=username or f"dept_{code}", password="x", role="department_staff", jurisdiction=COUNTY, unit=code
    )


REPORTER = {
    "reporter_name": "李秀英",
    "reporter_id_number": "330212198004226023",
    "reporter_phone": "13905745678",
    "reporter_relation": "配偶",
    "authorisation_no": "SQ-2026-0001",
}
