"""One demo account per role, printed when the demo starts."""

from __future__ import annotations

from dataclasses import dataclass

from minzheng.accounts.models import Role
from minzheng.accounts.services import token_issue, user_create
from minzheng.accounts.units import DEPARTMENT_UNIT, INSTITUTION_CODE, ORG_CREDIT_CODE
from minzheng.divisions import codes
from minzheng.divisions.models import Division
from minzheng.divisions.selectors import division_path

DEMO_PASSWORD = "Minzheng@2026"
# The body a unit-bound demo account acts for: the same codes as the test cast, and each app's demo
# step creates that body (lifeevents the department, socialorgs the organisation, institutions the home).
DEMO_UNITS = {"bumen": DEPARTMENT_UNIT, "zuzhi": ORG_CREDIT_CODE, "yanglao": INSTITUTION_CODE}


@dataclass
class DemoAccount:
    username: str
    role_label: str
    jurisdiction: str
    jurisdiction_name: str  # from the county down, e.g. 鄞州区瞻岐镇合一村
    display_name: str
    token: str


def _first(level: int, prefix: str) -> Division:
    return Division.objects.filter(level=level, code__startswith=prefix).order_by("code").first()  # type: ignore[return-value]


def demo_scopes(county: str) -> tuple[Division, Division]:
    """The demo 村 worker's village and 乡镇 officer's town: the county's first town and its first village."""
    town = _first(codes.TOWN, county)
    return town, _first(codes.VILLAGE, codes.significant(town.code))


def demo_accounts_create(county: str) -> list[DemoAccount]:
    """村 worker on the county's first town's first village; 乡镇 on that town; the rest county-wide."""
    town, village = demo_scopes(county)
    county_div = Division.objects.get(code=county.ljust(12, "0"))
    scopes = {Role.VILLAGE_WORKER: village, Role.TOWN_OFFICER: town}
    scopes.update({Role.CHILD_DIRECTOR: village, Role.CHILD_SUPERVISOR: town})  # childvisits: 儿童主任, 儿童督导员
    scopes.update({Role.SOCIAL_WORKER: town, Role.VOLUNTEER: village})  # 社工站 per town; a village volunteer
    spec = [
        ("cun", Role.VILLAGE_WORKER, "王网格"),
        ("zhen", Role.TOWN_OFFICER, "李受理"),
        ("xian", Role.COUNTY_APPROVER, "陈审批"),
        ("hedui", Role.VERIFICATION_CENTER, "何核对"),
        ("fuwu", Role.PROVIDER, "傅服务"),
        ("huli", Role.CAREGIVER, "胡护理"),
        ("rexian", Role.HOTLINE_OPERATOR, "任坐席"),
        ("ertong", Role.CHILD_DIRECTOR, "周儿童"),  # childvisits
        ("dudao", Role.CHILD_SUPERVISOR, "吴督导"),  # childvisits
        ("jiuzhu", Role.RESCUE_STAFF, "郑救助"),
        ("bumen", Role.DEPARTMENT_STAFF, "孙人社"),
        ("binzang", Role.FUNERAL_OFFICER, "殷殡葬"),
        ("hunyin", Role.MARRIAGE_REGISTRAR, "洪登记"),
        ("shezu", Role.SOCIALORG_OFFICER, "邵社组"),
        ("zuzhi", Role.ORG_ACCOUNT, "鄞州区公益服务中心"),
        ("diming", Role.PLACENAME_OFFICER, "狄地名"),
        ("yanglao", Role.INSTITUTION_OPERATOR, "杨院长"),
        ("shegong", Role.SOCIAL_WORKER, "佘社工"),
        ("zhiyuan", Role.VOLUNTEER, "智志愿"),
        ("zaihai", Role.DISASTER_OFFICER, "翟减灾"),
        ("admin", Role.SYSADMIN, "关管理"),
        ("shenji", Role.AUDITOR, "沈审计"),
    ]
    accounts = []
    for username, role, display in spec:
        division = scopes.get(role, county_div)
        user = user_create(
            actor=None,
            username=username,
            role=role,
            jurisdiction=codes.significant(division.code),
            password=DEMO_PASSWORD,
            display_name=display,
            unit=DEMO_UNITS.get(username, ""),
        )
        accounts.append(
            DemoAccount(
                username,
                role.label,
                user.jurisdiction,
                "".join(d.name for d in division_path(division.code) if d.level >= codes.COUNTY),
                display,
                token_issue(actor=None, user=user, label="demo"),
            )
        )
    return accounts
