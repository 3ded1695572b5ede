"""The disaster demo on the demo accounts: an event with assessments, relief confirmed by the rules and
paid in this month's payroll, materials issued and signed for, one call unanswered; the dashboard's figures
over it (village codes, no personal data); run twice, added once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minzheng.core.figures import all_figures
from minzheng.demo.accounts import demo_accounts_create, demo_scopes
from minzheng.disaster import demo
from minzheng.disaster.models import Assessment, Distribution, Event, ReliefClaim, ReliefPayment
from minzheng.disaster.tests.helpers import import_params
from minzheng.payments.models import PayrollLine
from minzheng.payments.tests.sources_helpers import family
from minzheng.testing import COUNTY, load_test_divisions
from minzheng.workitems.models import WorkItem

pytestmark = pytest.mark.django_db


def test_demo_disaster_data() -> None:
    load_test_divisions()
    demo_accounts_create(COUNTY)
    import_params()
    _, village = demo_scopes(COUNTY)
    for n in range(24):
        members = [("户主", dt.date(1970, 1, 1)), ("配偶", dt.date(1972, 2, 2)), ("子", dt.date(2001, 3, 3))]
        family(f"DEMO-{n:03d}", [(f"居民{n}{i}", b, r) for i, (r, b) in enumerate(members)], division=village.code)
    demo.demo_extend(None, lambda _: None)
    event = Event.objects.get()
    assert Assessment.objects.filter(event=event).count() == 3
    assert Assessment.objects.get(division_code=village.code).version == 2
    assert sorted(ReliefClaim.objects.values_list("kind", "case__status")) == [
        ("transition", "confirmed"),
        ("winter", "publicised"),
    ]
    payment = ReliefPayment.objects.get()
    assert payment.amount_fen == 3 * 2000 * 90
    assert PayrollLine.objects.get(entitlement=payment.entitlement).status == "paid"
    assert Distribution.objects.get().received_by == "王网格"
    kinds = set(WorkItem.objects.filter(status="open").values_list("kind", flat=True))
    assert {"disaster_call_unanswered", "disaster_stock_expiring"} <= kinds
    figures = {f.key: list(f.compute(timezone.localdate())) for f in all_figures() if f.group == "灾害救助"}
    assert (village.code, "", 112) in figures["disaster.affected"]  # the re-report replaced the first
    assert (village.code, "过渡期生活救助", 540000) in figures["disaster.relief_money"]
    assert (village.code, "棉被", 60) in figures["disaster.materials"]
    assert figures["disaster.calls_unanswered"] == [(village.code, "", 1)]
    assert all(len(code) == 12 for rows in figures.values() for code, _, _ in rows)  # villages only, no persons
    demo.demo_extend(None, lambda _: None)
    assert Event.objects.count() == 1 and ReliefPayment.objects.count() == 1
