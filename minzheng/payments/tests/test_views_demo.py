"""The payments demo inside `minzheng demo`: three paid months, one failed row re-issued once, a death
from the feeds suspending a payment, one overpayment with one repayment; the pages show them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from minzheng.accounts.models import User
from minzheng.demo.build import demo_build
from minzheng.payments.demo import demo_counts, demo_extend
from minzheng.payments.models import Entitlement, Overpayment, PayrollLine, PayrollRun, Status

pytestmark = pytest.mark.django_db
AS_OF = dt.date(2026, 11, 1)


def test_demo_pays_three_months_stops_a_death_and_recovers(db: None) -> None:
    demo_build(persons=3000, seed=3, county="330212", step=lambda _: None, as_of=AS_OF)
    months = {dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)}
    regular = PayrollRun.objects.filter(seq=0, month__lt=AS_OF)
    assert set(regular.values_list("month", flat=True)) == months
    # Later runs are this month's one-off payments of the funeral and disaster demos, not monthly benefits.
    later = set(PayrollRun.objects.filter(month__gte=AS_OF).values_list("programme", flat=True))
    assert later <= {"funeral_basic", "eco_burial", "disaster_transition", "disaster_winter"}
    assert set(regular.values_list("status", flat=True)) == {PayrollRun.State.RECONCILED}
    assert not regular.filter(approved_by__isnull=True).exists()
    # One failed row, re-issued once in a supplementary run that was paid.
    failed = PayrollLine.objects.get(status="failed")
    assert failed.fail_reason == "户名与账号不符" and failed.reissued_as.status == "paid"
    assert failed.reissued_as.run.seq == 1 and failed.reissued_as.account_no != failed.account_no
    # Nothing paid twice: one paid line per entitlement and month.
    paid = PayrollLine.objects.filter(status="paid", run__month__lt=AS_OF)
    assert paid.count() == len(set(paid.values_list("entitlement_id", "period")))
    # A death from the feeds: suspended entitlements with a 待办; one confirmed and recovering.
    assert Entitlement.objects.filter(status=Status.SUSPENDED).exists()
    op = Overpayment.objects.get(status=Overpayment.State.RECOVERING)  # 一件事 deaths add their own, not yet repaid
    assert op.cause == "death" and op.status == Overpayment.State.RECOVERING
    assert op.repayments.count() == 1 and 0 < op.recovered_fen < op.amount_fen
    assert op.entitlement.status == Status.ENDED
    counts = demo_counts()
    demo_extend(type("B", (), {"as_of": AS_OF})(), lambda _: None)  # twice = once
    assert demo_counts() == counts
    # The county approver's pages show them.
    client = Client()
    client.force_login(User.objects.get(username="xian"))
    run = regular.get(programme="dibao", month=dt.date(2026, 8, 1))
    page = client.get(f"/payments/runs/{run.pk}/").content.decode()
    assert "各乡镇（街道）汇总" in page and "已对账" in page
    assert "追回#" in client.get("/payments/overpayments/").content.decode()
    assert client.get(f"/payments/overpayments/{op.pk}/").status_code == 200
    held = Entitlement.objects.filter(status=Status.SUSPENDED).first()
    assert "到待办办理" in client.get(f"/payments/entitlements/{held.pk}/").content.decode()
