"""The demo step on the test cast: stations in every town, the accounts linked, hours and a draw."""

from __future__ import annotations

from typing import Any

from minzheng.divisions.models import Division
from minzheng.eldercare.models import OrderChannel
from minzheng.testing import make_household
from minzheng.volunteers import demo
from minzheng.volunteers.models import Account, Activity, Attendance, Draw, SocialWorker, Station, Transfer, Volunteer


def test_the_demo_step(cast: Any) -> None:
    from minzheng.eldercare.testing import make_care_world

    make_household()
    make_care_world(cast)
    steps: list[str] = []
    demo.demo_extend(None, steps.append)
    assert steps == ["社工与志愿服务：社工站、社工、志愿者、活动签到与时间银行"]
    assert Station.objects.count() == Division.objects.filter(code__startswith="330212", level=4).count() > 10
    assert SocialWorker.objects.get(user=cast.social_worker).station.town_code == cast.social_worker.jurisdiction
    assert Volunteer.objects.get(user=cast.volunteer).division_code == cast.volunteer.jurisdiction
    assert Attendance.objects.filter(status=Attendance.Status.CONFIRMED).count() >= 6
    assert Draw.objects.get().order.channel == OrderChannel.TIMEBANK
    assert Transfer.objects.get().relation == "spouse"
    assert Activity.objects.filter(status=Activity.Status.OPEN).count() == 1
    assert not Account.objects.filter(balance_minutes__lt=0).exists()
    assert demo.demo_counts()["timebank_entries"] >= 4
