"""Issue 16: imports into a populated SQLite registry by set-based statements (sqlite_update.py).

Each test builds the same registry twice, once by the set-based path and once by the row-by-row
path (apply.py, the reference), from the same files (test_import_pg_update.files: unchanged,
changed, moved, re-tagged, new and rejected rows), and compares everything an import leaves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition

from minzheng.audit.models import AuditEvent
from minzheng.registry import importing
from minzheng.registry.importing import residents_import, sqlite_update
from minzheng.registry.models import ChangeRecord, Person
from minzheng.registry.tests.test_import import counts, registry_state, rejects
from minzheng.registry.tests.test_import_pg_update import _user, files, history, wipe
from minzheng.testing import load_test_divisions

sqlite_only = pytest.mark.skipif("connection.vendor != 'sqlite'", reason="the set-based path is SQLite's")


def _counting(monkeypatch: pytest.MonkeyPatch, die_on: int = 0) -> dict[str, int]:
    """Counts the set-based chunks; chunk `die_on` runs all its statements, then the process 'dies'."""
    calls = {"n": 0}
    real = sqlite_update.apply_chunk

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        result = real(*args, **kwargs)
        if calls["n"] == die_on:
            raise RuntimeError("进程被终止")
        return result

    monkeypatch.setattr(sqlite_update, "apply_chunk", counted)
    return calls


def _row_by_row(monkeypatch: pytest.MonkeyPatch, base: Path, mixed: Path, user: Any) -> tuple[Any, list, list, list]:
    """The reference: the same files through apply.py."""
    monkeypatch.setattr(sqlite_update, "usable", lambda: False)
    residents_import(path=base, actor=user)
    result = residents_import(path=mixed, actor=user, original_name="mixed.csv")
    monkeypatch.undo()
    monkeypatch.setattr(importing, "CHUNK", 400)
    return result, registry_state(), history(), rejects(result)


@sqlite_only
@pytest.mark.django_db(transaction=True)  # as in production: each chunk commits with its checkpoint
def test_set_based_import_into_populated_sqlite_registry_equals_row_by_row(
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
    # Every record names the importer and the file, as apply.py's do.
    assert set(ChangeRecord.objects.values_list("changed_by", "source")) == {(user.pk, "导入 mixed.csv")}
    # A second run of the same file changes nothing and writes no history.
    again = residents_import(path=mixed, actor=user)
    assert counts(again)[3:5] == (0, 0) and registry_state() == slow_state and history() == slow_history


@sqlite_only
@pytest.mark.django_db(transaction=True)
def test_set_based_sqlite_import_killed_mid_chunk_leaves_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk 2 runs every statement, then dies: none of it stays; the resumed job ends like apply.py."""
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
    failed = job_run_now(job)
    assert failed is not None and failed.status == Job.Status.FAILED
    done = failed.checkpoint["rows_done"]
    assert 0 < done < 1000  # chunk 1 committed with its checkpoint, chunk 2 rolled back
    # No change without its history: every renamed person stored has its 姓名 record, and no more.
    renamed = set(Person.objects.filter(name__endswith="新").values_list("pk", flat=True))
    named = set(ChangeRecord.objects.filter(field="姓名").values_list("person", flat=True))
    assert renamed and renamed == named
    assert len(history()) < len(slow_history)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    ended = job_run_now(job)
    assert ended is not None and ended.status == Job.Status.DONE
    assert calls["n"] == 6  # the resumed run went on from chunk 2, set-based
    assert {k: ended.result[k] for k in ("created", "updated", "unchanged", "rejected")} == {
        k: getattr(slow, k) for k in ("created", "updated", "unchanged", "rejected")
    }
    assert registry_state() == slow_state
    assert history() == slow_history
    again = residents_import(path=mixed, actor=None)
    assert counts(again)[3:5] == (0, 0) and history() == slow_history
