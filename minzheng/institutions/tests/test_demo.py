"""The demo step on a small county: the operator's institution, residents, 集中供养, subsidy, 待办, circle."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from minzheng.accounts.units import INSTITUTION_CODE
from minzheng.demo.accounts import demo_accounts_create
from minzheng.institutions import demo
from minzheng.institutions.models import Facility, Institution, Resident
from minzheng.institutions.tests.conftest import elder
from minzheng.payments import services as payments
from minzheng.workitems.models import WorkItem


def test_demo_step_builds_the_operators_institution(county: None, params: None) -> None:
    accounts = demo_accounts_create("330212")
    village = next(a for a in accounts if a.username == "cun").jurisdiction
    people = [elder(f"演示老人{i}", village=village, born=dt.date(1935 + i, 1, 1)) for i in range(6)]
    payments.entitlement_create(
        programme_id="tekun", subject=people[0], payee=people[0], amount_fen=156_000, from_month=dt.date(2025, 1, 1),
        source="case", reason="演示", actor=None,
    )  # fmt: skip
    steps: list[str] = []
    demo.demo_extend(SimpleNamespace(accounts=accounts), steps.append)
    inst = Institution.objects.get(code=INSTITUTION_CODE)
    assert steps and inst.residents.filter(supply=Resident.Supply.TEKUN).count() == 1
    assert inst.residents.count() >= 5 and inst.subsidies.count() == 1
    assert people[0].entitlements.get().payee_unit == INSTITUTION_CODE
    kinds = set(WorkItem.objects.filter(status="open").values_list("kind", flat=True))
    assert {"institution_rating_expiring", "institution_finding_overdue"} <= kinds
    assert Facility.objects.count() >= 2 and Institution.objects.count() == 2
    demo.demo_extend(SimpleNamespace(accounts=accounts), steps.append)  # idempotent
    assert Institution.objects.count() == 2
