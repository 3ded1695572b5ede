"""The 一件事 demo: drafts from the demo feeds, events at every stage, one 低保 household recomputed, a birth;
run twice, added once."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.accounts.models import User
from minzheng.demo import build
from minzheng.lifeevents import demo
from minzheng.lifeevents.models import BenefitChange, LifeEvent
from minzheng.payments.models import Entitlement


def test_demo_lifeevents_data(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    # The demo up to this app's step (the later apps' steps read nothing of it): faster, and independent of them.
    steps = build.DEMO_EXTENSIONS
    monkeypatch.setattr(build, "DEMO_EXTENSIONS", steps[: steps.index("minzheng.lifeevents.demo") + 1])
    built = build.demo_build(persons=400, seed=3, county="330212", step=lambda _: None, as_of=dt.date(2026, 11, 1))
    stages = set(LifeEvent.objects.values_list("case__status", flat=True))
    assert {"registered", "processing", "done"} <= stages
    assert LifeEvent.objects.filter(case__status="done", notified_at__isnull=False).exists()
    town = User.objects.get(username="zhen").jurisdiction
    if Entitlement.objects.filter(programme="dibao", division_code__startswith=town, members__gte=2).exists():
        assert BenefitChange.objects.filter(action="amount", programme="dibao", status="applied").exists()
    assert LifeEvent.objects.filter(kind="birth", child__isnull=False).exists()
    count = LifeEvent.objects.count()
    demo.demo_extend(built, lambda _: None)
    assert LifeEvent.objects.count() == count
