"""Each figure of the existing apps equals a direct count over the same data: the demo county (small),
topped up with a record of each kind the small demo leaves out, compared at the county, two towns and
a village (tests/direct.py counts by plain loops, not by the figures' queries)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minzheng.dashboard.models import Aggregate, Refresh
from minzheng.dashboard.services import refresh
from minzheng.dashboard.tests.direct import MEDIANS, SUMS, Cells, direct
from minzheng.demo.build import demo_build

pytestmark = pytest.mark.django_db
EXISTING = sorted([*SUMS, *MEDIANS])


def stored(key: str, prefix: str) -> Cells:
    rows = dict(Aggregate.objects.filter(figure=key, division=prefix).values_list("bucket", "value"))
    named = {b: v for b, v in rows.items() if b}
    return named or {b: v for b, v in rows.items() if v or key in MEDIANS}


def top_up(village: str) -> str:
    """One record of each kind a 400-person demo may not have: a home-care visit, a meal, a child visit,
    a 不应享而享 item, a decided case (direct inserts: test data, not behaviour under test). Returns the
    decided case's village."""
    from minzheng.cases.models import Case
    from minzheng.children.models import ChildFile
    from minzheng.childvisits.models import ChildVisit
    from minzheng.eldercare.models import Elder, Order
    from minzheng.meals.models import Canteen, MealOrder, Menu
    from minzheng.registry.models import Person
    from minzheng.rules.models import EligibilityRun, WorklistItem

    now = timezone.now()
    person = Person.objects.filter(division_code=village).exclude(elder__isnull=False).first()
    assert person is not None
    elder = Elder.objects.create(person=person, division_code=village, family_token="t" * 43)
    order = Order.objects.create(
        elder=elder, division_code=village, channel="hotline", window_start=now - dt.timedelta(hours=3),
        window_end=now - dt.timedelta(hours=2), minutes=45, status="checked_out",
        checkin_at=now - dt.timedelta(hours=2),
    )  # fmt: skip
    Order.objects.filter(pk=order.pk).update(created_at=now - dt.timedelta(hours=4))
    canteen = Canteen.objects.create(name="测试食堂", kind="canteen", division_code=village)
    menu = Menu.objects.create(canteen=canteen, date=timezone.localdate(), meal="lunch", dishes="饭", price_fen=1200)
    MealOrder.objects.create(
        menu=menu, person=person, division_code=village, mode="dine_in", status="served", price_fen=1200,
        subsidy_fen=500, pay_fen=700, placed_at=now,
    )  # fmt: skip
    child = ChildFile.objects.first()
    assert child is not None
    ChildVisit.objects.create(child=child, division_code=child.division_code, visited_on=timezone.localdate(),
                              observed="stable", findings="测试走访")  # fmt: skip
    run = EligibilityRun.objects.filter(status="done").order_by("-finished_at", "-id").first()
    assert run is not None
    WorklistItem.objects.create(run=run, kind="undue", policy_id="dibao", household=person.household,
                                division_code=village, reason="测试")  # fmt: skip
    case = Case.objects.filter(decided_on__isnull=True).first()
    assert case is not None
    decided = min(case.received_on + dt.timedelta(days=9), timezone.localdate())
    Case.objects.filter(pk=case.pk).update(decided_on=decided)
    return case.division_code


def test_every_figure_of_the_existing_apps_equals_a_direct_count(db: None) -> None:
    demo_build(persons=400, seed=7, county="330212", step=lambda _: None, as_of=dt.date(2026, 11, 1))
    from django.db.models import Count

    from minzheng.registry.models import Person

    busiest = Person.objects.values("division_code").annotate(n=Count("id")).order_by("-n", "division_code")
    village = busiest[0]["division_code"]
    case_village = top_up(village)
    refresh()
    run = Refresh.objects.order_by("-pk").first()  # the demo's own refresh came first
    assert run is not None
    assert [f["key"] for f in run.failed if f["key"] in EXISTING] == []
    codes = Aggregate.objects.filter(figure="registry.persons", bucket="").values_list("division", flat=True)
    towns = sorted(c for c in codes if len(c) == 9)
    prefixes = ["330212", towns[0], towns[-1], village, case_village]
    seen = set()
    for key in EXISTING:
        for prefix in prefixes:
            want = direct(key, prefix, run.as_of)
            assert stored(key, prefix) == want, (key, prefix)
            if want:
                seen.add(key)
    # Every figure has something to compare somewhere (a figure zero everywhere would compare nothing).
    assert set(EXISTING) - seen <= {"cases.overdue", "childvisits.overdue"}, set(EXISTING) - seen
