"""Builders shared by this app's tests and the browser test: a small care world in 瞻岐镇合一村.

Real rows through the real services: the parameters file through `params_import`, the catalogue
file, one provider serving 瞻岐镇, two caregivers (the cast's `huli` account is 胡理), an elder.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from minzheng.core.idnumber import check_digit
from minzheng.eldercare import services
from minzheng.eldercare.models import Caregiver, Elder, ElderStatus, Provider
from minzheng.registry.services import household_create, person_create
from minzheng.testing import TOWN_A, VILLAGE_A

HOME = (29.7700, 121.8000)  # the elder's registered address (瞻岐镇, approximately)
NEAR = (29.7790, 121.8000)  # about 1 km north
# GB/T 42195 items all at their maxima except a few: total 56 → 中度失能 (level 2).
MODERATE_ITEMS = {
    "进食": 3, "修饰": 2, "洗澡": 1, "穿/脱上衣": 2, "穿/脱裤子和鞋袜": 2, "小便控制": 3, "大便控制": 3, "如厕": 2,
    "床上体位转移": 3, "床椅转移": 2, "平地行走": 2, "上下楼梯": 1,
    "时间定向": 3, "空间定向": 3, "人物定向": 4, "记忆": 2, "理解能力": 3, "表达能力": 3,
    "攻击行为": 1, "抑郁症状": 1, "意识水平": 2,
    "视力": 2, "听力": 1, "执行日常事务": 2, "使用交通工具外出": 1, "社会交往能力": 2,
}  # fmt: skip


def id_number(birth: str, serial: str) -> str:
    first17 = f"330212{birth}{serial}"
    return first17 + check_digit(first17)


def load_params() -> None:
    services.params_load(actor=None)


@dataclass
class CareWorld:
    elder: Elder
    provider: Provider
    caregiver: Caregiver  # 胡理, linked to the cast's caregiver account, 养老护理员
    nurse: Caregiver  # 钱护士, no account, 护士 + 养老护理员


def make_elder(
    name: str = "周阿婆",
    *,
    household_no: str = "YL-0001",
    division: str = VILLAGE_A,
    birth: str = "19440305",
    serial: str = "402",
    status: str = ElderStatus.DIBAO,
    phone: str = "13800570001",
    location: tuple[float, float] | None = HOME,
) -> Elder:
    household = household_create(actor=None, household_no=household_no, division_code=division, grid="第二网格")
    person = person_create(
        actor=None, household=household, name=name, id_number=id_number(birth, serial), relation="户主", phone=phone
    )
    return services.elder_enrol(
        actor=None,
        person=person,
        status=status,
        address="合一村 第二网格 8号",
        lat=location[0] if location else None,
        lng=location[1] if location else None,
        emergency_contacts=[{"name": "周建华", "relation": "子", "phone": "13905740002"}],
    )


def make_care_world(cast: Any) -> CareWorld:
    load_params()
    services.catalogue_load(actor=None)
    provider = services.provider_create(
        actor=None, name="瞻岐镇颐家居家养老服务中心", division_code=TOWN_A, service_area=[TOWN_A]
    )
    provider.staff.add(cast.provider)
    weekdays = list(range(7))
    caregiver = services.caregiver_create(
        actor=None,
        provider=provider,
        name="胡理",
        home_lat=NEAR[0],
        home_lng=NEAR[1],
        user=cast.caregiver,
        qualifications=["care_worker"],
        work_start=dt.time(7, 0),
        work_end=dt.time(20, 0),
        work_days=weekdays,
    )
    nurse = services.caregiver_create(
        actor=None,
        provider=provider,
        name="钱护士",
        home_lat=NEAR[0] + 0.01,
        home_lng=NEAR[1],
        qualifications=["care_worker", "nurse"],
        work_start=dt.time(7, 0),
        work_end=dt.time(20, 0),
        work_days=weekdays,
    )
    elder = make_elder()
    services.assessment_record(
        actor=cast.village_worker,
        elder=elder,
        items=MODERATE_ITEMS,
        assessed_on=dt.date(2026, 1, 5),
        assessor_name="王村",
    )
    elder.refresh_from_db()
    return CareWorld(elder, provider, caregiver, nurse)
