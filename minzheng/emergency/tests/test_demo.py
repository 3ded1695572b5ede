from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from minzheng.eldercare.testing import make_elder
from minzheng.emergency.demo import demo_extend
from minzheng.emergency.models import Device, Incident
from minzheng.testing import VILLAGE_A, Cast


def test_demo_leaves_one_open_emergency_in_the_demo_village(cast: Cast) -> None:
    make_elder()
    make_elder("吴阿公", household_no="YL-0002", serial="513", phone="13800570002")
    built = SimpleNamespace(
        accounts=[SimpleNamespace(username="cun", jurisdiction=VILLAGE_A)], as_of=dt.date(2026, 12, 1)
    )
    steps: list[str] = []
    demo_extend(built, steps.append)
    assert Device.objects.count() == 2 and steps == ["一键通：终端与一起处置中的紧急呼叫"]
    open_ = Incident.objects.get(status="open")
    assert open_.rung == "operator" and open_.elder.person.name == "周阿婆"
    assert Incident.objects.get(status="closed").get_outcome_display() == "误报"
