from __future__ import annotations

import datetime as dt
import subprocess
import sys
from typing import Any

import pytest
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.jobs.models import Job
from minzheng.jobs.services import (
    JobContext,
    JobError,
    job_cancel,
    job_claim,
    job_enqueue,
    job_handler,
    job_is_claimable,
    job_run,
    job_run_now,
    this_worker,
    worker_loop,
)
from minzheng.testing import Cast

CALLS: list[int] = []


@job_handler("test.count_to")
def _count_to(ctx: JobContext) -> dict[str, Any]:
    """Counts in steps of 10, checkpointing; fails once at `fail_at` if asked."""
    start = ctx.checkpoint.get("done", 0)
    total = ctx.params["n"]
    for done in range(start + 10, total + 1, 10):
        if done == ctx.params.get("fail_at") and not ctx.checkpoint.get("failed_once"):
            ctx.progress(done - 10, total, checkpoint={**ctx.checkpoint, "failed_once": True})
            raise RuntimeError("模拟中断")
        CALLS.append(done)
        if done == ctx.params.get("cancel_at"):
            job_cancel(job=ctx.job, actor=None)  # someone presses 取消 while this chunk runs
        ctx.progress(done, total, checkpoint={**ctx.checkpoint, "done": done})
    return {"counted": total}


@pytest.fixture(autouse=True)
def _reset() -> None:
    CALLS.clear()


def test_enqueue_unknown_kind_is_refused(db: None) -> None:
    with pytest.raises(ValueError, match="未知的任务类型：nope"):
        job_enqueue(kind="nope", params={})


def test_claim_is_compare_and_set(db: None) -> None:
    job = job_enqueue(kind="test.count_to", params={"n": 30})
    assert job_claim(job.pk) is not None
    assert job_claim(job.pk) is None  # the second claimer loses


def test_run_reports_progress_and_result(db: None) -> None:
    job = job_run_now(job_enqueue(kind="test.count_to", params={"n": 30}))
    assert job is not None
    assert (job.status, job.result, job.progress_done, job.progress_total, job.percent) == (
        Job.Status.DONE,
        {"counted": 30},
        30,
        30,
        100,
    )


def test_failure_is_recorded_and_resume_continues_from_checkpoint(db: None) -> None:
    job = job_run_now(job_enqueue(kind="test.count_to", params={"n": 50, "fail_at": 30}))
    assert job is not None
    assert (job.status, job.error, job.checkpoint["done"]) == (Job.Status.FAILED, "模拟中断", 20)
    # An operator re-queues it; the worker resumes after 20 instead of starting over.
    Job.objects.filter(pk=job.pk).update(status=Job.Status.QUEUED)
    assert worker_loop(once=True) == 1
    job.refresh_from_db()
    assert job.status == Job.Status.DONE
    assert CALLS == [10, 20, 30, 40, 50]


def test_stale_running_job_of_another_host_is_reclaimed(db: None) -> None:
    """Another host's process cannot be asked: there the heartbeat lease decides."""
    job = job_enqueue(kind="test.count_to", params={"n": 20})
    claimed = job_claim(job.pk)
    assert claimed is not None
    Job.objects.filter(pk=job.pk).update(worker="elsewhere 4242 1")
    assert job_claim(job.pk) is None  # a fresh heartbeat: still someone's
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    reclaimed = job_claim(job.pk)
    assert reclaimed is not None and reclaimed.attempts == 2 and reclaimed.worker == this_worker()
    assert job_run(reclaimed).status == Job.Status.DONE


def _dead_pid() -> int:
    """The pid of a process that has exited and been reaped."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_killed_worker_on_this_host_is_resumed_at_once(db: None) -> None:
    """Issue 9 item 10: a killed import resumed only after the 2-minute lease; now its gone pid says so."""
    job = job_enqueue(kind="test.count_to", params={"n": 20})
    assert job_claim(job.pk) is not None
    host = this_worker().split()[0]
    # Heartbeat just now, but the process that claimed it is gone: no waiting for STALE.
    Job.objects.filter(pk=job.pk).update(worker=f"{host} {_dead_pid()} 1", heartbeat_at=timezone.now())
    assert job_is_claimable(Job.objects.get(pk=job.pk))
    reclaimed = job_claim(job.pk)
    assert reclaimed is not None and reclaimed.attempts == 2 and reclaimed.crashes == 1


def test_live_worker_on_this_host_keeps_its_job_past_the_lease(db: None) -> None:
    """A long step without progress() is no reason to run the job twice while its process lives."""
    job = job_enqueue(kind="test.count_to", params={"n": 20})
    assert job_claim(job.pk) is not None  # claimed by this (live) process
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=30))
    assert job_claim(job.pk) is None


def test_job_that_killed_its_worker_twice_is_failed_not_retried(db: None) -> None:
    """Before: a stale running job was claimed again for ever, and aborted the server each time."""
    job = job_enqueue(kind="test.count_to", params={"n": 20})
    host = this_worker().split()[0]
    for _ in range(2):
        claimed = job_claim(job.pk)
        assert claimed is not None
        Job.objects.filter(pk=job.pk).update(worker=f"{host} {_dead_pid()} 1")  # its process died
    assert job_claim(job.pk) is None and worker_loop(once=True) == 0
    job.refresh_from_db()
    assert (job.status, job.crashes, job.attempts) == (Job.Status.FAILED, 2, 2)
    assert job.error.startswith("任务两次导致后台进程异常退出，已停止重试：")


def test_cancel_queued_job_is_never_claimed_and_is_audited(cast: Cast) -> None:
    job = job_enqueue(kind="test.count_to", params={"n": 20}, actor=cast.village_worker)
    cancelled = job_cancel(job=job, actor=cast.sysadmin, client_ip="10.1.2.3")
    assert (cancelled.status, cancelled.status_label) == (Job.Status.FAILED, "已取消")
    assert cancelled.error.startswith("已由 guanli 于 ")
    assert job_claim(job.pk) is None and worker_loop(once=True) == 0
    event = AuditEvent.objects.get(object_type="job")
    assert (event.action, event.actor_username, event.object_id, event.client_ip) == (
        AuditEvent.Action.UPDATE,
        "guanli",
        str(job.pk),
        "10.1.2.3",
    )
    with pytest.raises(JobError, match="已结束（已取消），无需取消"):
        job_cancel(job=cancelled, actor=cast.sysadmin)


def test_cancelled_running_job_stops_at_its_next_progress(db: None) -> None:
    """The handler sees the cancel: progress() raises, the chunk's checkpoint is not advanced."""
    job = job_enqueue(kind="test.count_to", params={"n": 50, "cancel_at": 30})
    finished = job_run_now(job)
    assert finished is not None
    assert (finished.status, finished.status_label, finished.checkpoint["done"]) == (Job.Status.FAILED, "已取消", 20)
    assert CALLS == [10, 20, 30] and not finished.result


def test_jobs_cancel_cli(db: None) -> None:
    from typer.testing import CliRunner

    from minzheng import cli_extra  # noqa: F401 - registers `jobs cancel`
    from minzheng.cli import app

    job = job_enqueue(kind="test.count_to", params={"n": 20})
    first = CliRunner().invoke(app, ["jobs", "cancel", str(job.pk)])
    assert first.exit_code == 0 and f"已取消任务 {job.pk}" in first.output
    again = CliRunner().invoke(app, ["jobs", "cancel", str(job.pk)])
    assert again.exit_code == 1 and "无需取消" in again.output
    assert AuditEvent.objects.filter(object_type="job", actor_username="系统").count() == 1
    assert CliRunner().invoke(app, ["jobs", "cancel", "999999"]).exit_code == 1


@pytest.mark.django_db(transaction=True)
def test_background_thread_runs_job_to_completion(settings: Any) -> None:
    """The web path: the page queues a job and a thread runs it (inline only for in-memory SQLite)."""
    import time

    from minzheng.jobs.services import job_start_in_background

    settings.JOBS_INLINE = False
    job = job_enqueue(kind="test.count_to", params={"n": 40})
    job_start_in_background(job)
    deadline = time.monotonic() + 10
    while job.status != Job.Status.DONE and time.monotonic() < deadline:
        time.sleep(0.05)
        job.refresh_from_db()
    assert (job.status, job.result) == (Job.Status.DONE, {"counted": 40})


def test_import_cli_resumes_a_killed_import_at_once(db: None, tmp_path: Any) -> None:
    """Issue 9 item 10: `minzheng import residents` said 正在另一进程中运行 for two minutes after a kill."""
    from minzheng.registry.tasks import import_job_for_file

    path = tmp_path / "村里.csv"
    path.write_text("姓名,公民身份号码,户编号,与户主关系,现住址区划代码\n", encoding="utf-8")
    job, resumed = import_job_for_file(path)
    assert job is not None and not resumed and job_claim(job.pk) is not None
    assert import_job_for_file(path) == (None, False)  # its process (this one) is alive: not twice
    host = this_worker().split()[0]
    Job.objects.filter(pk=job.pk).update(worker=f"{host} {_dead_pid()} 1", heartbeat_at=timezone.now())
    again, resumed = import_job_for_file(path)
    assert again is not None and again.pk == job.pk and resumed


def test_jobs_running_on_this_host_do_not_crowd_out_the_queue(db: None) -> None:
    """Live running jobs of this host are claim candidates (their process is asked); the queue still moves."""
    for _ in range(25):
        assert job_claim(job_enqueue(kind="test.count_to", params={"n": 10}).pk) is not None
    waiting = job_enqueue(kind="test.count_to", params={"n": 10})
    claimed = job_claim()
    assert claimed is not None and claimed.pk == waiting.pk
