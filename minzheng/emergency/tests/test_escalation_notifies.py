"""Issue 10, item 5 (KERNELS §6): emergency escalation is one of the outbox's first users.

Each rung the ladder takes by itself leaves a message for the 12349 operators of the elder's area, and the
community rung one for the village (community) workers who must go to the door; the scheduler delivers
them. A late or repeated tick sends nothing twice.
"""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.eldercare.testing import make_elder
from minzheng.emergency import services as emergency
from minzheng.notifications.models import Notification
from minzheng.notifications.selectors import inbox
from minzheng.notifications.services import deliver_pending
from minzheng.testing import Cast

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.django_db


def test_each_automatic_rung_reaches_the_inbox_once(cast: Cast) -> None:
    incident = emergency.alarm_receive(actor=None, kind="button", elder=make_elder(), now=T0).incident
    assert emergency.incident_tick(now=T0 + dt.timedelta(minutes=20)) == 3
    assert emergency.incident_tick(now=T0 + dt.timedelta(minutes=30)) == 0
    sent = Notification.objects.filter(kind="emergency_escalation").order_by("id")
    assert [(n.role, n.title.split("自动升级到")[-1]) for n in sent if n.role == "hotline_operator"] == [
        ("hotline_operator", "「通知家属」"),
        ("hotline_operator", "「社区人员上门」"),
        ("hotline_operator", "「呼叫120」"),
    ]
    door = [n for n in sent if n.role == "village_worker"]
    assert len(door) == 1 and "请立即上门" in door[0].title and "17:04:00" in door[0].title  # 09:04 UTC, 4 min in
    assert all("周阿婆" not in n.title for n in sent)  # masked name only

    assert deliver_pending()["delivered"] >= 4
    mine = list(inbox(cast.village_worker).filter(kind="emergency_escalation"))
    assert [n.pk for n in mine] == [door[0].pk]
    assert inbox(cast.hotline_operator).filter(kind="emergency_escalation").count() == 3
    assert not inbox(cast.other_town_officer).filter(kind="emergency_escalation").exists()
    assert f"#{incident.pk}" in door[0].title
