"""Issue 9 item 10: NUL bytes, over-long cells, and the same content imported from two paths."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from minzheng.registry.importing import residents_import
from minzheng.registry.models import ChangeRecord, Person
from minzheng.registry.tests.test_import import FAMILY, counts, rejects, write


class Killed(Exception):
    pass


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("张\x00建国,330212197803154412,H001,户主,330212100201,,,,,,", "姓名：含有空字符（NUL），请删除"),
        ("张建国,330212197803154412,H001,户主,330212100201,第一\x00网格,,,,,", "网格：含有空字符（NUL）"),
        ("张建国,330212197803154412,H\x00001,户主,330212100201,,,,,,", "户编号：含有空字符（NUL）"),
    ],
)
def test_nul_in_a_cell_rejects_the_row_in_chinese(county: None, tmp_path: Path, line: str, reason: str) -> None:
    """On PostgreSQL a NUL reached the INSERT: a partial write and an English error."""
    result = residents_import(path=write(tmp_path, [line, *FAMILY[1:]]), actor=None)
    assert counts(result)[:3] == (3, 0, 3)  # the 户 lost its 户主, so its other rows go too
    assert rejects(result)[1][-1].startswith(reason)
    assert not Person.objects.exists()


def test_nul_in_one_row_leaves_the_other_households_whole(county: None, tmp_path: Path) -> None:
    bad = "王\x00五,330212197803154439,H002,户主,330212100206,,,,,,"
    result = residents_import(path=write(tmp_path, [*FAMILY, bad]), actor=None)
    assert counts(result) == (4, 3, 1, 3, 0, 0)
    assert "\x00" not in "".join(Person.objects.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("column", "index", "limit"),
    [("姓名", 0, 64), ("户编号", 2, 40), ("网格", 5, 40), ("楼栋", 6, 40), ("单元", 7, 20), ("房间", 8, 20)],
)
def test_over_long_cells_are_rejected_naming_column_and_limit(
    county: None, tmp_path: Path, column: str, index: int, limit: int
) -> None:
    cells = FAMILY[0].split(",")
    cells[index] = "长" * (30_000 if column == "姓名" else limit + 1)  # longer cells: core.tabular refuses the file
    result = residents_import(path=write(tmp_path, [",".join(cells)]), actor=None)
    assert counts(result) == (1, 0, 1, 0, 0, 0)
    assert rejects(result)[1][-1].startswith(f"{column}：超过 {limit} 个字")


def test_over_long_tags_are_rejected(county: None, tmp_path: Path) -> None:
    tags = ";".join(["残疾:肢体二级", "留守儿童", "独居老人"] * 30)
    cells = FAMILY[0].split(",")
    cells[10] = tags
    result = residents_import(path=write(tmp_path, [",".join(cells)]), actor=None)
    assert rejects(result)[1][-1].startswith("人员标签：超过 200 个字")


def _staged_then_killed(path: Path) -> dict[str, Any]:
    """An import that read its file on an empty registry, then died before its first chunk committed."""
    saved: dict[str, Any] = {}

    def on_chunk(checkpoint: dict[str, Any]) -> None:
        if "rows_done" in checkpoint:
            raise Killed
        saved.update(checkpoint)

    with pytest.raises(Killed):
        residents_import(path=path, actor=None, on_chunk=on_chunk)
    assert saved["all_new"] is True and not Person.objects.exists()
    return saved


def test_same_content_from_two_paths_finishes(county: None, tmp_path: Path) -> None:
    """It failed with an English `UNIQUE constraint` error, and so did every re-run."""
    first = write(tmp_path, FAMILY)
    second = tmp_path / "copy" / "居民.csv"
    second.parent.mkdir()
    shutil.copy(first, second)
    checkpoint = _staged_then_killed(first)
    assert counts(residents_import(path=second, actor=None)) == (3, 3, 0, 3, 0, 0)
    saved: dict[str, Any] = {}
    resumed = residents_import(path=first, actor=None, checkpoint=checkpoint, on_chunk=saved.update)
    assert counts(resumed) == (3, 3, 0, 0, 0, 3)
    assert saved["all_new"] is False  # a later re-run starts from a checkpoint that cannot collide again
    assert Person.objects.count() == 3 and not ChangeRecord.objects.exists()


def test_same_content_from_two_paths_finishes_as_jobs(cast: Any, tmp_path: Path) -> None:
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import job_enqueue, job_run_now

    first = write(tmp_path, [*FAMILY, "王五,330212197803154439,H002,户主,330212100206,,,,,,"])
    checkpoint = _staged_then_killed(first)
    residents_import(path=write(tmp_path, FAMILY, name="另一份.csv"), actor=None)
    job = job_enqueue(kind="registry.import_residents", params={"path": str(first)}, actor=cast.town_officer)
    Job.objects.filter(pk=job.pk).update(checkpoint=checkpoint)
    job = job_run_now(job)
    assert job is not None and (job.status, job.error) == (Job.Status.DONE, "")
    assert {k: job.result[k] for k in ("rows", "created", "unchanged")} == {"rows": 4, "created": 1, "unchanged": 3}
