"""Test support shared by every app: the named cast and small builders.

Used by conftest.py. Lives in the package (not tests/) so each app's tests
and the browser test share one cast.
"""

from __future__ import annotations

import csv
import gzip
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from minzheng.accounts.models import User
from minzheng.accounts.services import user_create
from minzheng.accounts.units import DEPARTMENT_UNIT, INSTITUTION_CODE, ORG_CREDIT_CODE
from minzheng.divisions.services import BUILTIN, divisions_upsert
from minzheng.registry.models import Household, Person
from minzheng.registry.services import household_create, person_create

PASSWORD = "Minzheng#2026"
COUNTY = "330212"  # 浙江省宁波市鄞州区
TOWN_A = "330212100"  # 瞻岐镇
TOWN_B = "330212101"  # 咸祥镇
VILLAGE_A = "330212100201"  # 瞻岐镇合一村
VILLAGE_A2 = "330212100206"  # 瞻岐镇南一村


@cache
def _county_divisions() -> dict[str, str]:
    with gzip.open(BUILTIN, "rt", encoding="utf-8") as fh:
        rows = csv.reader(fh)
        next(rows)
        wanted = ("330000000000", "330200000000")
        return {c: n for c, n in rows if c.startswith(COUNTY) or c in wanted}


def load_test_divisions() -> None:
    """浙江省 → 宁波市 → 鄞州区 and everything under it (about 430 rows)."""
    divisions_upsert(_county_divisions())


@dataclass
class Cast:
    """One user per role, plus a town officer of a neighbouring town (no access to town A)."""

    village_worker: User  # 合一村 村务工作者 王村
    town_officer: User  # 瞻岐镇 民政办 李镇
    other_town_officer: User  # 咸祥镇 民政办 赵咸
    county_approver: User
    verification_center: User
    provider: User
    caregiver: User
    hotline_operator: User
    child_director: User  # 合一村 儿童主任 周童
    child_supervisor: User  # 瞻岐镇 儿童督导员 吴督
    rescue_staff: User  # 鄞州区救助管理站 郑站
    department_staff: User  # 一件事 协办部门: 区人力社保局 (unit "hrss") 孙社
    funeral_officer: User  # 区殡葬管理所 殷葬
    marriage_registrar: User  # 区婚姻登记处 洪姻
    socialorg_officer: User  # 区民政局社会组织科 邵组
    org_account: User  # 一家社会组织自己的账号 (unit = ORG_CREDIT_CODE)
    placename_officer: User  # 区地名办 狄名
    institution_operator: User  # 一家养老机构 (unit = INSTITUTION_CODE) 杨老
    social_worker: User  # 瞻岐镇社工站 佘工
    volunteer: User  # 合一村 志愿者 智愿
    disaster_officer: User  # 区减灾救灾科 翟害
    sysadmin: User
    auditor: User


CAST_SPEC = {
    "village_worker": ("wangcun", "village_worker", VILLAGE_A, "王村"),
    "town_officer": ("lizhen", "town_officer", TOWN_A, "李镇"),
    "other_town_officer": ("zhaoxian", "town_officer", TOWN_B, "赵咸"),
    "county_approver": ("chenxian", "county_approver", COUNTY, "陈县"),
    "verification_center": ("hedui", "verification_center", COUNTY, "何对"),
    "provider": ("fuwu", "provider", COUNTY, "傅务"),
    "caregiver": ("huli", "caregiver", COUNTY, "胡理"),
    "hotline_operator": ("rexian", "hotline_operator", COUNTY, "任线"),
    "child_director": ("zhoutong", "child_director", VILLAGE_A, "周童"),
    "child_supervisor": ("wudu", "child_supervisor", TOWN_A, "吴督"),
    "rescue_staff": ("zhengzhan", "rescue_staff", COUNTY, "郑站"),
    "department_staff": ("sunshe", "department_staff", COUNTY, "孙社"),
    "funeral_officer": ("yinzang", "funeral_officer", COUNTY, "殷葬"),
    "marriage_registrar": ("hongyin", "marriage_registrar", COUNTY, "洪姻"),
    "socialorg_officer": ("shaozu", "socialorg_officer", COUNTY, "邵组"),
    "org_account": ("zuzhi", "org_account", COUNTY, "公益服务中心"),
    "placename_officer": ("diming", "placename_officer", COUNTY, "狄名"),
    "institution_operator": ("yanglao", "institution_operator", COUNTY, "杨老"),
    "social_worker": ("shegong", "social_worker", TOWN_A, "佘工"),
    "volunteer": ("zhiyuan", "volunteer", VILLAGE_A, "智愿"),
    "disaster_officer": ("zhaihai", "disaster_officer", COUNTY, "翟害"),
    "sysadmin": ("guanli", "sysadmin", COUNTY, "关理"),
    "auditor": ("shenji", "auditor", COUNTY, "沈计"),
}


# The body a unit-bound cast member acts for; each app's tests create the body with this code.
CAST_UNITS = {
    "department_staff": DEPARTMENT_UNIT,
    "org_account": ORG_CREDIT_CODE,
    "institution_operator": INSTITUTION_CODE,
}


def make_cast() -> Cast:
    users = {
        key: user_create(
            actor=None,
            username=u,
            role=r,
            jurisdiction=j,
            password=PASSWORD,
            display_name=n,
            unit=CAST_UNITS.get(key, ""),
        )
        for key, (u, r, j, n) in CAST_SPEC.items()
    }
    return Cast(**users)


def make_household(household_no: str = "HQ-0001", division: str = VILLAGE_A) -> tuple[Household, list[Person]]:
    """A family of three in 合一村: 户主 张建国, 配偶 李秀英, 子 张小明 (留守儿童)."""
    household = household_create(
        actor=None,
        household_no=household_no,
        division_code=division,
        grid="第一网格",
        building="3",
        unit="1",
        room="201",
    )
    people = [
        person_create(
            actor=None,
            household=household,
            name="张建国",
            id_number="330212197803154412",
            relation="户主",
            phone="13805741234",
        ),
        person_create(
            actor=None,
            household=household,
            name="李秀英",
            id_number="330212198004226023",
            relation="配偶",
            phone="13905745678",
            tags="残疾:肢体二级",
        ),
        person_create(
            actor=None,
            household=household,
            name="张小明",
            id_number="330212201509103218",
            relation="子",
            tags="留守儿童",
        ),
    ]
    return household, people


def nav_go(page: Any, label: str) -> None:
    """In a browser test: follow the top bar's entry `label` as a user does, opening its menu first
    when it sits in one (a group of several entries is a closed details/summary menu)."""
    exact = re.compile(f"^{re.escape(label)}$")
    link = page.locator("nav a").filter(has_text=exact).first
    # `has=` is matched inside each menu, so its locator must not start from the page's nav.
    menu = page.locator("nav details.navmenu").filter(has=page.locator("a").filter(has_text=exact))
    if menu.count() and not link.is_visible():
        menu.first.locator("summary").click()
    link.click()
