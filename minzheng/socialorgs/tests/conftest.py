"""社会组织 tests: the organisation the cast's org account acts for (ORG_CREDIT_CODE), registered three
years ago through the real services (收件 → 受理 → 准予 by another person)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.accounts.units import ORG_CREDIT_CODE
from minzheng.socialorgs.demo import register_org
from minzheng.socialorgs.models import Kind, Organisation
from minzheng.testing import VILLAGE_A, VILLAGE_A2, Cast

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_org(
    cast: Cast, name: str, serial: int, *, days_ago: int = 3 * 365, village: str = VILLAGE_A2, **kw: str
) -> Organisation:
    kind = kw.pop("kind", Kind.SOCIAL_GROUP)
    return register_org(cast.socialorg_officer, cast.county_approver, name=name, kind=kind, village=village,
                        serial=serial, days_ago=days_ago, **kw)  # fmt: skip


@pytest.fixture
def org(cast: Cast) -> Organisation:
    return make_org(cast, "鄞州区公益服务中心", 10, village=VILLAGE_A, kind=Kind.SERVICE, credit_code=ORG_CREDIT_CODE)


def ago(days: int) -> dt.date:
    return TODAY - dt.timedelta(days=days)


REPORT = {
    "staff": 3,
    "members": 45,
    "activities": 14,
    "beneficiaries": 620,
    "villages_served": 4,
    "income_fen": 12_000_000,
    "expense_fen": 9_000_000,
    "net_assets_fen": 4_000_000,
    "party_org": True,
    "disclosed": True,
    "summary": "开展助老助残活动",
}
