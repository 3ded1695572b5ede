"""The eldercare demo on a small generated county: every role has something to see."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

from django.utils import timezone

from minzheng.demo.accounts import demo_accounts_create
from minzheng.demo.build import county_village_codes
from minzheng.demo.generator import write_residents_file
from minzheng.eldercare.demo import demo_extend
from minzheng.eldercare.models import Assessment, Caregiver, Elder, FraudFlag, Order, Provider, Statement
from minzheng.registry.importing import residents_import


def test_demo_extend_gives_each_role_a_living_system(county: None, tmp_path: Path) -> None:
    residents = tmp_path / "residents.csv"
    write_residents_file(residents, persons=1500, seed=3, county="330212", villages=county_village_codes("330212"))
    residents_import(path=residents, actor=None, original_name="residents.csv")
    accounts = demo_accounts_create("330212")
    steps: list[str] = []
    demo_extend(SimpleNamespace(accounts=accounts, as_of=timezone.localdate().replace(day=1)), steps.append)
    assert steps == ["居家养老：服务商、护理员、能力评估与一周订单"]
    assert Provider.objects.count() == 3 and Caregiver.objects.count() == 12
    huli = Caregiver.objects.get(user__username="huli")
    assert Provider.objects.get(staff__username="fuwu") == huli.provider
    elders = Elder.objects.all()
    assert elders.count() > 5 and Assessment.objects.count() == elders.count()
    states = set(Order.objects.values_list("status", flat=True))
    assert {"visited_back", "checked_out", "missed", "cancelled", "in_service", "accepted", "placed"} <= states
    assert Order.objects.filter(caregiver=huli, window_start__date__gte=timezone.localdate() - dt.timedelta(days=1))
    assert FraudFlag.objects.filter(kind="overlap").exists()
    assert Statement.objects.filter(provider=huli.provider, order_count__gt=0).exists()
