"""Builders for the volunteers tests and the browser test: real rows through the real services.

瞻岐镇 has its 社工站 with 佘工 (the cast's social worker); 张建国 of 合一村 (the cast's family)
is a volunteer linked to the cast's volunteer account 智愿; an activity at the village hall is open
now and counts for the time bank.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from minzheng.registry.models import Person
from minzheng.testing import TOWN_A, VILLAGE_A, make_household
from minzheng.volunteers import services, services_activity, services_timebank
from minzheng.volunteers.models import Activity, Attendance, Certificate, Station, Volunteer

HALL = (29.7752, 121.7351)  # 合一村文化礼堂 (approximately)
NEAR = (29.7760, 121.7351)  # about 90 m north


def load_params() -> None:
    services_timebank.params_load()


@dataclass
class World:
    station: Station
    volunteer: Volunteer
    spouse: Person
    son: Person
    activity: Activity


def make_world(cast: Any) -> World:
    load_params()
    _, (head, spouse, son) = make_household()
    station = services.station_create(
        actor=None, town_code=TOWN_A, name="瞻岐镇社会工作站", address="瞻岐镇人民路 1 号",
        operator_name="鄞州区向阳社工服务中心",
    )  # fmt: skip
    services.worker_add(
        actor=None, station=station, name="佘工", certificate=Certificate.ASSISTANT, certificate_no="ZS2024-001",
        user=cast.social_worker,
    )  # fmt: skip
    vol = services.volunteer_register(actor=None, person=head, skills=["care", "company"], weekdays=[5, 6],
                                      periods=["am"])  # fmt: skip
    services.volunteer_link_account(vol, user=cast.volunteer, actor=None)
    now = timezone.now()
    act = services_activity.activity_create(
        actor=cast.social_worker, title="陪伴独居老人", kind="company", division_code=VILLAGE_A, place="合一村文化礼堂",
        lat=HALL[0], lng=HALL[1], starts_at=now - dt.timedelta(hours=3), ends_at=now + dt.timedelta(hours=1),
        timebank=True, station=station,
    )  # fmt: skip
    return World(station, vol, spouse, son, act)


def served(world: World, cast: Any, minutes: int = 120) -> Attendance:
    """The volunteer signed in at the start and out `minutes` later (phone times), not yet confirmed."""
    act = world.activity
    att = services_activity.sign_in(actor=cast.volunteer, volunteer=world.volunteer, activity=act, lat=NEAR[0],
                                    lng=NEAR[1], client_at=act.starts_at)  # fmt: skip
    return services_activity.sign_out(actor=cast.volunteer, attendance=att, lat=HALL[0], lng=HALL[1],
                                      client_at=act.starts_at + dt.timedelta(minutes=minutes))  # fmt: skip
