"""Background jobs: enqueue, claim (compare-and-set), report progress, finish, cancel.

No broker: the database is the queue. A worker (`minzheng worker`, or a
thread the web server starts for a job it just queued) claims a job by
flipping its status from queued to running in one UPDATE; only one claimer
can see that UPDATE touch a row. Each claim records its process in `worker`
(host, pid, process start time). A running job is abandoned, and may be claimed
again at once, when that process is gone from this host; for another host only
the heartbeat lease tells, so there a job whose heartbeat is older than STALE
is treated as dead. Its checkpoint lets the handler skip work already done.

Heavy kinds (file imports, batch runs: `@job_handler(kind, heavy=True)`) run in
a child process (`python -m minzheng.jobs.run_one`) with an address-space limit,
so an abort, a segfault or a runaway allocation in a parser ends that child and
not the web server; the parent records the crash. A job whose worker died
MAX_CRASHES times is failed with a Chinese reason instead of being retried for ever.
A cancelled job is marked failed with cancelled_at set; its handler stops at its
next progress() call, and a child running it is killed.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
from collections.abc import Callable
from functools import cache
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, close_old_connections, connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteDatabaseWrapper
from django.db.models import F, Q
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.jobs.models import Job

log = logging.getLogger(__name__)
STALE = dt.timedelta(minutes=2)
MAX_CRASHES = 2
Handler = Callable[["JobContext"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}
HEAVY: set[str] = set()
# A file or request refused with a Chinese reason (core.tabular, core.fileguard, the feed engine, rules):
# recorded on the job like any failure, but logged without a traceback (a CLI shows the reason only).
REFUSALS = {"TabularError", "FileRefused", "FeedError", "RulesError"}


class JobError(ValueError):
    """A job operation refused; the message is Chinese."""


class JobCancelled(Exception):
    """Raised by progress() when the job is no longer running (cancelled, or interrupted by the CLI).

    An Exception, so a handler's own `except Exception` still marks its run record failed.
    """


def job_handler(kind: str, *, heavy: bool = False) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of this kind (in each app's tasks.py).

    heavy=True: reads files or runs a batch engine; runs in a child process (see module doc).
    """

    def register(fn: Handler) -> Handler:
        HANDLERS[kind] = fn
        if heavy:
            HEAVY.add(kind)
        return fn

    return register


class JobContext:
    """What a handler sees: params, the checkpoint, and a progress reporter."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.params: dict[str, Any] = job.params
        self.checkpoint: dict[str, Any] = dict(job.checkpoint)

    def progress(self, done: int, total: int | None = None, checkpoint: dict[str, Any] | None = None) -> None:
        """Persist progress (and a checkpoint) and beat the heart. Call per chunk.

        Raises JobCancelled when the job is no longer running: inside a chunk's transaction that
        rolls the chunk back together with its checkpoint, so a later resume is still exact.
        """
        fields: dict[str, Any] = {"progress_done": done, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["progress_total"] = total
        if checkpoint is not None:
            fields["checkpoint"] = checkpoint
        if not Job.objects.filter(pk=self.job.pk, status=Job.Status.RUNNING).update(**fields):
            raise JobCancelled("任务已取消或已中断")
        if checkpoint is not None:
            self.checkpoint = checkpoint
        for key, value in fields.items():
            setattr(self.job, key, value)


def job_enqueue(*, kind: str, params: dict[str, Any], actor: Actor | None = None) -> Job:
    if kind not in HANDLERS:
        raise ValueError(f"未知的任务类型：{kind}")
    creator = actor if getattr(actor, "is_authenticated", False) else None
    return Job.objects.create(kind=kind, params=params, created_by=creator)


# --- who runs a job ----------------------------------------------------------------------------
@cache
def _host() -> str:
    return socket.gethostname()[:100]


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), so a reused pid is not taken for it."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            return fh.read().rsplit(b")", 1)[1].split()[19].decode()
    except (OSError, IndexError):
        return ""


def this_worker() -> str:
    pid = os.getpid()
    return f"{_host()} {pid} {_start_time(pid)}".strip()


def _worker_gone(worker: str) -> bool:
    """True when `worker` names a process on this host that no longer exists (or is another process now)."""
    parts = worker.split()
    if len(parts) < 2 or parts[0] != _host() or not parts[1].isdigit():
        return False
    pid = int(parts[1])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, another user's
    started = parts[2] if len(parts) > 2 else ""
    return bool(started) and _start_time(pid) not in ("", started)


def job_is_abandoned(job: Job) -> bool:
    """Running, but nobody runs it: its process is gone (this host), or its lease ran out (another host)."""
    if job.status != Job.Status.RUNNING:
        return False
    if job.worker.split(" ", 1)[0] == _host():
        return _worker_gone(job.worker)
    return job.heartbeat_at is None or job.heartbeat_at < timezone.now() - STALE


def job_is_claimable(job: Job) -> bool:
    return job.status == Job.Status.QUEUED or job_is_abandoned(job)


# --- claim and run -----------------------------------------------------------------------------
def _abandoned_candidates() -> Q:
    # Running jobs of this host are candidates whatever their heartbeat: job_is_abandoned decides.
    stale_before = timezone.now() - STALE
    return Q(status=Job.Status.RUNNING, heartbeat_at__lt=stale_before) | Q(
        status=Job.Status.RUNNING, worker__startswith=f"{_host()} "
    )


def job_claim(job_id: int | None = None) -> Job | None:
    """Claim one job (this one, or the oldest abandoned, or the oldest queued). None if someone else has it."""
    running = Job.objects.filter(_abandoned_candidates())
    queued = Job.objects.filter(status=Job.Status.QUEUED)
    if job_id is not None:
        running, queued = running.filter(pk=job_id), queued.filter(pk=job_id)
    # Two lists: jobs alive on this host are candidates too, and must not crowd out the queue.
    for job in [*running.order_by("created_at")[:50], *queued.order_by("created_at")[:5]]:
        if not job_is_claimable(job):
            continue
        if job.status == Job.Status.RUNNING and _give_up_abandoned(job):
            continue
        now = timezone.now()
        # Compare-and-set on (status, attempts): one claimer wins, a second sees attempts moved on.
        won = Job.objects.filter(pk=job.pk, status=job.status, attempts=job.attempts).update(
            status=Job.Status.RUNNING,
            heartbeat_at=now,
            started_at=job.started_at or now,
            attempts=job.attempts + 1,
            worker=this_worker(),
        )
        if won == 1:
            job.refresh_from_db()
            return job
    return None


def _give_up_abandoned(job: Job) -> bool:
    """An abandoned job counts a crash of its worker (unless a parent already counted it: heavy kinds).

    True when that was the last allowed crash: the job is failed instead of claimed.
    """
    if job.kind in HEAVY and _isolated():
        return False  # its parent watched the child and counted any crash; a stopped server is no crash
    crashes = job.crashes + 1
    cause = "处理它的后台进程意外退出（可能是服务被停止、崩溃或内存不足）"
    if crashes < MAX_CRASHES:
        Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, attempts=job.attempts).update(crashes=crashes)
        job.crashes = crashes
        return False
    _fail_crashed(job, cause, crashes)
    return True


def _fail_crashed(job: Job, cause: str, crashes: int) -> None:
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.FAILED,
        crashes=crashes,
        error=f"任务{_times(crashes)}导致后台进程异常退出，已停止重试：{cause}"[:2000],
        finished_at=timezone.now(),
    )


def _times(n: int) -> str:
    return "两次" if n == 2 else f" {n} 次"


def job_run(job: Job) -> Job:
    """Run a claimed job to completion or failure. Handlers must be idempotent.

    Heavy kinds go to a child process unless jobs run inline (tests) or isolation is off.
    """
    if job.kind in HEAVY and _isolated():
        from minzheng.jobs.child import run_in_child

        return run_in_child(job)
    return job_execute(job)


def _isolated() -> bool:
    return getattr(settings, "JOBS_ISOLATE", True) and not _inline()


def _inline() -> bool:
    # Tests run jobs in the caller's thread: their database lives in the test's
    # transaction (or in memory), which another thread or process cannot see.
    db = connections[DEFAULT_DB_ALIAS]
    return settings.JOBS_INLINE or (isinstance(db, SQLiteDatabaseWrapper) and db.is_in_memory_db())


def job_execute(job: Job) -> Job:
    """Run the handler in this process and record its outcome (only while the job is still running)."""
    ctx = JobContext(job)
    running = Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING)
    try:
        result = HANDLERS[job.kind](ctx)
    except JobCancelled:
        log.info("job %s stopped: no longer running", job.pk)
    except MemoryError:
        limit = getattr(settings, "MINZHENG_JOB_MEMORY_MB", 0)
        message = f"内存不足：任务所需内存超过上限 {limit} MB（MINZHENG_JOB_MEMORY_MB），已停止；请拆分文件后重试"
        running.update(status=Job.Status.FAILED, error=message, finished_at=timezone.now())
    except Exception as exc:  # a job's failure is recorded, never lost
        if type(exc).__name__ in REFUSALS:
            log.info("job %s refused: %s", job.pk, exc)  # the user's message, not a bug: no traceback
        else:
            log.exception("job %s failed", job.pk)
        message = str(exc) or exc.__class__.__name__
        running.update(status=Job.Status.FAILED, error=message[:2000], finished_at=timezone.now())
    else:
        running.update(
            status=Job.Status.DONE,
            result=result,
            finished_at=timezone.now(),
            progress_done=ctx.job.progress_total or ctx.job.progress_done,
        )
    job.refresh_from_db()
    return job


def job_record_crash(job: Job, cause: str) -> bool:
    """The parent saw its child die. True when the job may run again (a first crash)."""
    job.refresh_from_db()
    if job.status != Job.Status.RUNNING:
        return False  # cancelled, or interrupted by the CLI: nothing to retry
    crashes = job.crashes + 1
    if crashes >= MAX_CRASHES:
        _fail_crashed(job, cause, crashes)
        return False
    # Back to the queue with the crash counted; the parent claims it again at once.
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(
        status=Job.Status.QUEUED, crashes=F("crashes") + 1, error=cause[:2000], worker=""
    )
    return True


def job_run_now(job: Job) -> Job | None:
    """Claim and run this job in the current thread (CLI, tests)."""
    claimed = job_claim(job.pk)
    return job_run(claimed) if claimed else None


def job_start_in_background(job: Job) -> None:
    """Run the job in a daemon thread of this process; a worker may race for it safely."""
    if _inline():
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


# --- cancel ------------------------------------------------------------------------------------
def job_cancel(*, job: Job, actor: Actor | None, client_ip: str = "") -> Job:
    """Stop a queued or running job for good: no worker claims it again; audited."""
    from minzheng.audit.models import AuditEvent
    from minzheng.audit.services import audit_record

    who = getattr(actor, "username", "") or "系统"
    now = timezone.now()
    stopped = Job.objects.filter(pk=job.pk, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        status=Job.Status.FAILED,
        cancelled_at=now,
        finished_at=now,
        error=f"已由 {who} 于 {timezone.localtime(now):%Y-%m-%d %H:%M:%S} 取消",
    )
    if not stopped:
        raise JobError(f"任务 {job.pk} 已结束（{job.status_label}），无需取消")
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="job",
        object_id=job.pk,
        summary=f"取消后台任务 {job.pk}（{job.kind}）",
        client_ip=client_ip,
        data={"kind": job.kind, "was": job.status},
    )
    job.refresh_from_db()
    return job
