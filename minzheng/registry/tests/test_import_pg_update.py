"""Issue 16: imports into a populated PostgreSQL registry by COPY and set-based statements (pg_update.py).

Each test builds the same registry twice, once by the set-based path and once by the row-by-row
path (apply.py), from the same files, and compares everything an import leaves behind.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition

from minzheng.audit.models import AuditEvent
from minzheng.registry import importing
from minzheng.registry.importing import pg_update, residents_import
from minzheng.registry.models import ChangeRecord, Household, Person, PersonTag
from minzheng.registry.tests.test_import import counts, registry_state, rejects
from minzheng.testing import load_test_divisions

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the set-based path is PostgreSQL's")
VILLAGES = ["330212100201", "330212100206", "330212101200"]


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    return header, rows


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])
    return path


def files(tmp_path: Path) -> tuple[Path, Path]:
    """A first load of 1,500 persons, and a file against it with every kind of row.

    Unchanged rows; changed names and phones; tags added and removed; 户 whose address moves
    (every member updated, history on the 户); persons moving to another stored 户; persons
    the file no longer lists; new persons in new 户, spread through the file; a bad identity
    number, a repeated row and a second 户主 beside a stored one (rejected).
    """
    from minzheng.demo.generator import write_residents_file

    base, extra = tmp_path / "base.csv", tmp_path / "extra.csv"
    write_residents_file(base, persons=1500, seed=5, villages=VILLAGES)
    write_residents_file(extra, persons=300, seed=99, villages=VILLAGES)
    header, rows = _read(base)
    _, new_rows = _read(extra)
    first_of: dict[str, list[str]] = {}
    for row in rows:
        first_of.setdefault(row[2], row)
    numbers = list(first_of)
    mixed: list[list[str]] = []
    for i, row in enumerate(rows):
        row = list(row)
        if i % 13 == 12:
            continue  # no longer listed: stays as stored
        if i % 10 == 3:
            row[0], row[9] = row[0] + "新", "13900000000"
        if i % 10 == 5 and row[3] != "户主":
            row[10] = "" if row[10] else "独居老人"
        if i % 50 == 7 and row[3] != "户主":
            target = first_of[numbers[(numbers.index(row[2]) + 3) % len(numbers)]]
            row[2], row[3], row[4:9] = target[2], "子", target[4:9]
        mixed.append(row)
        if i % 5 == 0 and new_rows:
            new = new_rows.pop(0)
            mixed.append([*new[:2], "N" + new[2], *new[3:]])
    moved = set(numbers[::25])
    for row in mixed:
        if row[2] in moved:
            row[5], row[8] = "第9网格", "909"
    mixed += [
        ["坏号", "330212197803154413", "N1", "户主", "330212100201", "", "", "", "", "", ""],
        mixed[40],
        ["又一户主", "330212197803154439", numbers[1], "户主", *first_of[numbers[1]][4:9], "", ""],
    ]
    return base, _write(tmp_path / "mixed.csv", header, mixed)


def history() -> list[tuple]:
    return sorted(
        ChangeRecord.objects.values_list(
            "person__id_number", "household__household_no", "field", "old_value", "new_value", "source", "changed_by"
        ),
        key=lambda record: tuple("" if v is None else str(v) for v in record),  # a record names a person or a 户
    )


def wipe() -> None:
    ChangeRecord.objects.all().delete()
    PersonTag.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()


def _user() -> Any:
    from minzheng.accounts.services import user_create

    return user_create(actor=None, username="importer", role="county_approver", jurisdiction="330212")


def _counting(monkeypatch: pytest.MonkeyPatch, die_on: int = 0) -> dict[str, int]:
    calls = {"n": 0}
    real = pg_update.apply_chunk

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == die_on:
            raise RuntimeError("进程被终止")
        return real(*args, **kwargs)

    monkeypatch.setattr(pg_update, "apply_chunk", counted)
    return calls


def _row_by_row(monkeypatch: pytest.MonkeyPatch, base: Path, mixed: Path, user: Any) -> tuple[Any, list, list, list]:
    """The reference: the same files through apply.py."""
    monkeypatch.setattr(pg_update, "usable", lambda: False)
    residents_import(path=base, actor=user)
    result = residents_import(path=mixed, actor=user, original_name="mixed.csv")
    monkeypatch.undo()
    monkeypatch.setattr(importing, "CHUNK", 400)
    return result, registry_state(), history(), rejects(result)


@postgres_only
@pytest.mark.django_db(transaction=True)  # as in production: each chunk commits, the temp table drops at commit
def test_set_based_import_into_populated_registry_equals_row_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_test_divisions()
    user = _user()
    base, mixed = files(tmp_path)
    monkeypatch.setattr(importing, "CHUNK", 400)
    slow, slow_state, slow_history, slow_rejects = _row_by_row(monkeypatch, base, mixed, user)
    wipe()
    residents_import(path=base, actor=user)
    calls = _counting(monkeypatch)
    audits = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count()
    fast = residents_import(path=mixed, actor=user, original_name="mixed.csv")
    assert calls["n"] == 5  # about 1,700 accepted rows in chunks of 400, all by the set-based path
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == audits + 1
    c = counts(fast)
    assert c[2] >= 3 and c[3] > 250 and c[4] > 250 and c[5] > 800  # bad rows, new, changed, unchanged: all there
    assert fast.as_dict() | {"rejects_file": None} == slow.as_dict() | {"rejects_file": None}
    assert registry_state() == slow_state
    assert history() == slow_history
    fields = {field for _, _, field, *_ in slow_history}
    assert {"姓名", "联系电话", "人员标签", "户编号", "与户主关系", "网格", "房间"} <= fields
    assert rejects(fast) == slow_rejects
    # A second run of the same file changes nothing and writes no history.
    again = residents_import(path=mixed, actor=user)
    assert counts(again)[3:5] == (0, 0) and registry_state() == slow_state and history() == slow_history


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_set_based_import_killed_mid_run_resumes_to_the_same_registry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import job_enqueue, job_run_now

    load_test_divisions()
    base, mixed = files(tmp_path)
    monkeypatch.setattr(importing, "CHUNK", 400)
    slow, slow_state, slow_history, _ = _row_by_row(monkeypatch, base, mixed, None)
    wipe()
    residents_import(path=base, actor=None)
    calls = _counting(monkeypatch, die_on=2)
    job = job_enqueue(kind="registry.import_residents", params={"path": str(mixed), "original_name": "mixed.csv"})
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.FAILED
    done = job.checkpoint["rows_done"]
    assert 0 < done < 1000  # chunk 1 committed with its checkpoint, chunk 2 rolled back
    assert ChangeRecord.objects.exists() and len(history()) < len(slow_history)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.DONE
    assert calls["n"] == 6  # the resumed run went on from chunk 2, set-based
    assert {k: job.result[k] for k in ("created", "updated", "unchanged", "rejected")} == {
        k: getattr(slow, k) for k in ("created", "updated", "unchanged", "rejected")
    }
    assert registry_state() == slow_state
    assert history() == slow_history
    again = residents_import(path=mixed, actor=None)
    assert counts(again)[3:5] == (0, 0) and history() == slow_history
