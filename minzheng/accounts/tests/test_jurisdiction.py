"""Item 5: a jurisdiction is an existing division whose level fits the role (CLI, page, service)."""

from __future__ import annotations

import pytest
from django.test import Client
from typer.testing import CliRunner

from minzheng.accounts.models import User
from minzheng.accounts.services import AccountError, role_from_text, user_create, user_update
from minzheng.cli import app
from minzheng.testing import COUNTY, PASSWORD, TOWN_A, VILLAGE_A, Cast


def test_typo_3302120_is_refused_not_a_county(county: None) -> None:
    # The reported typo: 7 digits matched every code starting 3302120, i.e. most of 鄞州区.
    with pytest.raises(AccountError, match="管辖范围“3302120”应为区划代码"):
        user_create(actor=None, username="typo", role="town_officer", jurisdiction="3302120")
    assert not User.objects.filter(username="typo").exists()


def test_unknown_division_is_refused(county: None) -> None:
    with pytest.raises(AccountError, match="管辖范围“330212999”不是已有的区划代码：区划表中没有 330212999000"):
        user_create(actor=None, username="ghost", role="town_officer", jurisdiction="330212999")


def test_role_level_must_match_division_level(county: None) -> None:
    with pytest.raises(AccountError, match="是县级区划；乡镇（街道）民政办的管辖范围应为乡镇（街道）级区划代码"):
        user_create(actor=None, username="z", role="town_officer", jurisdiction=COUNTY)
    with pytest.raises(AccountError, match="村（社区）工作人员的管辖范围应为村（社区）级区划代码"):
        user_create(actor=None, username="c", role="village_worker", jurisdiction=TOWN_A)
    with pytest.raises(AccountError, match="县级审批的管辖范围应为县级区划代码"):
        user_create(actor=None, username="x", role="county_approver", jurisdiction=TOWN_A)
    # Roles without a fixed level may work at any existing level; a 12-digit code keeps its meaningful prefix.
    assert user_create(actor=None, username="h", role="auditor", jurisdiction="330212000000").jurisdiction == COUNTY
    assert (
        user_create(actor=None, username="t", role="town_officer", jurisdiction="330212100000").jurisdiction == TOWN_A
    )


def test_update_checks_jurisdiction_against_the_new_role(cast: Cast) -> None:
    with pytest.raises(AccountError, match="应为县级区划代码"):
        user_update(actor=cast.sysadmin, user=cast.town_officer, role="county_approver")
    with pytest.raises(AccountError, match="不是已有的区划代码"):
        user_update(actor=cast.sysadmin, user=cast.village_worker, jurisdiction="330212100299")
    cast.town_officer.refresh_from_db()
    assert (cast.town_officer.role, cast.town_officer.jurisdiction) == ("town_officer", TOWN_A)
    user_update(actor=cast.sysadmin, user=cast.village_worker, jurisdiction="330212100206")
    assert User.objects.get(pk=cast.village_worker.pk).jurisdiction == "330212100206"


def test_page_refuses_a_division_that_does_not_exist(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.sysadmin)
    form = {
        "username": "n1",
        "display_name": "新",
        "role": "town_officer",
        "jurisdiction": "3302120",
        "password": PASSWORD,
    }
    html = client.post("/accounts/users/", form).content.decode()
    assert "管辖范围“3302120”应为区划代码" in html
    edit = client.post(
        f"/accounts/users/{cast.village_worker.pk}/",
        {"display_name": "王村", "role": "village_worker", "jurisdiction": "330212100"},
    )
    assert edit.status_code == 400 and "村（社区）工作人员的管辖范围应为村（社区）级区划代码" in edit.content.decode()
    assert User.objects.get(pk=cast.village_worker.pk).jurisdiction == VILLAGE_A


def test_cli_refuses_typo_and_accepts_chinese_role_names(county: None) -> None:
    runner = CliRunner()
    out = runner.invoke(
        app, ["users", "create", "--username", "t1", "--role", "town_officer", "--jurisdiction", "3302120"]
    )
    assert out.exit_code == 1 and "管辖范围“3302120”应为区划代码" in out.output
    for n, role in enumerate(["乡镇(街道)民政办", "乡镇（街道）民政办", "乡镇（街道)民政办"]):
        out = runner.invoke(app, ["users", "create", "--username", f"z{n}", "--role", role, "--jurisdiction", TOWN_A])
        assert out.exit_code == 0, out.output
        assert User.objects.get(username=f"z{n}").role == "town_officer"
    out = runner.invoke(
        app, ["users", "create", "--username", "c1", "--role", "村（社区）工作人员", "--jurisdiction", VILLAGE_A]
    )
    assert out.exit_code == 0 and User.objects.get(username="c1").role == "village_worker"
    out = runner.invoke(app, ["users", "create", "--username", "b", "--role", "老板", "--jurisdiction", COUNTY])
    assert out.exit_code == 1 and "未知角色“老板”" in out.output and "town_officer（乡镇（街道）民政办）" in out.output


def test_every_role_name_from_the_readme_is_accepted() -> None:
    readme = "村（社区）工作人员 乡镇（街道）民政办 县级审批 核对中心 服务商 护理员 热线坐席 系统管理员 审计员"
    keys = [role_from_text(name) for name in readme.split()]
    assert keys == [
        "village_worker",
        "town_officer",
        "county_approver",
        "verification_center",
        "provider",
        "caregiver",
        "hotline_operator",
        "sysadmin",
        "auditor",
    ]
    assert role_from_text(" 村(社区)工作人员 ") == "village_worker"


def test_unit_bound_roles_name_their_body(cast: Cast) -> None:
    with pytest.raises(AccountError, match="协办部门账号须填写所属单位"):
        user_create(actor=None, username="bm1", role="department_staff", jurisdiction=COUNTY)
    with pytest.raises(AccountError, match="不是有效的统一社会信用代码"):
        user_create(actor=None, username="zz1", role="org_account", jurisdiction=COUNTY, unit="52330212MJ0000010A")
    org = user_create(actor=None, username="zz2", role="org_account", jurisdiction=COUNTY, unit="52330212mj0000010g")
    assert org.unit == "52330212MJ0000010G"
    worker = user_create(actor=None, username="cw1", role="village_worker", jurisdiction=VILLAGE_A, unit="x")
    assert worker.unit == ""  # a role without a body keeps none
    user_update(actor=None, user=org, role="institution_operator", unit="YL330212009")
    org.refresh_from_db()
    assert (org.role, org.unit) == ("institution_operator", "YL330212009")
