"""The rescue demo: stays at every stage, both ledgers, one overdue follow-up, one referral; run twice, added once."""

from __future__ import annotations

import datetime as dt

from minzheng.demo.build import demo_build
from minzheng.rescue import demo, items
from minzheng.rescue.models import LedgerEntry, Stay
from minzheng.workitems.models import WorkItem


def test_demo_rescue_data(db: None) -> None:
    built = demo_build(persons=400, seed=3, county="330212", step=lambda _: None, as_of=dt.date(2026, 11, 1))
    assert sorted(Stay.objects.values_list("status", flat=True)) == [
        *["admitted"] * 3,
        *["returned"] * 3,
        "transferred",
    ]
    assert Stay.objects.filter(person__isnull=True).count() == 1  # the unidentified one, DNA pending
    assert sorted(LedgerEntry.objects.values_list("kind", flat=True)) == ["returned"] * 3 + ["wander"] * 2
    open_items = WorkItem.objects.filter(status="open")
    assert open_items.filter(source=items.STAY_SOURCE).count() == 1
    assert open_items.filter(source=items.FOLLOWUP_SOURCE, role="town_officer").count() == 1
    assert open_items.filter(source=items.REFERRAL_SOURCE, data__need="dibao").count() == 1
    assert "jiuzhu" in [a.username for a in built.accounts]
    demo.demo_extend(built, lambda _: None)
    assert Stay.objects.count() == 7
