from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from minzheng.accounts.services import user_create
from minzheng.meals.demo import demo_extend
from minzheng.meals.models import Canteen, MealOrder, Menu, Settlement
from minzheng.meals.testing import make_person
from minzheng.testing import TOWN_A, VILLAGE_A


def test_demo_canteen_with_a_week_of_menus_and_orders(county: None) -> None:
    for username, role, scope in (
        ("cun", "village_worker", VILLAGE_A),
        ("zhen", "town_officer", TOWN_A),
        ("fuwu", "provider", "330212"),
    ):
        user_create(actor=None, username=username, role=role, jurisdiction=scope)
    for k in range(6):
        make_person(f"老人{k}", f"19{40 + k}0101", f"{k:02d}1")
    built = SimpleNamespace(
        accounts=[SimpleNamespace(username="cun", jurisdiction=VILLAGE_A)], as_of=dt.date(2026, 12, 2)
    )
    demo_extend(built, lambda _: None)
    canteen = Canteen.objects.get()
    assert canteen.staff.get().username == "fuwu"
    assert Menu.objects.filter(canteen=canteen).count() == 14
    assert {m.date for m in Menu.objects.all()} == {dt.date(2026, 11, 30) + dt.timedelta(days=k) for k in range(7)}
    orders = MealOrder.objects.all()
    assert orders.count() > 10
    assert all(o.status != "placed" for o in orders if o.menu.date < built.as_of)
    assert any(o.subsidy_fen == o.price_fen for o in orders)  # 75+ free lunches in the demo county
    settlement = Settlement.objects.get()
    handed = orders.filter(status__in=("served", "delivered"), menu__date__gte=dt.date(2026, 12, 1))
    assert settlement.month == dt.date(2026, 12, 1) and settlement.meals == handed.count() > 0
