"""Issue 16: statistics after an import, and the PostgreSQL first load through COPY."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from minzheng.audit.models import AuditEvent
from minzheng.registry import importing
from minzheng.registry.importing import pg_copy, residents_import
from minzheng.registry.models import ChangeRecord, Household, Person, PersonTag
from minzheng.registry.tests.test_import import FAMILY, counts, registry_state, rejects, write
from minzheng.testing import load_test_divisions

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the COPY path is PostgreSQL's")


def _statistics_are_fresh() -> bool:
    """The planner's statistics describe the person table as it is now.

    Read from the catalogs (transactional, exact), not pg_stat_user_tables, whose counters
    reach other sessions asynchronously.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT c.reltuples, (SELECT count(*) FROM pg_stats s WHERE s.tablename = c.relname) "
                "FROM pg_class c WHERE c.relname = 'registry_person'"
            )
            reltuples, columns = cursor.fetchone()
            return reltuples == Person.objects.count() and columns > 0
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return False
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'registry_person'")
        stats = [row[0] for row in cursor.fetchall()]
        return bool(stats) and all(s.split()[0] == str(Person.objects.count()) for s in stats)


def test_import_that_changes_rows_refreshes_planner_statistics(county: None, tmp_path: Path) -> None:
    assert counts(residents_import(path=write(tmp_path, FAMILY), actor=None)) == (3, 3, 0, 3, 0, 0)
    assert _statistics_are_fresh()
    more = ["王五,330212197803154439,H002,户主,330212100206,,,,,,"]
    assert counts(residents_import(path=write(tmp_path, [*FAMILY, *more]), actor=None)) == (4, 4, 0, 1, 0, 3)
    assert _statistics_are_fresh()  # an import into a populated registry analyses too


def registry_plain_indexes() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename LIKE 'registry_%%' ORDER BY 1")
        return cursor.fetchall()


@postgres_only
@pytest.mark.django_db(transaction=True)  # as in production: each chunk commits, the temp table drops at commit
def test_copy_first_load_equals_row_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from minzheng.demo.generator import write_residents_file

    load_test_divisions()
    path = tmp_path / "县.csv"
    write_residents_file(path, persons=1500, seed=5, villages=["330212100201", "330212100206", "330212101200"])
    # A bad row and a repeated number: the per-row and file-wide checks still reject them.
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    lines += ["坏行,330212197803154413,H9999,户主,330212100201,,,,,,", lines[1]]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    monkeypatch.setattr(importing, "CHUNK", 400)
    calls = {"copy": 0}
    real_load = pg_copy.load_chunk

    def counted(*args):  # type: ignore[no-untyped-def]
        calls["copy"] += 1
        return real_load(*args)

    monkeypatch.setattr(pg_copy, "load_chunk", counted)
    indexes = registry_plain_indexes()
    fast = residents_import(path=path, actor=None)
    fast_state = registry_state()
    assert calls["copy"] == 4  # 1500 accepted rows in chunks of 400
    assert registry_plain_indexes() == indexes  # the indexes dropped for the load are back
    assert counts(fast) == (1502, 1500, 2, 1500, 0, 0)
    bad, repeat = rejects(fast)[1:]
    assert bad[0] == "1502" and "公民身份号码" in bad[-1]
    assert repeat[0] == "1503" and "与第 2 行重复" in repeat[-1]
    assert len(fast_state) > 1500 and PersonTag.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).count() == 1
    PersonTag.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    monkeypatch.setattr(pg_copy, "usable", lambda: False)
    slow = residents_import(path=path, actor=None)
    assert calls["copy"] == 4  # the row-by-row path this time
    assert slow.as_dict() | {"rejects_file": None} == fast.as_dict() | {"rejects_file": None}
    assert registry_state() == fast_state
    assert rejects(slow) == rejects(fast)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_copy_load_killed_mid_run_resumes_and_a_second_run_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import job_enqueue, job_run_now

    load_test_divisions()
    monkeypatch.setattr(importing, "CHUNK", 2)  # three chunks for five rows
    lines = [
        *FAMILY,
        "王五,330212197803154439,H002,户主,330212100206,,,,,,",
        "王妻,330212198004226058,H002,配偶,330212100206,,,,,,",
    ]
    path = write(tmp_path, lines)
    indexes = registry_plain_indexes()
    job = job_enqueue(kind="registry.import_residents", params={"path": str(path), "original_name": "居民.csv"})
    real_load = pg_copy.load_chunk
    calls = {"n": 0}

    def dies_on_second_chunk(*args):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("进程被终止")
        return real_load(*args)

    monkeypatch.setattr(pg_copy, "load_chunk", dies_on_second_chunk)
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.FAILED
    assert (job.checkpoint["rows_done"], Person.objects.count()) == (3, 2)  # chunk 1 committed, chunk 2 rolled back
    assert registry_plain_indexes() == indexes  # never left without them
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.DONE
    assert (job.result["created"], job.result["updated"], Person.objects.count()) == (5, 0, 5)
    assert calls["n"] == 4  # the resumed run went on by COPY from the checkpoint
    before = registry_state()
    again = residents_import(path=path, actor=None)
    assert counts(again) == (5, 5, 0, 0, 0, 5) and registry_state() == before
    assert not ChangeRecord.objects.exists()
    assert registry_plain_indexes() == indexes
