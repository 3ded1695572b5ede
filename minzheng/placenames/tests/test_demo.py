"""The demo step: through the real services, the 待办 it promises, and nothing added the second time."""

from __future__ import annotations

from minzheng.demo.accounts import demo_accounts_create
from minzheng.placenames import demo
from minzheng.placenames.items import OVERDUE_SOURCE, SIGN_SOURCE
from minzheng.placenames.models import NamingApplication, PlaceName, PlaceNameChange, Sign, StandardAddress
from minzheng.testing import make_household
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import refresh


def test_demo_step_builds_the_register_once(county: None) -> None:
    accounts = {a.username: a for a in demo_accounts_create("330212")}
    make_household(division=accounts["cun"].jurisdiction)  # the demo village: its first households get addresses
    steps: list[str] = []
    demo.demo_extend(None, steps.append)
    names = PlaceName.objects.count()
    roads = PlaceName.objects.filter(category="road")
    assert names > 10 and roads.count() >= 6 and roads.filter(name="观海路", announced_on__isnull=False).exists()
    assert PlaceNameChange.objects.count() == 1
    assert set(NamingApplication.objects.values_list("status", flat=True)) == {"received", "review", "announced"}
    assert Sign.objects.exclude(condition="good").count() == 4  # three found in the check, one renamed road's
    refresh(SIGN_SOURCE)
    assert WorkItem.objects.filter(source=SIGN_SOURCE, status="open").count() == 4
    refresh(OVERDUE_SOURCE)  # the use confirmation is due tomorrow: not yet on anyone's list
    assert not WorkItem.objects.filter(source=OVERDUE_SOURCE).exists()
    demo.demo_extend(None, steps.append)
    assert PlaceName.objects.count() == names and len(steps) == 2
    assert StandardAddress.objects.get().text.endswith("2号")
