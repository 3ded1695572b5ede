"""Shared by the payments page tests: a logged-in client and one paid 低保 household."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from minzheng.payments import services
from minzheng.payments.models import Entitlement
from minzheng.testing import Cast, make_household

MONTH = dt.date(2026, 11, 1)


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def ent(cast: Cast) -> Entitlement:
    """HQ-0001 (3 members), 1,234.50 元 a month from November 2026, paid to 张建国's account."""
    household, people = make_household()
    services.account_set(
        people[0], bank_code="NBCB", bank_name="宁波银行", account_no="6222021234567890123",
        account_name="张建国", reason="开户登记", actor=cast.county_approver,
    )  # fmt: skip
    return services.entitlement_create(
        programme_id="dibao", subject=household, payee=people[0], amount_fen=123_450, from_month=MONTH,
        source="case", reason="批准纳入低保", actor=cast.county_approver, members=3,
    )  # fmt: skip
