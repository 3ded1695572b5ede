"""The scheduler kernel: due schedules run once per due time, from the worker, never from a page."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator

import pytest
from django.db import OperationalError
from django.utils import timezone
from typer.testing import CliRunner

from minzheng.audit.models import AuditEvent
from minzheng.cli import app as cli_app
from minzheng.eldercare.testing import make_elder
from minzheng.emergency import services as emergency
from minzheng.emergency.models import EscalationStep, Incident, Rung
from minzheng.scheduler import cli as _scheduler_cli  # noqa: F401 - registers `scheduler`
from minzheng.scheduler.models import Schedule
from minzheng.scheduler.registry import SCHEDULES, register
from minzheng.scheduler.services import (
    _claim,
    next_due,
    schedule_run,
    scheduler_loop,
    scheduler_tick,
    schedules_sync,
    start_scheduler_thread,
)
from minzheng.server import start_background
from minzheng.testing import Cast

T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


@pytest.fixture(autouse=True)
def only_the_ladder() -> Iterator[None]:
    """Other apps register schedules too; these tests see the emergency ladder and their own only."""
    saved = dict(SCHEDULES)
    SCHEDULES.clear()
    SCHEDULES["emergency.ladder"] = saved["emergency.ladder"]
    yield
    SCHEDULES.clear()
    SCHEDULES.update(saved)


@pytest.fixture
def calls() -> list[dt.datetime]:
    """A test schedule every minute that records each call (thread-safe: list.append)."""
    seen: list[dt.datetime] = []

    def count(*, now: dt.datetime) -> dict[str, int]:
        time.sleep(0.05)  # long enough for a second ticker to arrive while the first one runs
        seen.append(now)
        return {"calls": len(seen)}

    register("test.count", count, every=dt.timedelta(minutes=1), label="测试计数")
    return seen


@pytest.fixture
def broken() -> None:
    def fail(*, now: dt.datetime) -> None:
        raise RuntimeError("磁盘已满")

    register("test.broken", fail, every=dt.timedelta(seconds=30))


def wait_for_rung(pk: int, rung: str, seconds: float = 15) -> str:
    """Poll the incident as a console would, tolerating the test database's shared-cache lock errors."""
    deadline, seen = time.monotonic() + seconds, ""
    while time.monotonic() < deadline:
        try:
            seen = Incident.objects.get(pk=pk).rung
        except OperationalError:  # a writer in another thread holds the in-memory SQLite table
            seen = ""
        if seen == rung:
            break
        time.sleep(0.1)
    return seen


def test_register_needs_one_cadence() -> None:
    with pytest.raises(ValueError, match="every（间隔）或 daily_at（每日时刻）之一"):
        register("test.none", lambda now: None)
    with pytest.raises(ValueError, match="之一"):
        register("test.both", lambda now: None, every=dt.timedelta(minutes=1), daily_at=dt.time(3))
    assert "test.none" not in SCHEDULES and "test.both" not in SCHEDULES


def test_emergency_ladder_is_registered_from_its_app() -> None:
    spec = SCHEDULES["emergency.ladder"]
    assert spec.every == dt.timedelta(seconds=10) and spec.job == "minzheng.emergency.tasks:ladder_tick"


@pytest.mark.django_db
def test_tick_runs_due_schedules_once_per_due_time_and_records(calls: list[dt.datetime]) -> None:
    assert [r.name for r in scheduler_tick(at(0))] == ["emergency.ladder", "test.count"]  # due at once
    assert scheduler_tick(at(0)) == []  # the same time again: nothing is due
    assert [r.name for r in scheduler_tick(at(59))] == ["emergency.ladder"]  # every 10 s; test.count every 60 s
    row = Schedule.objects.get(name="test.count")
    assert (row.next_run_at, row.last_run_at, row.last_ok, row.last_result) == (at(60), at(0), True, {"calls": 1})
    assert (row.label, row.interval_seconds, row.job) == ("测试计数", 60, f"{__name__}:calls.<locals>.count")
    scheduler_tick(at(3600))  # a worker that was down an hour runs it once, not sixty times
    row.refresh_from_db()
    assert calls == [at(0), at(3600)] and row.next_run_at == at(3660) and row.run_count == 2


@pytest.mark.django_db
def test_disabled_schedule_does_not_run(calls: list[dt.datetime]) -> None:
    runner = CliRunner()
    assert runner.invoke(cli_app, ["scheduler", "disable", "test.count"]).exit_code == 0
    scheduler_tick(at(0))
    assert calls == []
    assert AuditEvent.objects.filter(object_type="scheduler_schedule", summary="停用定时任务 测试计数").exists()


@pytest.mark.django_db
def test_a_failure_is_recorded_and_the_others_still_run(broken: None, calls: list[dt.datetime]) -> None:
    results = {r.name: r for r in scheduler_tick(at(0))}
    assert not results["test.broken"].ok and results["test.broken"].error == "磁盘已满"
    assert results["test.count"].ok and results["emergency.ladder"].ok
    row = Schedule.objects.get(name="test.broken")
    assert (row.last_ok, row.last_error, row.failure_count, row.next_run_at) == (False, "磁盘已满", 1, at(30))


def test_daily_schedule_runs_at_local_wall_clock_time() -> None:
    # 03:00 in Asia/Shanghai is 19:00 UTC of the day before.
    assert next_due(every=None, daily_at=dt.time(3, 0), after=at(0)) == dt.datetime(2026, 12, 1, 19, 0, tzinfo=dt.UTC)
    after_three = dt.datetime(2026, 12, 1, 19, 0, 1, tzinfo=dt.UTC)
    assert next_due(every=None, daily_at=dt.time(3, 0), after=after_three) == dt.datetime(
        2026, 12, 2, 19, 0, tzinfo=dt.UTC
    )


@pytest.mark.django_db
def test_claim_is_compare_and_set(calls: list[dt.datetime]) -> None:
    scheduler_tick(at(0))
    stale = Schedule.objects.get(name="test.count")  # what two tickers both read at 09:01
    assert _claim(stale, at(60)) is True
    assert _claim(stale, at(60)) is False  # the other ticker's UPDATE matches no row


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_ticks_run_a_schedule_once(calls: list[dt.datetime]) -> None:
    """Two workers (serve's thread and `minzheng worker`) tick at the same moment: one run."""
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def ticker() -> None:
        from django.db import connection

        try:
            barrier.wait()
            for _ in range(50):  # as the loop does: a tick that met a lock is simply tried again
                try:
                    scheduler_tick(at(0))
                    break
                except OperationalError:  # the test's shared-cache in-memory SQLite reports "table is locked"
                    time.sleep(0.05)
            else:
                raise AssertionError("the tick never got through")
        except BaseException as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=ticker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == [] and calls == [at(0)]
    row = Schedule.objects.get(name="test.count")
    assert (row.last_run_at, row.next_run_at, row.run_count) == (at(0), at(60), 1)


@pytest.mark.django_db
def test_late_tick_dates_each_rung_at_its_true_deadline(cast: Cast) -> None:
    """The ladder's schedule, 20 minutes late: three rungs, each at start + cumulative timeouts."""
    elder = make_elder()
    incident = emergency.alarm_receive(actor=None, kind="button", elder=elder, now=at(0)).incident
    scheduler_tick(at(0))
    assert Incident.objects.get(pk=incident.pk).rung == Rung.OPERATOR
    scheduler_tick(at(59))  # not yet due (the ladder schedule is every 10 s)
    scheduler_tick(at(20 * 60))
    rows = [(s.rung, s.started_at, s.ended_at) for s in EscalationStep.objects.filter(incident=incident)]
    assert rows == [
        (Rung.OPERATOR, at(0), at(60)),
        (Rung.FAMILY, at(60), at(240)),
        (Rung.COMMUNITY, at(240), at(600)),
        (Rung.EMERGENCY, at(600), None),
    ]
    audit = AuditEvent.objects.filter(object_type="emergency_incident", summary__contains="超时自动升级")
    assert [e.data["at"] for e in audit.order_by("pk")] == [at(s).isoformat() for s in (60, 240, 600)]
    assert Schedule.objects.get(name="emergency.ladder").last_result == {"escalated": 3}


@pytest.mark.django_db
def test_ladder_climbs_only_the_rungs_whose_deadlines_passed(cast: Cast) -> None:
    incident = emergency.alarm_receive(actor=None, kind="button", elder=make_elder(), now=at(0)).incident
    scheduler_tick(at(250))  # operator (60 s) and family (180 s) have run out; community (360 s) has not
    incident.refresh_from_db()
    assert (incident.rung, incident.rung_started_at) == (Rung.COMMUNITY, at(240))


@pytest.mark.django_db
def test_scheduler_loop_with_a_controlled_clock_escalates(cast: Cast) -> None:
    incident = emergency.alarm_receive(actor=None, kind="smoke", elder=make_elder(), now=at(0)).incident
    assert scheduler_loop(once=True, clock=lambda: at(61)) == 1
    assert Incident.objects.get(pk=incident.pk).rung == Rung.FAMILY


@pytest.mark.django_db(transaction=True)
def test_serve_threads_escalate_with_no_http_request(cast: Cast) -> None:
    """As `minzheng serve` starts them: the worker and the scheduler thread, real clock, no page open."""
    began = timezone.now() - dt.timedelta(seconds=250)
    incident = emergency.alarm_receive(actor=None, kind="button", elder=make_elder(), now=began).incident
    stop = threading.Event()
    threads = start_background(with_worker=True, stop=stop)
    try:
        assert {t.name for t in threads} == {"worker", "scheduler"}
        assert wait_for_rung(incident.pk, Rung.COMMUNITY) == Rung.COMMUNITY
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    steps = [(s.rung, s.started_at) for s in EscalationStep.objects.filter(incident=incident)]
    assert steps == [
        (Rung.OPERATOR, began),
        (Rung.FAMILY, began + dt.timedelta(seconds=60)),
        (Rung.COMMUNITY, began + dt.timedelta(seconds=240)),
    ]


@pytest.mark.django_db
def test_cli_list_and_run(calls: list[dt.datetime]) -> None:
    runner = CliRunner()
    listing = runner.invoke(cli_app, ["scheduler", "list"])
    assert listing.exit_code == 0 and "emergency.ladder\t一键通超时自动升级\t每 10 秒\t启用" in listing.output
    ran = runner.invoke(cli_app, ["scheduler", "run", "test.count", "--json"])
    assert ran.exit_code == 0 and '"ok": true' in ran.output and len(calls) == 1
    assert AuditEvent.objects.filter(summary="手动执行定时任务 测试计数：成功").exists()
    unknown = runner.invoke(cli_app, ["scheduler", "run", "nope"])
    assert unknown.exit_code == 1 and "没有名为 nope 的定时任务" in unknown.output


@pytest.mark.django_db
def test_a_changed_cadence_takes_effect_at_once(calls: list[dt.datetime]) -> None:
    scheduler_tick(at(0))
    register("test.count", SCHEDULES["test.count"].func, daily_at=dt.time(3, 0), label="测试计数")
    scheduler_tick(at(1))  # re-synced: next run at 03:00 Beijing time, not one minute after 09:00 UTC
    assert Schedule.objects.get(name="test.count").next_run_at == dt.datetime(2026, 12, 1, 19, 0, tzinfo=dt.UTC)


@pytest.mark.django_db
def test_worker_once_runs_what_is_due(cast: Cast) -> None:
    """`minzheng worker --once` (cron-style deployments) also climbs the ladder."""
    began = timezone.now() - dt.timedelta(seconds=70)
    incident = emergency.alarm_receive(actor=None, kind="button", elder=make_elder(), now=began).incident
    result = CliRunner().invoke(cli_app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    incident.refresh_from_db()
    assert (incident.rung, incident.rung_started_at) == (Rung.FAMILY, began + dt.timedelta(seconds=60))


@pytest.mark.django_db
def test_functions_get_the_time_in_the_form_they_ask_for() -> None:
    seen: dict[str, object] = {}

    def by_day(today: dt.date | None = None) -> dict[str, str]:
        seen["today"] = today
        return {"day": str(today)}

    def plain() -> int:
        seen["plain"] = True
        return 7

    register("test.by_day", by_day, daily_at=dt.time(8, 0))
    register("test.plain", plain, every=dt.timedelta(seconds=30))
    assert schedule_run(name="test.by_day", now=at(17 * 3600)).result == {"day": "2026-12-02"}  # 01:00 Beijing
    assert schedule_run(name="test.plain", now=at(0)).result == 7
    assert Schedule.objects.get(name="test.plain").last_result == {"result": 7}


@pytest.mark.django_db(transaction=True)
def test_a_hung_schedule_does_not_hold_up_the_ladder(cast: Cast) -> None:
    """A stuck delivery (say an SMS gateway that never answers) must not stop the emergency ladder."""
    release = threading.Event()
    started: list[dt.datetime] = []

    def hang(*, now: dt.datetime) -> None:
        started.append(now)
        release.wait(30)

    register("test.hang", hang, every=dt.timedelta(seconds=1))
    schedules_sync()
    Schedule.objects.filter(name="test.hang").update(next_run_at=timezone.now() - dt.timedelta(days=1))  # first in line
    began = timezone.now() - dt.timedelta(seconds=70)
    incident = emergency.alarm_receive(actor=None, kind="button", elder=make_elder(), now=began).incident
    stop = threading.Event()
    thread = start_scheduler_thread(stop=stop, idle_sleep=0.2)
    try:
        assert wait_for_rung(incident.pk, Rung.FAMILY) == Rung.FAMILY
        time.sleep(1.5)
        assert len(started) == 1  # still running: not started a second time in this process
    finally:
        release.set()
        stop.set()
        thread.join(10)
        time.sleep(0.3)  # the pool's threads close their connections
