"""`minzheng demo` end to end: the build into the test database, and the real command in a subprocess."""

from __future__ import annotations

import csv
import datetime as dt
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from minzheng.accounts.models import ApiToken, Role, User
from minzheng.accounts.services import user_for_token
from minzheng.accounts.units import DEPARTMENT_UNIT, INSTITUTION_CODE, ORG_CREDIT_CODE
from minzheng.demo.accounts import DEMO_PASSWORD
from minzheng.demo.build import demo_build, demo_scopes
from minzheng.demo.feeds import HEADERS, feed_path
from minzheng.divisions import codes
from minzheng.divisions.models import Division
from minzheng.lifeevents.models import LifeEvent
from minzheng.registry.importing import residents_import
from minzheng.registry.models import Household, Person

AS_OF = dt.date(2026, 11, 1)

ROLES = {
    "cun": Role.VILLAGE_WORKER,
    "zhen": Role.TOWN_OFFICER,
    "xian": Role.COUNTY_APPROVER,
    "hedui": Role.VERIFICATION_CENTER,
    "fuwu": Role.PROVIDER,
    "huli": Role.CAREGIVER,
    "rexian": Role.HOTLINE_OPERATOR,
    "ertong": Role.CHILD_DIRECTOR,  # childvisits
    "dudao": Role.CHILD_SUPERVISOR,  # childvisits
    "jiuzhu": Role.RESCUE_STAFF,
    "bumen": Role.DEPARTMENT_STAFF,
    "binzang": Role.FUNERAL_OFFICER,
    "hunyin": Role.MARRIAGE_REGISTRAR,
    "shezu": Role.SOCIALORG_OFFICER,
    "zuzhi": Role.ORG_ACCOUNT,
    "diming": Role.PLACENAME_OFFICER,
    "yanglao": Role.INSTITUTION_OPERATOR,
    "shegong": Role.SOCIAL_WORKER,
    "zhiyuan": Role.VOLUNTEER,
    "zaihai": Role.DISASTER_OFFICER,
    "admin": Role.SYSADMIN,
    "shenji": Role.AUDITOR,
}


def test_demo_build_end_to_end(db: None) -> None:
    steps: list[str] = []
    built = demo_build(persons=2000, seed=3, county="330212", step=steps.append, as_of=AS_OF)
    assert steps == [
        "建表并载入行政区划",
        "生成 2000 名居民",
        "导入居民信息",
        "生成部门核对数据",
        "创建演示账号",
        # then each app's demo hook, in DEMO_EXTENSIONS order
        "导入部门核对数据",
        "身份匹配（部门数据 → 居民库）",
        "批量复核保障对象家庭",
        "导入政策参数",
        "批量资格判定（应享未享、不应享而享清单）",
        "居家养老：服务商、护理员、能力评估与一周订单",
        "一键通：终端与一起处置中的紧急呼叫",
        "老年助餐：助餐点、一周菜单与订餐",
        "社会救助：各环节的演示案件",
        "待遇发放：收款账户、三个月的发放与对账、死亡停发与追回",
        "救助管理：站内救助、护送返乡与两本台账的回访",
        "儿童福利：儿童档案（父母情形、监护人、在校）与规则判定的类别",  # children
        "儿童走访：走访计划、儿童主任走访记录、儿童保障案件",  # childvisits
        "养老机构：机构、入住老人、集中供养、运营补贴、等级评定、检查与养老服务圈",  # institutions
        "社工与志愿服务：社工站、社工、志愿者、活动签到与时间银行",  # volunteers
        "地名：村（社区）与道路名称、地名标志、命名更名申请与标准地址",  # placenames
        "基层治理：议事协商、阳光报告会问题台账、信用+、人民调解与社区建设",  # governance
        "社会组织：登记、年报、双随机抽查、评估等级、打非线索与公益创投",  # socialorgs
        "殡葬：火化数据关联、生态安葬奖励与惠民殡葬补贴发放、公墓墓位、坟墓整治、殡葬协理员",  # funeral
        "婚姻收养登记：结婚登记（婚育户一件事）、预约、离婚冷静期、收养登记",  # marriage
        "一件事：火化与户籍注销数据起草身后一件事、窗口受理、部门办理、低保家庭重算、出生与婚育户联办",  # lifeevents
        "灾害救助：台风事件、村灾情报送、过渡期生活救助发放、物资发放签收与预警叫应",  # disaster
        "民政大脑：计算各业务指标（按县、乡镇、村汇总）",  # dashboard (last)
    ]
    r = built.import_result
    assert (r.rows, r.accepted, r.rejected, r.created, r.rejects_file) == (2000, 2000, 0, 2000, None)
    # Every imported resident, plus the child the 出生一件事 demo added to its mother's 户.
    assert Person.objects.count() == 2000 + LifeEvent.objects.filter(kind="birth").count() == 2001
    with built.residents_file.open(encoding="utf-8-sig", newline="") as fh:
        assert Household.objects.count() == len({row["户编号"] for row in csv.DictReader(fh)})
    villages = set(
        Division.objects.filter(level=codes.VILLAGE, code__startswith="330212").values_list("code", flat=True)
    )
    assert set(Household.objects.values_list("division_id", flat=True)) <= villages
    assert all(feed_path(built.feeds_dir, f, AS_OF).exists() for f in HEADERS) and len(built.feeds) == 19


def test_demo_accounts_one_per_role_with_password_and_token(db: None) -> None:
    built = demo_build(persons=300, seed=3, county="330212", step=lambda _: None, as_of=AS_OF)
    town, village = demo_scopes("330212")
    users = {u.username: u for u in User.objects.all()}
    assert {name: u.role for name, u in users.items()} == ROLES
    assert users["cun"].jurisdiction == village.code
    assert users["zhen"].jurisdiction == town.code[:9]
    assert (users["ertong"].jurisdiction, users["dudao"].jurisdiction) == (village.code, town.code[:9])  # childvisits
    assert (users["shegong"].jurisdiction, users["zhiyuan"].jurisdiction) == (town.code[:9], village.code)
    local = ("cun", "zhen", "ertong", "dudao", "shegong", "zhiyuan")
    assert {users[n].jurisdiction for n in ROLES if n not in local} == {"330212"}
    assert {n: users[n].unit for n in ROLES if users[n].unit} == {
        "bumen": DEPARTMENT_UNIT,
        "zuzhi": ORG_CREDIT_CODE,
        "yanglao": INSTITUTION_CODE,
    }
    assert all(u.check_password(DEMO_PASSWORD) for u in users.values())
    assert ApiToken.objects.count() == len(ROLES)
    assert [(a.username, a.role_label) for a in built.accounts] == [(n, r.label) for n, r in ROLES.items()]
    assert all(user_for_token(a.token) == users[a.username] for a in built.accounts)
    cun = next(a for a in built.accounts if a.username == "cun")
    assert cun.jurisdiction_name == f"鄞州区{town.name}{village.name}"


def test_sample_with_bad_rows_belongs_to_the_village_worker(db: None) -> None:
    built = demo_build(persons=2000, seed=3, county="330212", step=lambda _: None, as_of=AS_OF)
    cun = User.objects.get(username="cun")
    sample = residents_import(path=built.sample_file, actor=cun)
    assert (sample.accepted, sample.rejected) == (sample.rows - 5, 5) and sample.accepted > 0
    assert sample.rejects_file
    with open(sample.rejects_file, encoding="utf-8-sig", newline="") as fh:
        rejected = [row["姓名"] for row in csv.DictReader(fh)]
    assert rejected == ["错号码", "未知区划", "无户主", "坏电话", "坏标签"]


def _run_demo(data_dir: Path, *args: str, database_url: str = "") -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["MINZHENG_DATA_DIR"] = str(data_dir)
    if database_url:
        env["DATABASE_URL"] = database_url
    # What the `minzheng` console script runs (`python -m minzheng.cli` would register commands twice).
    command = [sys.executable, "-c", "from minzheng.cli import main; main()", "demo", "--no-serve", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=300, check=False)


def test_the_command_wipes_its_own_sqlite_file_and_prints_the_accounts(tmp_path: Path) -> None:
    (tmp_path / "minzheng.sqlite3").write_bytes(b"an old demo, or garbage")  # must be replaced, not opened
    done = _run_demo(tmp_path, "--persons", "300", "--seed", "4")
    assert done.returncode == 0, done.stderr
    assert "居民：300 人已导入，拒收 0 行" in done.stdout
    assert all(name in done.stdout for name in ROLES) and DEMO_PASSWORD in done.stdout
    db = sqlite3.connect(tmp_path / "minzheng.sqlite3")
    try:
        births = db.execute("SELECT count(*) FROM lifeevents_lifeevent WHERE kind = 'birth'").fetchone()[0]
        assert db.execute("SELECT count(*) FROM registry_person").fetchone() == (300 + births,)
        assert db.execute("SELECT count(*) FROM accounts_user").fetchone() == (len(ROLES),)
    finally:
        db.close()
    assert len(list((tmp_path / "demo" / "feeds").glob("*_*"))) == 19


def test_the_command_refuses_to_wipe_another_database(tmp_path: Path) -> None:
    done = _run_demo(tmp_path, "--persons", "10", database_url="postgres://nobody@127.0.0.1:1/production")
    assert done.returncode == 1
    assert done.stderr == "错误：演示只重建内置 SQLite 数据库；检测到 DATABASE_URL 指向其他数据库，为防误删已停止\n"
    assert not (tmp_path / "demo").exists()
