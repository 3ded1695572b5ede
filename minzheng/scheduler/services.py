"""The scheduler: sync the table from the registry, claim due schedules, run them, record results.

`scheduler_tick(now)` is the whole mechanism; `scheduler_loop` calls it about once a second in the
thread `minzheng serve` starts and in `minzheng worker`. Time is passed in so tests drive the clock.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, close_old_connections, connection
from django.db.models import F
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.scheduler.models import Schedule
from minzheng.scheduler.registry import SCHEDULES, Spec

log = logging.getLogger(__name__)


class SchedulerError(Exception):
    """A refused scheduler action; the message is Chinese."""


@dataclass(frozen=True)
class RunResult:
    name: str
    at: dt.datetime
    ok: bool
    result: Any
    error: str = ""


def next_due(*, every: dt.timedelta | None, daily_at: dt.time | None, after: dt.datetime) -> dt.datetime:
    """The first due time strictly after `after`: interval from then, or the next local daily time."""
    if every is not None:
        return after + every
    assert daily_at is not None
    local = timezone.localtime(after)
    candidate = dt.datetime.combine(local.date(), daily_at, tzinfo=local.tzinfo)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), daily_at, tzinfo=local.tzinfo)
    return candidate


def _cadence(spec: Spec) -> dict[str, Any]:
    return {
        "interval_seconds": int(spec.every.total_seconds()) if spec.every else None,
        "daily_at": spec.daily_at,
        "job": spec.job,
        "label": spec.label,
    }


def schedules_sync(now: dt.datetime | None = None) -> int:
    """Create a row for every registered schedule; keep code-defined fields in step. Returns rows created."""
    now = now or timezone.now()
    existing = {s.name: s for s in Schedule.objects.filter(name__in=list(SCHEDULES))}
    created = 0
    for name, spec in SCHEDULES.items():
        fields = _cadence(spec)
        row = existing.get(name)
        # An interval schedule is due at once (nothing may wait for its first period); a daily one at its time.
        first = now if spec.every else next_due(every=None, daily_at=spec.daily_at, after=now)
        if row is None:
            _, new = Schedule.objects.get_or_create(name=name, defaults={**fields, "next_run_at": first})
            created += new
        elif any(getattr(row, k) != v for k, v in fields.items()):
            cadence_changed = (row.interval_seconds, row.daily_at) != (fields["interval_seconds"], spec.daily_at)
            # A new cadence starts afresh: a daily job turned into a 10-second one must not wait for tomorrow.
            extra = {"next_run_at": first} if cadence_changed else {}
            Schedule.objects.filter(pk=row.pk).update(**fields, **extra)
    return created


def _claim(row: Schedule, now: dt.datetime) -> bool:
    """Compare-and-set on next_run_at: of two tickers that saw the same due row, exactly one wins."""
    spec = SCHEDULES[row.name]
    following = next_due(every=spec.every, daily_at=spec.daily_at, after=now)
    won = Schedule.objects.filter(pk=row.pk, enabled=True, next_run_at=row.next_run_at).update(
        next_run_at=following, last_run_at=now
    )
    return won == 1


def _run(spec: Spec, now: dt.datetime) -> RunResult:
    """Call the function and record how it went; a failure is recorded, never raised into the loop."""
    try:
        result = spec.call(now)
    except Exception as exc:  # one broken schedule must not stop the others (the ladder among them)
        log.exception("schedule %s failed", spec.name)
        error = (str(exc) or exc.__class__.__name__)[:2000]
        Schedule.objects.filter(name=spec.name).update(
            last_ok=False, last_error=error, last_finished_at=timezone.now(),
            run_count=F("run_count") + 1, failure_count=F("failure_count") + 1,
        )  # fmt: skip
        return RunResult(spec.name, now, False, None, error)
    stored = result if isinstance(result, dict) else {"result": result}
    Schedule.objects.filter(name=spec.name).update(
        last_ok=True, last_error="", last_result=stored, last_finished_at=timezone.now(), run_count=F("run_count") + 1
    )
    return RunResult(spec.name, now, True, result)


def claim_due(
    now: dt.datetime, *, skip: set[str] | frozenset[str] = frozenset()
) -> tuple[list[Spec], DatabaseError | None]:
    """Claim every enabled schedule due at `now` (minus `skip`) that this caller wins.

    A database error part-way (a locked SQLite file, a dropped connection) stops the claiming and is
    returned beside what was already won: a claimed schedule must still run, or it would be lost until
    its next period (for the emergency ladder, a rung late). Errors before any claim are raised.
    """
    schedules_sync(now)
    due = Schedule.objects.filter(enabled=True, next_run_at__lte=now, name__in=list(SCHEDULES)).order_by("next_run_at")
    won: list[Spec] = []
    for row in list(due):
        if row.name in skip:
            continue
        try:
            if _claim(row, now):
                won.append(SCHEDULES[row.name])
        except DatabaseError as exc:
            return won, exc
    return won, None


def scheduler_tick(now: dt.datetime | None = None) -> list[RunResult]:
    """Run, one after another in this thread, every schedule due at `now` that this caller wins the claim for.

    A database error while claiming is raised after the schedules already claimed have run.
    """
    now = now or timezone.now()
    claimed, error = claim_due(now)
    results = [_run(spec, now) for spec in claimed]
    if error is not None:
        raise error
    return results


def schedule_run(*, name: str, actor: Actor | None = None, now: dt.datetime | None = None) -> RunResult:
    """Run one schedule now, whatever its due time (`minzheng scheduler run NAME`); audited."""
    spec = SCHEDULES.get(name)
    if spec is None:
        known = "、".join(sorted(SCHEDULES)) or "无"
        raise SchedulerError(f"没有名为 {name} 的定时任务（已登记：{known}）")
    now = now or timezone.now()
    schedules_sync(now)
    Schedule.objects.filter(name=name).update(last_run_at=now)
    outcome = _run(spec, now)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="scheduler_schedule",
        object_id=name,
        summary=f"手动执行定时任务 {spec.label}：" + ("成功" if outcome.ok else f"失败（{outcome.error[:200]}）"),
    )
    return outcome


def schedule_set_enabled(*, name: str, enabled: bool, actor: Actor | None = None) -> Schedule:
    schedules_sync()
    row = Schedule.objects.filter(name=name).first()
    if row is None:
        raise SchedulerError(f"没有名为 {name} 的定时任务")
    row.enabled = enabled
    row.save(update_fields=["enabled"])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="scheduler_schedule",
        object_id=name,
        summary=f"{'启用' if enabled else '停用'}定时任务 {row.label or name}",
    )
    return row


class _Pool:
    """Runs claimed schedules on worker threads, so one hung function (a stuck SMS gateway) never holds
    up the others (the emergency ladder); a schedule still running here is not claimed again here."""

    def __init__(self, size: int = 8) -> None:
        self.executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix="schedule")
        self.lock = threading.Lock()
        self.running: set[str] = set()

    def busy(self) -> frozenset[str]:
        with self.lock:
            return frozenset(self.running)

    def submit(self, spec: Spec, now: dt.datetime) -> None:
        with self.lock:
            self.running.add(spec.name)
        self.executor.submit(self._run, spec, now)

    def _run(self, spec: Spec, now: dt.datetime) -> None:
        try:
            _run(spec, now)
        except Exception:  # recording the result failed (database away): logged, the next due time retries
            log.exception("schedule %s could not be recorded", spec.name)
        finally:
            connection.close()  # this worker thread's own connection
            with self.lock:
                self.running.discard(spec.name)


def scheduler_loop(
    *,
    stop: threading.Event | None = None,
    idle_sleep: float = 1.0,
    clock: Callable[[], dt.datetime] = timezone.now,
    once: bool = False,
    own_connection: bool = False,
) -> int:
    """Tick until stopped (about once a second); returns the runs started. Survives database errors.

    `own_connection`: this loop runs in its own thread, may drop and reopen the thread's database
    connection, and runs the schedules on a pool of threads (never in a caller's thread, whose
    connection may be inside a transaction: there the schedules run inline).
    """
    stop = stop or threading.Event()
    pool = _Pool() if own_connection else None
    runs = 0
    try:
        while not stop.is_set():
            runs += _loop_once(clock(), pool)
            if once:
                break
            stop.wait(idle_sleep)
    finally:
        if pool is not None:
            pool.executor.shutdown(wait=False)
    return runs


def _loop_once(now: dt.datetime, pool: _Pool | None) -> int:
    if pool is None:
        return len(scheduler_tick(now))
    close_old_connections()
    try:
        claimed, error = claim_due(now, skip=pool.busy())
    except Exception:  # the database may be briefly unavailable; keep the loop (and the ladder) alive
        log.exception("scheduler tick failed")
        connection.close()
        return 0
    for spec in claimed:
        pool.submit(spec, now)
    if error is not None:  # the unclaimed rest is still due, so the next tick claims it
        log.warning("scheduler claim stopped by a database error: %s", error)
        connection.close()
    return len(claimed)


def _thread_main(stop: threading.Event | None, idle_sleep: float) -> None:
    try:
        scheduler_loop(stop=stop, idle_sleep=idle_sleep, own_connection=True)
    finally:
        connection.close()


def start_scheduler_thread(*, stop: threading.Event | None = None, idle_sleep: float = 1.0) -> threading.Thread:
    """The scheduler as a daemon thread (`minzheng serve`, `minzheng worker`)."""
    thread = threading.Thread(target=_thread_main, args=(stop, idle_sleep), name="scheduler", daemon=True)
    thread.start()
    return thread
