"""地名: what the demo county gets (called by minzheng.demo.build).

Made through the real services by the demo 地名办 account (`diming`) and the county approver (`xian`):
every village and community of the demo town as a 居民点 name, a dozen roads named after them with a
sign each (three found damaged, missing or faded: the 待办), one road renamed (its 曾用名), four
applications at different steps (one 标准地名使用验收 due tomorrow), and standard addresses for the
demo village's first households. Idempotent: nothing is added when the register already holds names.
"""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.divisions import codes
from minzheng.divisions.models import Division
from minzheng.placenames import services
from minzheng.placenames.models import Category, PlaceName
from minzheng.placenames.romanise import split
from minzheng.registry.models import Household

APPLICANT = "瞻岐镇人民政府"


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    step("地名：村（社区）与道路名称、地名标志、命名更名申请与标准地址")
    users = {u.username: u for u in User.objects.filter(username__in=("diming", "xian", "cun"))}
    if len(users) != 3 or PlaceName.objects.exists():
        return
    officer, approver = users["diming"], users["xian"]
    town = codes.significant(users["cun"].jurisdiction)[:9]
    villages = list(Division.objects.filter(level=codes.VILLAGE, code__startswith=town).order_by("code"))
    for v in villages:
        services.place_register(
            services.NameData(v.name, Category.RESIDENTIAL, v.code, f"{v.name}村（居）委会驻地"), actor=officer
        )
    roads = [_road(v, officer) for v in _distinct_specifics(villages)[:12]]
    _signs(roads, officer)
    services.place_rename(
        roads[-1],
        f"{split(roads[-1].name)[0]}大道",
        approval_no="鄞政地〔2025〕12号",
        reason="道路拓宽改造，原名称与实际不符（条例第十条）",
        actor=officer,
    )
    _applications(villages[0].code, roads, officer, approver)
    _addresses(users["cun"].jurisdiction, roads[0], officer)


def _distinct_specifics(villages: list[Division]) -> list[Division]:
    """One village per 专名 (卢一村 and 卢一社区 would both give 卢一路: one county, one name)."""
    seen: dict[str, Division] = {}
    for v in villages:
        seen.setdefault(split(v.name)[0], v)
    return list(seen.values())


def _road(village: Division, officer: User) -> PlaceName:
    specific = split(village.name)[0]
    data = services.NameData(f"{specific}路", Category.ROAD, village.code, f"贯穿{village.name}，东西走向")
    data.approved_by, data.approved_on, data.approval_no = (
        "鄞州区人民政府",
        timezone.localdate().replace(month=1, day=5),
        "鄞政地〔2024〕3号",
    )
    return services.place_register(data, actor=officer)


def _signs(roads: list[PlaceName], officer: User) -> None:
    found = {0: ("damaged", "立柱被车辆撞弯"), 1: ("missing", "路口标志牌缺失"), 2: ("faded", "字迹褪色")}
    for i, road in enumerate(roads):
        sign = services.sign_create(
            road,
            kind="路牌",
            location_text=f"{road.name}与镇区主路交叉口",
            actor=officer,
            installed_on=timezone.localdate().replace(month=3, day=1),
        )
        condition, note = found.get(i, ("good", ""))
        services.sign_check(sign, condition=condition, note=note, actor=officer)


def _applications(village: str, roads: list[PlaceName], officer: User, approver: User) -> None:
    def receive(kind: str, name: str, category: str, place: PlaceName | None = None) -> Any:
        data = services.ApplicationData(
            kind, name, category, village, APPLICANT, "镇区新建片区", "新区建设需要命名", place
        )
        return services.application_receive(data, actor=officer)

    receive("name", "滨海新路", Category.ROAD)  # just received
    reviewing = receive("name", "海晏桥", Category.BRIDGE)
    services.application_move(reviewing, "review", actor=officer)
    done = receive("name", "观海路", Category.ROAD)
    services.application_move(done, "review", actor=officer)
    services.application_move(
        done,
        "publicity",
        actor=officer,
        fields={"expert_opinion": "名称寓意良好，无重名同音", "publicity_until": timezone.localdate()},
    )
    services.application_move(done, "approval", actor=officer)
    services.application_move(done, "approved", actor=approver, fields={"approval_no": "鄞政地〔2026〕8号"})
    services.application_move(done, "announced", actor=officer)
    estate = services.place_register(
        services.NameData("海韵花园", Category.ESTATE, village, "镇区北侧住宅小区"), actor=officer
    )
    receive("use", estate.name, Category.ESTATE, estate)  # due in one working day


def _addresses(village: str, road: PlaceName, officer: User) -> None:
    for n, household in enumerate(Household.objects.filter(division_id=village.ljust(12, "0")).order_by("pk")[:20], 1):
        services.address_set(household, road, f"{n * 2}号", actor=officer)
