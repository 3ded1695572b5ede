"""The funeral and marriage demo: feed cremations linked, three burials decided and paid by this month's
payroll, a clean-up ledger, 殡葬协理员; a marriage registered, bookings, an adoption. Run twice, added once."""

from __future__ import annotations

import datetime as dt

from minzheng.demo.build import demo_build
from minzheng.funeral import demo
from minzheng.funeral.models import Assistant, Award, Burial, CleanupSite, Cremation
from minzheng.marriage.models import Adoption, Appointment, Registration
from minzheng.payments.models import PayrollLine


def test_demo_funeral_and_marriage(db: None) -> None:
    built = demo_build(persons=400, seed=3, county="330212", step=lambda _: None, as_of=dt.date(2026, 11, 1))
    assert Cremation.objects.filter(source="feed").exists()
    assert sorted(Burial.objects.values_list("burial_type", flat=True)) == ["公墓", "海葬", "草坪葬"]
    eco = dict(Award.objects.filter(programme="eco_burial").values_list("person__burial__burial_type", "outcome"))
    assert eco == {"草坪葬": "granted", "海葬": "granted", "公墓": "refused"}
    paid = PayrollLine.objects.filter(entitlement__programme="eco_burial", status="paid")
    assert sorted(paid.values_list("amount_fen", flat=True)) == [1_500_000, 2_000_000]
    assert PayrollLine.objects.filter(entitlement__programme="funeral_basic", status="paid").count() == 3
    assert CleanupSite.objects.exclude(action="pending").count() == 2 and Assistant.objects.count() == 4
    assert Registration.objects.count() == 1 and Appointment.objects.count() == 3 and Adoption.objects.count() == 1
    demo.demo_extend(built, lambda _: None)
    assert Burial.objects.count() == 3
