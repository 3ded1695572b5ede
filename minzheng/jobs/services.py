"""Background jobs: enqueue, claim (compare-and-set), report progress, finish.

No broker: the database is the queue. A worker (`minzheng worker`, or a
thread the web server starts for a job it just queued) claims a job by
flipping its status from queued to running in one UPDATE; only one claimer
can see that UPDATE touch a row. A running job whose heartbeat is older than
STALE is treated as dead and may be claimed again; its checkpoint lets the
handler skip work already done.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import Q
from django.utils import timezone

from minzheng.jobs.models import Job

log = logging.getLogger(__name__)
STALE = dt.timedelta(minutes=2)
Handler = Callable[["JobContext"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}


def job_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of this kind (in each app's tasks.py)."""

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        return fn

    return register


class JobContext:
    """What a handler sees: params, the checkpoint, and a progress reporter."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.params: dict[str, Any] = job.params
        self.checkpoint: dict[str, Any] = dict(job.checkpoint)

    def progress(self, done: int, total: int | None = None, checkpoint: dict[str, Any] | None = None) -> None:
        """Persist progress (and a checkpoint) and beat the heart. Call per chunk."""
        fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["progress_total"] = total
        if checkpoint is not None:
            self.checkpoint = checkpoint
            fields["checkpoint"] = checkpoint
        Job.objects.filter(pk=self.job.pk).update(**fields)
        for key, value in fields.items():
            setattr(self.job, key, value)


def job_enqueue(*, kind: str, params: dict[str, Any], actor: Any = None) -> Job:
    if kind not in HANDLERS:
        raise ValueError(f"未知的任务类型：{kind}")
    creator = actor if getattr(actor, "is_authenticated", False) else None
    return Job.objects.create(kind=kind, params=params, created_by=creator)


def _claimable() -> Q:
    stale_before = timezone.now() - STALE
    return Q(status=Job.Status.QUEUED) | Q(status=Job.Status.RUNNING, heartbeat_at__lt=stale_before)


def job_claim(job_id: int | None = None) -> Job | None:
    """Claim one job (this one, or the oldest claimable). None if someone else has it."""
    candidates = Job.objects.filter(_claimable())
    if job_id is not None:
        candidates = candidates.filter(pk=job_id)
    for job in candidates.order_by("created_at")[:5]:
        now = timezone.now()
        won = Job.objects.filter(_claimable(), pk=job.pk).update(
            status=Job.Status.RUNNING,
            heartbeat_at=now,
            started_at=job.started_at or now,
            attempts=job.attempts + 1,
        )
        if won == 1:
            job.refresh_from_db()
            return job
    return None


def job_run(job: Job) -> Job:
    """Run a claimed job to completion or failure. Handlers must be idempotent."""
    ctx = JobContext(job)
    try:
        result = HANDLERS[job.kind](ctx)
    except Exception as exc:  # a job's failure is recorded, never lost
        log.exception("job %s failed", job.pk)
        message = str(exc) or exc.__class__.__name__
        Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error=message[:2000], finished_at=timezone.now())
    else:
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.DONE,
            result=result,
            finished_at=timezone.now(),
            progress_done=ctx.job.progress_total or ctx.job.progress_done,
        )
    job.refresh_from_db()
    return job


def job_run_now(job: Job) -> Job | None:
    """Claim and run this job in the current thread (CLI, tests)."""
    claimed = job_claim(job.pk)
    return job_run(claimed) if claimed else None


def job_start_in_background(job: Job) -> None:
    """Run the job in a daemon thread of this process; a worker may race for it safely."""
    # Tests run jobs in the caller's thread: their database lives in the test's
    # transaction (or in memory), which another thread cannot see.
    if settings.JOBS_INLINE or (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        job_run_now(job)
        return

    def target() -> None:
        close_old_connections()
        try:
            job_run_now(job)
        finally:
            connection.close()

    threading.Thread(target=target, name=f"job-{job.pk}", daemon=True).start()


def worker_loop(*, once: bool = False, idle_sleep: float = 1.0, stop: threading.Event | None = None) -> int:
    """Claim and run jobs until stopped; returns the number of jobs run."""
    stop = stop or threading.Event()
    ran = 0
    while not stop.is_set():
        job = job_claim()
        if job is None:
            if once:
                break
            stop.wait(idle_sleep)
            continue
        job_run(job)
        ran += 1
    return ran
