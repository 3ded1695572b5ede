"""Heavy jobs run in a child process: a crash ends the child, the parent (this test) records it.

These need a database the child process can see: PostgreSQL, or SQLite in a file. On the default
in-memory SQLite, `test_child_tests_on_a_file_database` runs this module again in a pytest
subprocess with a file database, so both CI legs exercise the real child.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from minzheng.jobs.models import Job
from minzheng.jobs.services import job_cancel, job_enqueue, job_run_now, job_start_in_background
from minzheng.jobs.tests import crashers  # noqa: F401 - registers the test handlers
from minzheng.jobs.tests.hostile import sparse
from minzheng.registry.models import Person

pytestmark = pytest.mark.django_db(transaction=True)


def _in_memory() -> bool:
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


@pytest.fixture
def child_mode(settings: Any) -> None:
    if _in_memory():
        pytest.skip("内存数据库子进程看不到；由 test_child_tests_on_a_file_database 在文件数据库上运行")
    settings.JOBS_INLINE = False


def test_abort_in_child_is_recorded_and_failed_after_two_crashes(child_mode: None) -> None:
    job = job_run_now(job_enqueue(kind="test.abort", params={}))
    assert job is not None  # and this process, the parent, is still here to say so
    assert (job.status, job.crashes, job.attempts) == (Job.Status.FAILED, 2, 2)
    assert job.error.startswith("任务两次导致后台进程异常退出，已停止重试：进程异常中止（SIGABRT")
    assert job.worker and str(os.getpid()) not in job.worker.split()[1]  # it ran in another process


def test_first_crash_is_retried_once(child_mode: None) -> None:
    job = job_run_now(job_enqueue(kind="test.abort_once", params={}))
    assert job is not None
    assert (job.status, job.crashes, job.result) == (Job.Status.DONE, 1, {"survived": 1})


def test_runaway_allocation_stops_at_the_memory_limit(child_mode: None, settings: Any) -> None:
    """4 GB would be granted without the limit (the machine overcommits); with 3 GB it is a MemoryError."""
    settings.MINZHENG_JOB_MEMORY_MB = 3072
    job = job_run_now(job_enqueue(kind="test.allocate", params={"mb": 4096}))
    assert job is not None and job.status == Job.Status.FAILED
    assert job.error.startswith("内存不足：任务所需内存超过上限 3072 MB")


def test_hostile_xlsx_import_runs_in_child_and_is_refused(child_mode: None, county: None, tmp_path: Path) -> None:
    job = job_enqueue(kind="registry.import_residents", params={"path": str(sparse(tmp_path))})
    job = job_run_now(job)
    assert job is not None and job.status == Job.Status.FAILED and job.crashes == 0
    assert "文件声明的表格范围为 A1:XFD1048576" in job.error
    assert Person.objects.count() == 0


def test_cancel_kills_a_busy_child(child_mode: None) -> None:
    job = job_enqueue(kind="test.busy", params={"seconds": 60})
    job_start_in_background(job)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # until the child has taken the job over
        job.refresh_from_db()
        if job.status == Job.Status.RUNNING and job.progress_total == 1:
            break
        time.sleep(0.1)
    child_pid = int(job.worker.split()[1])
    assert child_pid != os.getpid()
    started = time.monotonic()
    job_cancel(job=job, actor=None)
    while _alive(child_pid) and time.monotonic() - started < 10:
        time.sleep(0.1)
    assert not _alive(child_pid), "the child kept running after the cancel"
    job.refresh_from_db()
    assert (job.status, job.status_label, job.result) == (Job.Status.FAILED, "已取消", {})
    assert [t for t in threading.enumerate() if t.name == f"job-{job.pk}"] == [] or _wait_thread(job.pk)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_thread(job_id: int) -> bool:
    for thread in threading.enumerate():
        if thread.name == f"job-{job_id}":
            thread.join(timeout=10)
    return True


def test_child_tests_on_a_file_database(tmp_path: Path) -> None:
    if not _in_memory():
        pytest.skip("数据库子进程可见：上面的测试已直接运行")
    env = {**os.environ, "MINZHENG_TEST_DB_NAME": str(tmp_path / "test.sqlite3")}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "pytest", __file__, "-q", "-p", "no:randomly", "-k", "not on_a_file_database"]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "5 passed" in done.stdout and "skipped" not in done.stdout
