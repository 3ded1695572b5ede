"""The shell around every page: navigation by role, home page, htmx, vendored assets, errors."""

from __future__ import annotations

import re
from pathlib import Path

import django_htmx
import pytest
from django.conf import settings
from django.test import Client

from minzheng.accounts.models import User
from minzheng.dashboard.access import VIEWERS as DASHBOARD_VIEWERS
from minzheng.testing import Cast

VENDOR = Path(settings.BASE_DIR) / "static" / "minzheng" / "vendor"


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def nav_entries(html: str) -> list[str]:
    nav = re.search(r'<nav class="nav">(.*?)</nav>', html, re.S)
    return re.findall(r">([^<>]+)</a>", nav.group(1)) if nav else []


REGISTRY = ["居民查询", "数据导入"]
CARE_COUNTY = ["居家养老", "服务订单", "服务商", "服务监管", "养老结算", "紧急呼叫", "老年助餐"]
CARE_ADMIN = ["居家养老", "服务订单", "服务商", "紧急呼叫", "老年助餐"]
CARE_TOWN = ["居家养老", "服务订单", "派单计划", "服务商", "服务监管", "紧急呼叫", "老年助餐"]
# 办事: everyone's 待办 and messages; the window for village and town; cases for those who read them.
DESK = ["我的待办", "消息"]
PAY = ["待遇名册", "发放批次", "追回台账"]
WINDOW = [*DESK, "全科受理", "救助案件"]
RESCUE = ["救助台账", "回访到期"]  # 救助管理: the ledgers and due follow-ups, for the station and the contacts
SOCIALORGS = ["社会组织", "年报", "双随机抽查", "打非线索", "公益创投"]  # the county office, approver, auditor
GOVERNANCE = ["议事协商", "阳光报告会", "信用+", "人民调解", "社区建设"]  # 基层治理: village, town, county reads
VOLUNTEERS = ["社工站与志愿服务", "志愿者", "志愿服务活动", "时间银行"]  # 社工与志愿服务 (volunteers)
DISASTER = ["灾害事件", "预警叫应"]  # 灾害救助 (disaster): events and warning calls of the area
FUNERAL = ["火化与安葬", "公墓与墓位"]  # 殡葬 (funeral): the funeral officer's records and cemeteries
INSTITUTIONS = ["养老机构", "养老服务圈"]  # 养老机构 (institutions): the list and the service circle
LIFE = ["一件事受理", "一件事台账", "部门事项"]  # 一件事 (lifeevents): the window, the ledger, the town's items
PLACES = ["地名", "地名标志"]  # 地名 (placenames): the register and its signs, for field staff


@pytest.mark.parametrize(
    ("who", "entries"),
    [
        (
            "village_worker",
            [
                *REGISTRY,
                *WINDOW,
                *PAY,
                "核对工作清单",
                "应享未享",
                "政策参数",
                "居家养老",
                "服务订单",
                "紧急呼叫",
                "老年助餐",
                *RESCUE,
                *VOLUNTEERS,
                *DISASTER,
                *GOVERNANCE,
                "殡葬协理员",  # funeral: the village's assistant
                *LIFE,
                *PLACES,
            ],
        ),
        (
            "town_officer",
            [
                *REGISTRY,
                *WINDOW,
                *PAY,
                "核对工作清单",
                "应享未享",
                "政策参数",
                "儿童档案",
                "儿童走访统计",
                *CARE_TOWN,
                *INSTITUTIONS,
                *RESCUE,
                *VOLUNTEERS,
                *DISASTER,
                *GOVERNANCE,
                "坟墓整治台账",  # funeral: the town's clean-up ledger
                "殡葬协理员",
                *LIFE,
                *PLACES,
            ],
        ),
        (
            "county_approver",
            [
                "居民查询",
                *DESK,
                "救助案件",
                *PAY,
                "核对工作清单",
                "批量复核",
                "应享未享",
                "政策参数",
                "政策测算",
                "儿童档案",
                "儿童走访统计",
                *CARE_COUNTY,
                *INSTITUTIONS,
                *VOLUNTEERS,
                *DISASTER,
                *SOCIALORGS,
                *GOVERNANCE,
                "一件事台账",
                "地名",
                "地名申请",  # placenames: the approver records approvals
            ],
        ),
        ("placename_officer", [*DESK, "地名", "地名申请", "地名标志"]),
        ("verification_center", ["居民查询", *DESK, "匹配复核", "核对工作清单", "批量复核", "部门数据"]),
        ("provider", [*DESK, "服务订单", "派单计划", "服务商", "养老结算", "老年助餐"]),
        ("hotline_operator", ["居民查询", *DESK, "12349 热线", "居家养老", "服务订单", "紧急呼叫", "老年助餐"]),
        ("caregiver", [*DESK, "我的上门服务"]),
        ("rescue_staff", [*DESK, "站内救助", *RESCUE]),
        ("child_director", [*DESK, "儿童档案", "儿童走访", "走访统计"]),  # childvisits: the phone plan
        ("child_supervisor", [*DESK, "儿童档案", "儿童走访", "走访统计"]),  # childvisits
        (
            "auditor",
            [
                "救助案件",
                *PAY,
                "儿童档案",
                "儿童走访统计",
                *INSTITUTIONS,
                *VOLUNTEERS,
                *SOCIALORGS,
                *GOVERNANCE,
                "审计日志",
            ],
        ),
        ("social_worker", [*DESK, *VOLUNTEERS]),  # volunteers: the town's station
        ("volunteer", [*DESK, "我的志愿服务"]),  # volunteers: the phone pages
        ("disaster_officer", [*DESK, *DISASTER, "救灾物资"]),  # disaster: the county office
        ("funeral_officer", [*DESK, *FUNERAL, "坟墓整治台账", "殡葬协理员", "一件事台账", "部门事项"]),  # funeral
        ("marriage_registrar", [*DESK, "登记预约", "婚姻登记记录", "收养登记"]),  # marriage: the registry office
        ("institution_operator", [*DESK, "本机构"]),  # institutions: its own institution only
        (
            "sysadmin",
            [
                *REGISTRY,
                *DESK,
                "救助案件",
                "节假日安排",
                "部门数据",
                "应享未享",
                "政策参数",
                "政策测算",
                *CARE_ADMIN,
                "审计日志",
                "账号管理",
            ],
        ),
    ],
)
def test_nav_shows_only_what_the_role_may_use(cast: Cast, who: str, entries: list[str]) -> None:
    html = client_for(getattr(cast, who)).get("/").content.decode()
    if getattr(cast, who).role in DASHBOARD_VIEWERS:  # 民政大脑 (dashboard): the last app group, before 系统
        system = [e for e in entries if e in ("审计日志", "账号管理")]
        entries = [e for e in entries if e not in system] + ["民政大脑", "大屏"] + system
    assert nav_entries(html) == entries


def test_home_shows_name_role_and_jurisdiction(cast: Cast) -> None:
    html = client_for(cast.village_worker).get("/").content.decode()
    assert "<span>王村 · 村（社区）工作人员</span>" in html
    assert "<h1>浙江省宁波市鄞州区瞻岐镇合一村</h1>" in html
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html


def test_home_for_a_role_without_the_registry(cast: Cast) -> None:
    html = client_for(cast.caregiver).get("/").content.decode()
    assert "<h1>浙江省宁波市鄞州区</h1>" in html
    assert "您的角色（护理员）不使用居民台账。" in html
    assert "居民（人）" not in html


def test_anonymous_is_sent_to_login(db: None) -> None:
    response = Client().get("/registry/", {"q": "张"})
    expected = "/accounts/login/?next=/registry/%3Fq%3D%25E5%25BC%25A0"
    assert (response.status_code, response["Location"]) == (302, expected)


def test_anonymous_htmx_request_redirects_the_whole_page(db: None) -> None:
    """An idled-out session must not swap the login form into a polled fragment."""
    response = Client().get("/jobs/7/", HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/jobs/7/")
    assert (response.status_code, response["HX-Redirect"]) == (200, "/accounts/login/?next=%2Fjobs%2F7%2F")


def test_not_found_page_is_chinese(cast: Cast) -> None:
    response = client_for(cast.town_officer).get("/no-such-page/")
    assert response.status_code == 404
    assert "页面或对象不存在，或不在您的管辖范围内。" in response.content.decode()


def test_vendored_htmx_is_the_recorded_version() -> None:
    """The vendored file is django-htmx's own copy; upgrading django-htmx means copying it again."""
    vendored = (VENDOR / "htmx-2.0.10.min.js").read_bytes()
    assert b'version:"2.0.10"' in vendored
    assert vendored == (Path(django_htmx.__file__).parent / "static" / "django_htmx" / "htmx-2.min.js").read_bytes()
    assert "htmx 2.0.10" in (VENDOR / "README.txt").read_text(encoding="utf-8")


def test_nav_groups_each_apps_entries(cast: Cast) -> None:
    """A group of several entries is a menu; a group of one is its link; the page's own menu is marked."""
    html = client_for(cast.county_approver).get("/workitems/").content.decode()
    nav = html.split('<nav class="nav">')[1].split("</nav>")[0]
    menus = re.findall(r'<details class="navmenu"><summary(?: class="current")?>([^<]+)</summary>', nav)
    assert menus == [
        "办事",
        "待遇发放",
        "一键核对",
        "救助政策",
        "儿童福利",
        "养老服务",
        "社工与志愿服务",
        "灾害救助",
        "社会组织",
        "基层治理",
        "地名",
        "民政大脑",
    ]
    assert re.findall(r'<summary class="current">([^<]+)', nav) == ["办事"]  # 待办 is in 办事
    outside_menus = re.sub(r"<details.*?</details>", "", nav, flags=re.S)
    assert re.findall(r'<a href="(/[a-z]+)/', outside_menus) == ["/registry", "/lifeevents"]  # 一件事: one link
