from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from minzheng.jobs.models import Job
from minzheng.jobs.services import JobContext, job_claim, job_enqueue, job_handler, job_run, job_run_now, worker_loop

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


def test_stale_running_job_is_reclaimed(db: None) -> None:
    job = job_enqueue(kind="test.count_to", params={"n": 20})
    claimed = job_claim(job.pk)
    assert claimed is not None
    assert job_claim(job.pk) is None
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    reclaimed = job_claim(job.pk)
    assert reclaimed is not None and reclaimed.attempts == 2
    assert job_run(reclaimed).status == Job.Status.DONE


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
