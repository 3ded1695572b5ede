"""Issue 16: a PostgreSQL first load checks its foreign keys once at the end, not row by row.

initial_load.first_load drops the loaded tables' foreign keys for the chunks (their deferred
per-row checks at each commit were a large part of the load) and adds them back validated,
also when the load fails; a resumed load and a later import find them as they were.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from minzheng.registry import importing
from minzheng.registry.importing import pg_copy, residents_import
from minzheng.registry.models import Person
from minzheng.registry.tests.test_import import FAMILY, counts, registry_state, write
from minzheng.registry.tests.test_import_pg import registry_plain_indexes
from minzheng.testing import load_test_divisions

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the COPY path is PostgreSQL's")
LINES = [
    *FAMILY,
    "王五,330212197803154439,H002,户主,330212100206,,,,,,独居老人",
    "王妻,330212198004226058,H002,配偶,330212100206,,,,,,",
]


def foreign_keys() -> list[tuple]:
    """Every foreign key of the registry's tables: name, definition, validated."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid::regclass::text LIKE 'registry_%%' ORDER BY 1, 2"
        )
        return cursor.fetchall()


def _watching(monkeypatch: pytest.MonkeyPatch, die_on: int = 0) -> list[list[tuple]]:
    """The foreign keys each COPY chunk saw; chunk `die_on` dies before writing."""
    seen: list[list[tuple]] = []
    real = pg_copy.load_chunk

    def watched(*args: Any) -> int:
        seen.append(foreign_keys())
        if len(seen) == die_on:
            raise RuntimeError("进程被终止")
        return real(*args)

    monkeypatch.setattr(pg_copy, "load_chunk", watched)
    return seen


@postgres_only
@pytest.mark.django_db(transaction=True)  # as in production: the load's chunks commit
def test_first_load_checks_foreign_keys_at_the_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_test_divisions()
    monkeypatch.setattr(importing, "CHUNK", 2)
    keys = foreign_keys()
    loaded = {table for table, *_ in keys}
    assert {"registry_person", "registry_household", "registry_persontag"} <= loaded
    seen = _watching(monkeypatch)
    assert counts(residents_import(path=write(tmp_path, LINES), actor=None)) == (5, 5, 0, 5, 0, 0)
    assert len(seen) == 3
    for during in seen:  # none of the three loaded tables' keys while the chunks ran; the others stay
        assert [k for k in during if k[0] in {"registry_person", "registry_household", "registry_persontag"}] == []
    assert foreign_keys() == keys  # all back, validated, with their DEFERRABLE definitions


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_failed_first_load_puts_foreign_keys_back_and_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import job_enqueue, job_run_now

    load_test_divisions()
    monkeypatch.setattr(importing, "CHUNK", 2)
    keys, indexes = foreign_keys(), registry_plain_indexes()
    path = write(tmp_path, LINES)
    job = job_enqueue(kind="registry.import_residents", params={"path": str(path), "original_name": "居民.csv"})
    _watching(monkeypatch, die_on=2)
    failed = job_run_now(job)
    assert failed is not None and failed.status == Job.Status.FAILED
    assert (failed.checkpoint["rows_done"], Person.objects.count()) == (3, 2)  # chunk 1 committed
    assert foreign_keys() == keys and registry_plain_indexes() == indexes  # never left without them
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    ended = job_run_now(job)
    assert ended is not None and ended.status == Job.Status.DONE
    assert (ended.result["created"], Person.objects.count()) == (5, 5)
    assert foreign_keys() == keys and registry_plain_indexes() == indexes
    before = registry_state()
    assert counts(residents_import(path=path, actor=None)) == (5, 5, 0, 0, 0, 5) and registry_state() == before
