"""基层治理 tests: the cast (合一村 worker, 瞻岐镇 officer, 咸祥镇 officer) and a household or two in 合一村."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from minzheng.registry.models import Household
from minzheng.testing import PASSWORD, VILLAGE_A, make_household

HEYI = VILLAGE_A  # 瞻岐镇合一村
NANYI = "330212100206"  # 瞻岐镇南一村
LUPU = "330212101200"  # 咸祥镇芦浦村
ZHANQI = "330212100000"  # 瞻岐镇 (a 跨村 topic)


@pytest.fixture
def household(cast: object) -> Household:
    return make_household()[0]


def client_for(user: object) -> Client:
    c = Client()
    assert c.login(username=user.username, password=PASSWORD)  # type: ignore[attr-defined]
    return c


def ago(days: int) -> dt.date:
    from django.utils import timezone

    return timezone.localdate() - dt.timedelta(days=days)


def bare_household(household_no: str, division: str = HEYI) -> Household:
    """A household without members (the 信用+ account is the household's, not a person's)."""
    from minzheng.registry.services import household_create

    return household_create(
        actor=None, household_no=household_no, division_code=division, grid="", building="", unit="", room=""
    )
