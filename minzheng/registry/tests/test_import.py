from __future__ import annotations

import csv
import json
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.db import connection
from typer.testing import CliRunner

from minzheng.audit.models import AuditEvent
from minzheng.cli import app
from minzheng.core.tabular import TabularError
from minzheng.jobs.models import Job
from minzheng.jobs.services import job_enqueue, job_run_now
from minzheng.registry.importing import residents_import
from minzheng.registry.models import ChangeRecord, Household, Person, PersonTag
from minzheng.testing import load_test_divisions

HEADER = "姓名,公民身份号码,户编号,与户主关系,现住址区划代码,网格,楼栋,单元,房间,联系电话,人员标签"
FAMILY = [
    "张建国,330212197803154412,H001,户主,330212100201,第一网格,3,1,201,13805741234,",
    "李秀英,330212198004226023,H001,配偶,330212100201,第一网格,3,1,201,0574-88123456,残疾:肢体二级",
    "张小明,330212201509103218,H001,子,330212100201,第一网格,3,1,201,,留守儿童",
]


def write(tmp_path: Path, lines: list[str], encoding: str = "utf-8", name: str = "居民.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *lines]) + "\n", encoding=encoding)
    return path


def counts(result: object) -> tuple[int, ...]:
    """The six counts, after checking the invariants every import keeps."""
    d = result.as_dict()  # type: ignore[attr-defined]
    assert d["rows"] == d["accepted"] + d["rejected"]
    assert d["accepted"] == d["created"] + d["updated"] + d["unchanged"]
    assert (d["rejects_file"] is None) == (d["rejected"] == 0)
    return tuple(d[k] for k in ("rows", "accepted", "rejected", "created", "updated", "unchanged"))


def rejects(result: object) -> list[list[str]]:
    with open(result.rejects_file, encoding="utf-8-sig", newline="") as fh:  # type: ignore[attr-defined]
        return list(csv.reader(fh))


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_encodings(county: None, tmp_path: Path, encoding: str) -> None:
    result = residents_import(path=write(tmp_path, FAMILY, encoding), actor=None)
    assert counts(result) == (3, 3, 0, 3, 0, 0)
    assert result.rejects_file is None
    person = Person.objects.get(id_number="330212198004226023")
    assert (person.name, person.sex, str(person.birth_date), person.relation) == ("李秀英", "F", "1980-04-22", "10")
    assert person.division_code == "330212100201"
    assert list(person.tags.values_list("kind", "category", "grade")) == [("disability", "肢体", "二级")]


def test_gb18030_rare_character_and_full_width_15_digit(county: None, tmp_path: Path) -> None:
    lines = ["王䶮,３３０２１２７８０３１５４４１,H009,户主,330212100201,,,,,,"]
    residents_import(path=write(tmp_path, lines, "gb18030"), actor=None)
    assert Person.objects.get(name="王䶮").id_number == "330212197803154412"


def test_xlsx(county: None, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    for line in [HEADER, *FAMILY]:
        wb.active.append(line.split(","))
    path = tmp_path / "居民.xlsx"
    wb.save(path)
    assert counts(residents_import(path=path, actor=None)) == (3, 3, 0, 3, 0, 0)


def test_reimport_changes_nothing(county: None, tmp_path: Path) -> None:
    path = write(tmp_path, FAMILY)
    residents_import(path=path, actor=None)
    again = residents_import(path=path, actor=None)
    assert counts(again) == (3, 3, 0, 0, 0, 3)
    assert not ChangeRecord.objects.exists()
    assert Household.objects.count() == 1


def test_corrected_file_updates_and_records_history(cast: object, tmp_path: Path) -> None:
    residents_import(path=write(tmp_path, FAMILY), actor=None)
    fixed = [
        FAMILY[0].replace("13805741234", "13805749999"),
        FAMILY[1].replace("残疾:肢体二级", "残疾:肢体一级"),
        FAMILY[2],
    ]
    worker = cast.village_worker  # type: ignore[attr-defined]
    result = residents_import(path=write(tmp_path, fixed, name="更正.csv"), actor=worker)
    assert counts(result) == (3, 3, 0, 0, 2, 1)
    changes = {
        (c.person.name, c.field, c.old_value, c.new_value, c.changed_by.username, c.source)
        for c in ChangeRecord.objects.select_related("person", "changed_by")
    }
    assert changes == {
        ("张建国", "联系电话", "13805741234", "13805749999", "wangcun", "导入 更正.csv"),
        ("李秀英", "人员标签", "残疾:肢体二级", "残疾:肢体一级", "wangcun", "导入 更正.csv"),
    }
    assert PersonTag.objects.get(person__name="李秀英").grade == "一级"


def test_household_move_updates_address_and_scoping_copy(county: None, tmp_path: Path) -> None:
    residents_import(path=write(tmp_path, FAMILY), actor=None)
    moved = [line.replace("330212100201", "330212100206") for line in FAMILY]
    result = residents_import(path=write(tmp_path, moved, name="迁居.csv"), actor=None)
    assert (result.updated, result.unchanged) == (3, 0)  # every member's address changed
    assert set(Person.objects.values_list("division_code", flat=True)) == {"330212100206"}
    change = ChangeRecord.objects.get(household__household_no="H001")
    assert (change.field, change.old_value, change.new_value) == ("现住址区划代码", "330212100201", "330212100206")


BAD = [
    ("王五,330212197803154411,H002,户主,330212100201,,,,,,", "公民身份号码：校验位错误（应为 2）"),
    (",330212197803154412,H002,户主,330212100201,,,,,,", "姓名：为空"),
    ("未来,330212209901010011,H002,户主,330212100201,,,,,,", "公民身份号码：出生日期 2099-01-01 晚于今天"),
    ("钱七,330212197803154412,H002,户主,330212999999,,,,,,", "现住址区划代码：区划 330212999999 不存在"),
    ("钱七,330212197803154412,H002,户主,330212100000,,,,,,", "现住址区划代码：330212100000 不是村（社区）级区划"),
    ("钱七,330212197803154412,H002,户主,3302121002,,,,,,", "现住址区划代码：区划代码“3302121002”应为 12 位数字"),
    (
        "钱七,330212197803154412,H002,舅舅,330212100201,,,,,,",
        "与户主关系：“舅舅”无法识别，应为 户主、配偶、子、女、孙子女、父亲、母亲、兄弟姐妹、儿媳、女婿、其他"
        " 或 GB/T 4761 两位代码",
    ),
    (
        "钱七,330212197803154412,H002,户主,330212100201,,,,,12345,",
        "联系电话：“12345”不是 11 位手机号或带区号的固定电话",
    ),
    ("钱七,330212197803154412,H002,户主,330212100201,,,,,,残疾:肢体五级", "人员标签：残疾等级“五级”应为 一级至四级"),
    ("钱七,330212197803154412,H002,户主,330212100201,,,,,,富豪", "人员标签：“富豪”无法识别"),
]


@pytest.mark.parametrize(("line", "reason"), BAD)
def test_each_bad_row_has_its_reason(county: None, tmp_path: Path, line: str, reason: str) -> None:
    result = residents_import(path=write(tmp_path, [line]), actor=None)
    assert counts(result) == (1, 0, 1, 0, 0, 0)
    assert rejects(result)[1] == ["2", *line.split(","), reason]
    assert not Person.objects.exists()


def test_duplicate_number_in_file_names_the_earlier_row(county: None, tmp_path: Path) -> None:
    lines = [
        *FAMILY,
        "赵六,330212198004226023,H001,女,330212100201,第一网格,3,1,201,,",
        "李秀英,330212198004226023,H001,配偶,330212100201,第一网格,3,1,201,,",
    ]
    result = residents_import(path=write(tmp_path, lines), actor=None)
    assert counts(result) == (5, 3, 2, 3, 0, 0)
    assert [r[-1] for r in rejects(result)[1:]] == [
        "公民身份号码：与第 3 行重复但姓名不同（第 3 行为 李秀英）",
        "公民身份号码：与第 3 行重复",
    ]


def test_head_rules(county: None, tmp_path: Path) -> None:
    lines = [
        *FAMILY,
        "张二,330212197803154439,H001,户主,330212100201,第一网格,3,1,201,,",
        "孤户,330212198004226058,H003,子,330212100201,,,,,,",
    ]
    result = residents_import(path=write(tmp_path, lines), actor=None)
    assert [r[-1] for r in rejects(result)[1:]] == [
        "与户主关系：户编号 H001 已有户主（第 2 行 张建国）",
        "与户主关系：户编号 H003 没有户主",
    ]
    # Later file: a new 户主 for H001 while the stored one stays is refused; a member alone is fine.
    later = [
        "新户主,330212197803154455,H001,户主,330212100201,第一网格,3,1,201,,",
        "张小红,330212201709103212,H001,女,330212100201,第一网格,3,1,201,,",
    ]
    result = residents_import(path=write(tmp_path, later, name="补录.csv"), actor=None)
    assert [r[-1] for r in rejects(result)[1:]] == ["与户主关系：户编号 H001 已有户主 张建国（已登记）"]
    assert result.created == 1


def test_address_must_agree_within_household(county: None, tmp_path: Path) -> None:
    lines = [FAMILY[0], FAMILY[1].replace("330212100201", "330212100206")]
    result = residents_import(path=write(tmp_path, lines), actor=None)
    assert rejects(result)[1][-1] == "现住址区划代码：与同户（户编号 H001）第 2 行的住址不一致"


def test_missing_headers_fail_whole_file(county: None, tmp_path: Path) -> None:
    path = tmp_path / "缺列.csv"
    path.write_text("姓名,公民身份号码,现住址区划代码\n张三,330212197803154412,330212100201\n", encoding="utf-8")
    with pytest.raises(TabularError, match=r"^缺少必填列：户编号、与户主关系$"):
        residents_import(path=path, actor=None)
    assert not Person.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()
    assert not list((settings.DATA_DIR / "imports").glob("*"))  # no staging file left behind


def test_header_aliases_accepted(county: None, tmp_path: Path) -> None:
    path = tmp_path / "别名.csv"
    path.write_text(
        "姓名,身份证号,户号,与户主关系,区划代码,手机号\n张三,330212197803154412,H1,户主,330212100201,13800000000\n",
        encoding="utf-8",
    )
    assert residents_import(path=path, actor=None).created == 1


def test_one_audit_row_per_import(cast: object, tmp_path: Path) -> None:
    residents_import(path=write(tmp_path, FAMILY), actor=cast.town_officer)  # type: ignore[attr-defined]
    event = AuditEvent.objects.get(action=AuditEvent.Action.IMPORT)
    assert (event.actor_username, event.data["created"], event.data["file"]) == ("lizhen", 3, "居民.csv")
    assert len(event.data["sha256"]) == 64


def test_cli_json(county: None, tmp_path: Path) -> None:
    from minzheng import cli_extra  # noqa: F401 - registers `import residents`

    path = write(tmp_path, [*FAMILY, BAD[0][0]])
    out = CliRunner().invoke(app, ["import", "residents", str(path), "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert {k: v for k, v in data.items() if k != "rejects_file"} == {
        "rows": 4,
        "accepted": 3,
        "rejected": 1,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
    }
    rejects_file = Path(data["rejects_file"])
    assert rejects_file.parent == settings.REJECTS_DIR and rejects_file.name.startswith("居民-")
    assert list(data) == ["rows", "accepted", "rejected", "created", "updated", "unchanged", "rejects_file"]
    missing = tmp_path / "坏.csv"
    missing.write_text("姓名\n张三\n", encoding="utf-8")
    out = CliRunner().invoke(app, ["import", "residents", str(missing), "--json"])
    assert out.exit_code == 1 and out.stdout == ""
    assert out.stderr == "错误：坏.csv：缺少必填列：公民身份号码、户编号、与户主关系、现住址区划代码；未导入任何数据\n"
    assert Person.objects.count() == 3  # the first file's persons, nothing more


def test_cli_summary_in_chinese(county: None, tmp_path: Path) -> None:
    from minzheng import cli_extra  # noqa: F401 - registers `import residents`

    path = write(tmp_path, FAMILY)
    out = CliRunner().invoke(app, ["import", "residents", str(path)])
    assert out.exit_code == 0, out.output
    assert out.stdout == "共 3 行：接收 3，拒收 0；新增 3，更新 0，未变 0\n"
    again = CliRunner().invoke(app, ["import", "residents", str(path), "--json"])
    assert json.loads(again.stdout) == {
        "rows": 3,
        "accepted": 3,
        "rejected": 0,
        "created": 0,
        "updated": 0,
        "unchanged": 3,
        "rejects_file": None,
    }


def test_job_killed_mid_run_resumes_with_exact_counts(
    cast: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minzheng.registry import importing

    monkeypatch.setattr(importing, "CHUNK", 2)  # three chunks for five rows
    lines = [
        *FAMILY,
        "王五,330212197803154439,H002,户主,330212100206,,,,,,",
        "王妻,330212198004226058,H002,配偶,330212100206,,,,,,",
    ]
    job = job_enqueue(
        kind="registry.import_residents",
        params={"path": str(write(tmp_path, lines)), "original_name": "居民.csv"},
        actor=cast.town_officer,
    )  # type: ignore[attr-defined]
    real_chunk = importing._Pass2.chunk
    calls = {"n": 0}

    def dies_on_second_chunk(*args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("进程被终止")
        return real_chunk(*args)

    monkeypatch.setattr(importing._Pass2, "chunk", dies_on_second_chunk)
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.FAILED
    assert (job.checkpoint["rows_done"], Person.objects.count()) == (3, 2)  # chunk 1 committed, chunk 2 rolled back
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.DONE
    assert {k: job.result[k] for k in ("rows", "accepted", "created", "updated", "unchanged")} == {
        "rows": 5,
        "accepted": 5,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
    }
    assert Person.objects.count() == 5


def test_cli_interrupted_import_resumes_on_rerun(county: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from minzheng import cli_extra  # noqa: F401 - registers `import residents`
    from minzheng.registry import importing

    monkeypatch.setattr(importing, "CHUNK", 2)
    real_chunk = importing._Pass2.chunk
    calls = {"n": 0}

    def dies_once_on_second_chunk(*args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("断电")
        return real_chunk(*args)

    monkeypatch.setattr(importing._Pass2, "chunk", dies_once_on_second_chunk)
    path = write(tmp_path, FAMILY)
    first = CliRunner().invoke(app, ["import", "residents", str(path)])
    assert first.exit_code == 1 and "断电" in first.output
    assert Person.objects.count() == 2
    again = CliRunner().invoke(app, ["import", "residents", str(path), "--json"])
    assert again.exit_code == 0, again.output
    assert json.loads(again.stdout)["created"] == 3
    assert Job.objects.get().status == Job.Status.DONE  # the same job, resumed


def registry_indexes() -> list[tuple[str, str]]:
    """Every index of the registry tables with its DDL (SQLite; elsewhere, nothing to compare)."""
    if connection.vendor != "sqlite":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'registry_%' ORDER BY 1"
        )
        return cursor.fetchall()


def registry_state() -> list[tuple]:
    persons = Person.objects.values_list(
        "id_number",
        "name",
        "sex",
        "birth_date",
        "phone",
        "household__household_no",
        "relation",
        "division_code",
        "tags_text",
        "household__division_id",
        "household__grid",
        "household__building",
        "household__unit",
        "household__room",
    )
    tags = PersonTag.objects.values_list("person__id_number", "kind", "category", "grade")
    return sorted(persons) + sorted(tags)


@pytest.mark.django_db(transaction=True)  # the SQL path ATTACHes, which needs no open transaction
def test_initial_load_in_sql_equals_row_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from minzheng.demo.generator import write_residents_file
    from minzheng.registry import importing
    from minzheng.registry.importing import initial_load

    load_test_divisions()
    path = tmp_path / "县.csv"
    write_residents_file(path, persons=1500, seed=5, villages=["330212100201", "330212100206", "330212101200"])
    monkeypatch.setattr(importing, "CHUNK", 400)
    calls = {"sql": 0}
    real_load = initial_load.load_chunk

    def counted(low: int, high: int) -> int:
        calls["sql"] += 1
        return real_load(low, high)

    monkeypatch.setattr(initial_load, "load_chunk", counted)
    indexes = registry_indexes()
    fast = residents_import(path=path, actor=None)
    fast_state = registry_state()
    assert registry_indexes() == indexes  # the plain indexes dropped for the load are back
    if connection.vendor == "sqlite":
        assert calls["sql"] == 4  # 1500 rows in chunks of 400
    assert fast.created == 1500 and len(fast_state) > 1500
    PersonTag.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    monkeypatch.setattr(initial_load, "usable", lambda: False)
    slow = residents_import(path=path, actor=None)
    assert slow.as_dict() == fast.as_dict()
    assert registry_state() == fast_state


def test_importer_stays_inside_their_jurisdiction(cast: object, tmp_path: Path) -> None:
    town = cast.town_officer  # type: ignore[attr-defined]
    village = cast.village_worker  # type: ignore[attr-defined]
    # 南一村 is in the town but not in the 村 worker's village (合一村).
    elsewhere = [line.replace("330212100201", "330212100206") for line in FAMILY]
    residents_import(path=write(tmp_path, elsewhere, name="镇.csv"), actor=town)
    newcomer = "钱新,330212198004226058,H001,子,330212100201,第一网格,3,1,201,,"
    rows = [*FAMILY, elsewhere[0].replace("H001", "H777"), newcomer]
    result = residents_import(path=write(tmp_path, rows, name="村.csv"), actor=village)
    assert [r[-1] for r in rejects(result)[1:]] == [
        "公民身份号码：该居民已在您的管辖范围以外登记，迁入请由上级民政部门办理",
        "公民身份号码：该居民已在您的管辖范围以外登记，迁入请由上级民政部门办理",
        "公民身份号码：该居民已在您的管辖范围以外登记，迁入请由上级民政部门办理",
        "现住址区划代码：330212100206 不在您的管辖范围内",
        "户编号：户 H001 已在您的管辖范围以外登记",
    ]
    assert set(Person.objects.values_list("division_code", flat=True)) == {"330212100206"}  # nothing moved
