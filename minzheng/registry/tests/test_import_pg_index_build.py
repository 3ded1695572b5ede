"""Issue 16: after a PostgreSQL first load the deferred indexes are built by two connections at once
(initial_load._indexes_in_parallel); a build that fails still leaves every index and foreign key back,
and the job resumes to the same registry."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from django.db import connection

from minzheng.registry import importing
from minzheng.registry.importing import initial_load, residents_import
from minzheng.registry.models import Person
from minzheng.registry.tests.test_import import counts, registry_state, write
from minzheng.registry.tests.test_import_pg import registry_plain_indexes
from minzheng.registry.tests.test_import_pg_foreign_keys import LINES, foreign_keys
from minzheng.testing import load_test_divisions

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the COPY path is PostgreSQL's")


def _backend() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


@postgres_only
@pytest.mark.django_db(transaction=True)  # as in production: the chunks commit, indexes are deferred
def test_deferred_indexes_built_by_two_connections(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_test_divisions()
    monkeypatch.setattr(importing, "CHUNK", 2)
    indexes, keys, deferred = registry_plain_indexes(), foreign_keys(), _deferred()
    builds: list[tuple[int, list[str]]] = []
    real = initial_load._indexes_build

    def watched(part: list[list[str]], helper: bool = False) -> None:
        builds.append((_backend(), [name for name, _ in part]))
        real(part, helper)

    monkeypatch.setattr(initial_load, "_indexes_build", watched)
    assert counts(residents_import(path=write(tmp_path, LINES), actor=None)) == (5, 5, 0, 5, 0, 0)
    assert len(builds) == 2 and builds[0][0] != builds[1][0]  # two backends
    first, second = (set(names) for _, names in builds)
    assert first and second and not first & second  # each index built once, half each
    assert first | second == deferred and len(deferred) > 2
    assert registry_plain_indexes() == indexes and foreign_keys() == keys


def _deferred() -> set[str]:
    """The plain indexes of the loaded tables (person, 户, tags): those a first load defers."""
    with connection.cursor() as cursor:
        cursor.execute(initial_load._PG_PLAIN_INDEXES, initial_load._TABLES)
        return {name for name, _ in cursor.fetchall()}


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_failed_parallel_build_puts_indexes_back_and_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import job_enqueue, job_run_now

    load_test_divisions()
    monkeypatch.setattr(importing, "CHUNK", 2)
    indexes, keys = registry_plain_indexes(), foreign_keys()
    path = write(tmp_path, LINES)
    real = initial_load._indexes_build

    def second_connection_dies(part: list[list[str]], helper: bool = False) -> None:
        if helper:
            assert threading.current_thread() is not threading.main_thread()
            connection.close()
            raise RuntimeError("建索引的连接中断")
        real(part, helper)

    monkeypatch.setattr(initial_load, "_indexes_build", second_connection_dies)
    job = job_enqueue(kind="registry.import_residents", params={"path": str(path), "original_name": "居民.csv"})
    failed = job_run_now(job)
    assert failed is not None and failed.status == Job.Status.FAILED
    assert Person.objects.count() == 5  # every chunk committed before the indexes
    assert registry_plain_indexes() == indexes and foreign_keys() == keys  # never left without them
    monkeypatch.setattr(initial_load, "_indexes_build", real)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    ended = job_run_now(job)
    assert ended is not None and ended.status == Job.Status.DONE
    assert (ended.result["created"], ended.result["rows"], Person.objects.count()) == (5, 5, 5)
    assert registry_plain_indexes() == indexes and foreign_keys() == keys
    before = registry_state()
    assert counts(residents_import(path=path, actor=None)) == (5, 5, 0, 0, 0, 5) and registry_state() == before


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_import_on_a_worker_thread_keeps_its_connection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Only the helper's connection is closed after the build, not the importing thread's own (a job runner's)."""
    load_test_divisions()
    monkeypatch.setattr(importing, "CHUNK", 2)
    path = write(tmp_path, LINES)
    seen: dict[str, object] = {}

    def run() -> None:
        try:
            before = _backend()
            seen["counts"] = counts(residents_import(path=path, actor=None))
            seen["same"] = _backend() == before
        finally:
            connection.close()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join()
    assert seen == {"counts": (5, 5, 0, 5, 0, 0), "same": True}
