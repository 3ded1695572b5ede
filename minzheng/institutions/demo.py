"""养老机构: what the demo county gets (called by minzheng.demo.build after eldercare and payments).

Through the real services: the institution of the demo operator account (`yanglao`, code
INSTITUTION_CODE, 公建民营) in the demo village with beds by care level, its 对公账户, a dozen
residents with their assessed levels (one 特困 person in 集中供养, paid into the institution's account
from the next payroll; one discharged last month), last month's operating subsidy sheet (待审核), a
rating about to expire (its 待办), a fire inspection with an overdue major finding (its 待办); a second,
private institution in another town with a current rating and a passed service inspection; and
幸福院 / 日间照料中心 / a located 助餐点 in the demo town so the service-circle page shows villages
inside and outside. Idempotent: nothing is added when the institution exists. About sixty writes.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.accounts.units import INSTITUTION_CODE
from minzheng.core.dates import add_months, first_of
from minzheng.divisions.models import Division
from minzheng.institutions import items, services, subsidy
from minzheng.institutions import services_quality as quality
from minzheng.institutions.models import Facility, Institution, Resident
from minzheng.institutions.services_facilities import facility_save
from minzheng.payments.models import Entitlement, Status
from minzheng.registry.models import Person

BEDS_A = {"0": 10, "1": 8, "2": 8, "3": 6, "4": 4}
BEDS_B = {"0": 20, "1": 10, "2": 6, "3": 4, "4": 2}
SCORES = {"environment": 105, "facilities": 112, "management": 128, "service": 480}  # 825 → 4 级


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _institution(code: str, name: str, kind: str, village: str, beds: dict[str, int]) -> Institution:
    from minzheng.eldercare.demo import place_of

    lat, lng = place_of(village)
    data = services.InstitutionData(
        code=code, name=name, kind=kind, operator="康乐养老服务有限公司" if kind == "ppp" else "颐和养老服务有限公司",
        division_code=village, filing_no=f"养老备案-{code[-6:]}", address=f"{name}（演示地址）", phone="0574-88000000",
        lat=round(lat + 0.002, 6), lng=round(lng - 0.002, 6), beds=beds, medical=kind == "ppp",
        opened_on=_ago(365 * 6),
    )  # fmt: skip
    return services.institution_save(data, actor=None)


def _level_of(person: Person, rnd: random.Random) -> int:
    from minzheng.eldercare.models import Elder

    level = Elder.objects.filter(person=person).values_list("ability_level", flat=True).first()
    return int(level) if level is not None else rnd.choice([0, 0, 1, 2, 3, 4])


def _candidates(county: str, n: int, exclude: set[int]) -> list[Person]:
    born = _ago(365 * 75)
    qs = Person.objects.filter(division_code__startswith=county, birth_date__lte=born).exclude(pk__in=exclude)
    return list(qs.order_by("birth_date", "pk")[:n])


def _residents(inst: Institution, operator: User, county: str, rnd: random.Random) -> None:
    tekun = (
        Entitlement.objects.filter(programme="tekun", status=Status.ACTIVE, division_code__startswith=county)
        .filter(person__birth_date__lte=_ago(365 * 61))
        .select_related("person")
        .order_by("pk")
        .first()
    )
    taken: set[int] = set()
    if tekun is not None and tekun.person is not None:
        level = min(_level_of(tekun.person, rnd), 3)
        data = services.Admission(
            person=tekun.person, admitted_on=_ago(75), supply=Resident.Supply.TEKUN, care_level=level,
            level_assessed_on=_ago(80), agreement_no="供养-001", bed_no="101-1",
        )  # fmt: skip
        services.admit(inst, data, actor=operator)
        taken.add(tekun.person.pk)
    for k, person in enumerate(_candidates(county, 11, taken)):
        level = _level_of(person, rnd)
        held = inst.residents.filter(care_level=level, discharged_on__isnull=True).count()
        if held >= inst.beds_at(level):
            continue
        days = 40 + 30 * k
        data = services.Admission(person=person, admitted_on=_ago(days), care_level=level,
                                  level_assessed_on=_ago(days + 5), agreement_no=f"HT-{k + 1:03d}",
                                  bed_no=f"{2 + k // 4}0{k % 4 + 1}-1")  # fmt: skip
        row = services.admit(inst, data, actor=operator)
        if k == 1:  # went home last month
            services.discharge(row, on=_ago(timezone.localdate().day + 10), reason="home", actor=operator)


def _quality(a: Institution, b: Institution, county_user: User, town_user: User) -> None:
    today = timezone.localdate()
    three_years = today.replace(year=today.year - 3) + dt.timedelta(days=20)  # ends in 19 days: on the 待办
    quality.rating_record(a, visited_on=three_years, assessors="陈审批、区养老服务指导中心 何评估", scores=SCORES,
                          prerequisites_met=True, actor=county_user)  # fmt: skip
    quality.rating_record(b, visited_on=_ago(200), assessors="陈审批、何评估",
                          scores={**SCORES, "service": 360}, prerequisites_met=True, actor=county_user)  # fmt: skip
    fire = quality.inspection_plan(a, kind="fire", planned_on=_ago(20), actor=town_user)
    quality.inspection_record(
        fire, inspected_on=_ago(20), inspectors="李受理、镇消防工作站 王安全", summary="发现消防隐患，责令限期整改",
        findings=[quality.FindingInput("二楼疏散通道堆放杂物", "major"),
                  quality.FindingInput("灭火器 2 具压力不足", "general")],
        actor=town_user,
    )  # fmt: skip
    service = quality.inspection_plan(b, kind="service", planned_on=_ago(30), actor=county_user)
    quality.inspection_record(service, inspected_on=_ago(30), inspectors="陈审批、何评估", summary="服务记录完整，合格",
                              findings=[], actor=county_user)  # fmt: skip


def _facilities(town: str, town_user: User) -> None:
    from minzheng.eldercare.demo import place_of
    from minzheng.meals.models import Canteen

    villages = list(
        Division.objects.filter(level=5, code__startswith=town).order_by("code").values_list("code", "name")
    )
    for k, (code, name) in enumerate(villages[::2][:6]):
        lat, lng = place_of(code)
        kind = Facility.Kind.DAY_CENTRE if k == 0 else Facility.Kind.HAPPINESS
        label = "日间照料中心" if k == 0 else "幸福院"
        facility_save({"name": f"{name}{label}", "kind": kind, "division_code": code, "address": f"{name}村委会旁",
                       "operator": f"{name}村（居）委会", "lat": lat, "lng": lng, "opened_on": _ago(900 - 100 * k),
                       "active": True}, actor=town_user)  # fmt: skip
    canteen = Canteen.objects.filter(division_code__startswith=town, active=True).order_by("pk").first()
    if canteen is not None and not Facility.objects.filter(canteen=canteen).exists():
        lat, lng = place_of(canteen.division_code)
        facility_save({"name": canteen.name, "kind": Facility.Kind.CANTEEN, "division_code": canteen.division_code,
                       "address": canteen.address, "operator": "", "lat": lat, "lng": lng, "opened_on": None,
                       "active": True, "canteen": canteen}, actor=town_user)  # fmt: skip


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    step("养老机构：机构、入住老人、集中供养、运营补贴、等级评定、检查与养老服务圈")
    if Institution.objects.filter(code=INSTITUTION_CODE).exists():
        return
    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in built.accounts])}
    if not {"xian", "zhen", "cun", "yanglao"} <= set(users):
        return
    rnd = random.Random(17)  # noqa: S311 - seeded demo data, not secrets
    county, town, village = users["xian"].jurisdiction, users["zhen"].jurisdiction, users["cun"].jurisdiction
    town_name = Division.objects.filter(code=town.ljust(12, "0")).values_list("name", flat=True).first() or ""
    a = _institution(INSTITUTION_CODE, f"{town_name}中心颐养院", "ppp", village, BEDS_A)
    elsewhere = Division.objects.filter(level=5, code__startswith=county).exclude(code__startswith=town)
    b_village = elsewhere.order_by("code").values_list("code", flat=True).first() or village
    b = _institution(f"YL{county}002", "颐和养老院", "private", b_village, BEDS_B)
    services.institution_account_set(a, bank_code="NBCB", bank_name="宁波银行", account_no="81010000" + county,
                                     reason="演示：机构对公账户登记", actor=users["xian"])  # fmt: skip
    _residents(a, users["yanglao"], county, rnd)
    subsidy.build(a, add_months(first_of(timezone.localdate()), -1), actor=users["xian"])
    _quality(a, b, users["xian"], users["zhen"])
    _facilities(town, users["zhen"])
    items.refresh_items()
