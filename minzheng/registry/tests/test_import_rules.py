"""Import rules that need a registry already holding people: 户主 moves, history, tags, chunks, resume."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings

from minzheng.jobs.models import Job
from minzheng.jobs.services import job_enqueue, job_run_now
from minzheng.registry.importing import residents_import
from minzheng.registry.models import ChangeRecord, Household, Person, PersonTag, Relation
from minzheng.registry.tests.test_import import FAMILY, counts, registry_indexes, registry_state, rejects, write
from minzheng.registry.vocab import tags_parse
from minzheng.testing import load_test_divisions

WANG = [
    "王五,330212197803154439,H002,户主,330212100206,,,,,,",
    "王妻,330212198004226058,H002,配偶,330212100206,,,,,,",
]
ZHANG_TO_H002 = "张建国,330212197803154412,H002,户主,330212100206,,,,,13805741234,"


def history() -> set[tuple[str, str, str, str]]:
    return {
        (c.person.name, c.field, c.old_value, c.new_value)
        for c in ChangeRecord.objects.filter(person__isnull=False).select_related("person")
    }


def test_stored_head_may_not_leave_household_without_a_head(county: None, tmp_path: Path) -> None:
    residents_import(path=write(tmp_path, FAMILY), actor=None)
    result = residents_import(path=write(tmp_path, [ZHANG_TO_H002], name="迁出.csv"), actor=None)
    assert [r[-1] for r in rejects(result)[1:]] == ["与户主关系：该居民现为户编号 H001 的户主，迁出后该户没有户主"]
    assert Person.objects.get(name="张建国").household.household_no == "H001"


def test_stored_head_leaves_when_the_file_names_a_new_head(county: None, tmp_path: Path) -> None:
    residents_import(path=write(tmp_path, FAMILY), actor=None)
    new_head = FAMILY[1].replace(",配偶,", ",户主,")
    result = residents_import(path=write(tmp_path, [ZHANG_TO_H002, new_head], name="分户.csv"), actor=None)
    assert counts(result) == (2, 2, 0, 0, 2, 0)
    heads = Person.objects.filter(relation=Relation.HEAD).values_list("household__household_no", "name")
    assert sorted(heads) == [("H001", "李秀英"), ("H002", "张建国")]
    assert Person.objects.get(name="张建国").division_code == "330212100206"
    assert history() == {("张建国", "户编号", "H001", "H002"), ("李秀英", "与户主关系", "配偶", "户主")}


def test_whole_family_moves_to_a_new_household_number(county: None, tmp_path: Path) -> None:
    residents_import(path=write(tmp_path, FAMILY), actor=None)
    moved = [line.replace(",H001,", ",H005,") for line in FAMILY]
    result = residents_import(path=write(tmp_path, moved, name="换户号.csv"), actor=None)
    assert counts(result) == (3, 3, 0, 0, 3, 0)
    assert set(Person.objects.values_list("household__household_no", flat=True)) == {"H005"}
    assert {(name, field, old, new) for name, field, old, new in history()} == {
        ("张建国", "户编号", "H001", "H005"),
        ("李秀英", "户编号", "H001", "H005"),
        ("张小明", "户编号", "H001", "H005"),
    }


def test_rejecting_a_mover_can_leave_the_other_household_headless(county: None, tmp_path: Path) -> None:
    residents_import(path=write(tmp_path, FAMILY), actor=None)
    lines = [ZHANG_TO_H002, "新人,330212201709103212,H002,女,330212100206,,,,,,"]
    result = residents_import(path=write(tmp_path, lines, name="连锁.csv"), actor=None)
    assert [r[-1] for r in rejects(result)[1:]] == [
        "与户主关系：该居民现为户编号 H001 的户主，迁出后该户没有户主",
        "与户主关系：户编号 H002 没有户主",
    ]
    assert counts(result) == (2, 0, 2, 0, 0, 0)


def test_member_moving_household_history_names_household_numbers(county: None, tmp_path: Path) -> None:
    residents_import(path=write(tmp_path, [*FAMILY, *WANG]), actor=None)
    son = "张小明,330212201509103218,H002,其他,330212100206,,,,,,留守儿童"
    result = residents_import(path=write(tmp_path, [son], name="投亲.csv"), actor=None)
    assert counts(result) == (1, 1, 0, 0, 1, 0)
    assert history() == {("张小明", "户编号", "H001", "H002"), ("张小明", "与户主关系", "子", "其他")}
    assert Person.objects.get(name="张小明").division_code == "330212100206"


def test_tags_stay_in_step_with_text(county: None, tmp_path: Path) -> None:
    residents_import(path=write(tmp_path, FAMILY), actor=None)
    fixed = [FAMILY[0], FAMILY[1].replace("残疾:肢体二级", ""), FAMILY[2].replace("留守儿童", "留守儿童;残疾:智力一级")]
    residents_import(path=write(tmp_path, fixed, name="标签.csv"), actor=None)
    for person in Person.objects.all():
        stored = sorted(PersonTag.objects.filter(person=person).values_list("kind", "category", "grade"))
        assert stored == sorted((t.kind, t.category, t.grade) for t in tags_parse(person.tags_text))
    assert Person.objects.get(name="张小明").tags_text == "残疾:智力一级;留守儿童"
    assert not PersonTag.objects.filter(person__name="李秀英").exists()
    assert ("李秀英", "人员标签", "残疾:肢体二级", "") in history()


def test_household_split_across_chunks_counts_every_moved_member(
    county: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minzheng.registry import importing

    residents_import(path=write(tmp_path, [*FAMILY, *WANG]), actor=None)
    monkeypatch.setattr(importing, "CHUNK", 2)
    moved = [line.replace("330212100201", "330212100206") for line in FAMILY]
    lines = [moved[0], *WANG, moved[1], moved[2]]  # H001's rows in three different chunks
    result = residents_import(path=write(tmp_path, lines, name="搬迁.csv"), actor=None)
    assert counts(result) == (5, 5, 0, 0, 3, 2)
    change = ChangeRecord.objects.get(household__household_no="H001")
    assert (change.field, change.old_value, change.new_value) == ("现住址区划代码", "330212100201", "330212100206")
    assert set(Person.objects.filter(household__household_no="H001").values_list("division_code", flat=True)) == {
        "330212100206"
    }


@pytest.mark.parametrize("phone", ["12345678901", "057488123456", "0574-8812345", "010-88123456", "+8613805741234"])
def test_phones_accepted(county: None, tmp_path: Path, phone: str) -> None:
    line = f"张建国,330212197803154412,H001,户主,330212100201,,,,,{phone},"
    assert counts(residents_import(path=write(tmp_path, [line]), actor=None)) == (1, 1, 0, 1, 0, 0)


@pytest.mark.parametrize("phone", ["23805741234", "1380574123", "0574-881234", "574-88123456"])
def test_phones_rejected(county: None, tmp_path: Path, phone: str) -> None:
    line = f"张建国,330212197803154412,H001,户主,330212100201,,,,,{phone},"
    result = residents_import(path=write(tmp_path, [line]), actor=None)
    assert rejects(result)[1][-1] == f"联系电话：“{phone}”不是 11 位手机号或带区号的固定电话"


def test_rejects_file_keeps_every_original_column_in_utf8_with_bom(county: None, tmp_path: Path) -> None:
    path = tmp_path / "多列.csv"
    header = "备注,姓名,公民身份号码,户编号,与户主关系,现住址区划代码"
    path.write_text(f"{header}\n请核实,王五,330212197803154411,H9,户主,330212\n", encoding="gbk")
    result = residents_import(path=path, actor=None)
    assert Path(result.rejects_file).parent == settings.REJECTS_DIR
    assert Path(result.rejects_file).read_bytes().startswith(b"\xef\xbb\xbf")
    assert rejects(result) == [
        ["行号", *header.split(","), "错误原因"],
        ["2", "请核实", "王五", "330212197803154411", "H9", "户主", "330212", "公民身份号码：校验位错误（应为 2）"],
    ]


def test_county_code_is_not_an_address(county: None, tmp_path: Path) -> None:
    line = "张建国,330212197803154412,H001,户主,330212,,,,,,"
    result = residents_import(path=write(tmp_path, [line]), actor=None)
    assert rejects(result)[1][-1] == "现住址区划代码：330212000000 不是村（社区）级区划"


def test_job_killed_while_reading_resumes_and_cleans_up(
    cast: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minzheng.registry.importing import stage

    real_rule = stage.rule_duplicate_ids
    calls = {"n": 0}

    def dies_once(conn):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("进程被终止")
        real_rule(conn)

    monkeypatch.setattr(stage, "rule_duplicate_ids", dies_once)
    path = write(tmp_path, [*FAMILY, *WANG, FAMILY[0]])
    job = job_enqueue(
        kind="registry.import_residents",
        params={"path": str(path), "original_name": "居民.csv"},
        actor=cast.town_officer,  # type: ignore[attr-defined]
    )
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.FAILED
    assert Path(job.checkpoint["stage"]).exists() and "rows_done" not in job.checkpoint
    assert not Person.objects.exists()
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.DONE
    assert {k: v for k, v in job.result.items() if k != "rejects_file"} == {
        "rows": 6,
        "accepted": 5,
        "rejected": 1,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
    }
    assert (Person.objects.count(), Household.objects.count()) == (5, 2)
    assert not list((settings.DATA_DIR / "imports").glob("*"))


@pytest.mark.django_db(transaction=True)  # the first-load SQL path ATTACHes, which needs no open transaction
def test_first_load_killed_mid_run_resumes_with_indexes_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from minzheng.registry import importing

    load_test_divisions()
    indexes = registry_indexes()
    monkeypatch.setattr(importing, "CHUNK", 2)
    real_chunk, calls = importing._Pass2.chunk, {"n": 0}

    def dies_once_on_second_chunk(run: object, low: int, high: int) -> object:
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("进程被终止")
        return real_chunk(run, low, high)  # type: ignore[arg-type]

    monkeypatch.setattr(importing._Pass2, "chunk", dies_once_on_second_chunk)
    path = write(tmp_path, [*FAMILY, *WANG])
    job = job_enqueue(kind="registry.import_residents", params={"path": str(path), "original_name": "居民.csv"})
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.FAILED
    assert registry_indexes() == indexes  # built again at once, though the checkpoint still lists them
    assert (Person.objects.count(), job.checkpoint["rows_done"]) == (2, 3)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.DONE
    assert {k: v for k, v in job.result.items() if k != "rejects_file"} == {
        "rows": 5,
        "accepted": 5,
        "rejected": 0,
        "created": 5,
        "updated": 0,
        "unchanged": 0,
    }
    assert "deferred_indexes" not in Job.objects.get(pk=job.pk).checkpoint
    assert registry_indexes() == indexes
    state = registry_state()
    PersonTag.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    residents_import(path=path, actor=None)  # in one go: the same registry
    assert registry_state() == state


def test_pieces_keep_every_value_in_few_distinct_lengths() -> None:
    from minzheng.registry.importing.lookups import pieces

    values = list(range(1500))
    parts = list(pieces(values, 1024))
    assert [len(p) for p in parts] == [1024, 256, 128, 64, 16, 8, 4]
    assert [v for p in parts for v in p] == values
    assert list(pieces([], 1024)) == []
