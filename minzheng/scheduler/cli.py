"""`minzheng scheduler list|run|enable|disable` (registered by minzheng.cli_extra)."""

from __future__ import annotations

import typer

from minzheng.cli import app, fail, print_json, setup_django

scheduler_app = typer.Typer(help="定时任务（一键通超时升级等）", no_args_is_help=True)
app.add_typer(scheduler_app, name="scheduler")


def _when(value: object) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S") if value else "—"  # type: ignore[arg-type]


@scheduler_app.command("list")
def list_cmd(json_out: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """列出定时任务：周期、下次执行、上次结果。"""
    setup_django()
    from minzheng.scheduler.models import Schedule
    from minzheng.scheduler.services import schedules_sync

    schedules_sync()
    rows = list(Schedule.objects.all())
    if json_out:
        print_json([
            {"name": r.name, "label": r.label, "cadence": r.cadence, "enabled": r.enabled,
             "next_run_at": r.next_run_at, "last_run_at": r.last_run_at, "last_ok": r.last_ok,
             "last_result": r.last_result, "last_error": r.last_error}
            for r in rows
        ])  # fmt: skip
        return
    for r in rows:
        state = "启用" if r.enabled else "停用"
        last = "从未执行" if r.last_ok is None else ("成功 " if r.last_ok else "失败 ") + _when(r.last_run_at)
        typer.echo(f"{r.name}\t{r.label}\t{r.cadence}\t{state}\t下次 {_when(r.next_run_at)}\t上次 {last}")
        if r.last_ok is False:
            typer.echo(f"\t失败原因：{r.last_error}")


@scheduler_app.command("run")
def run_cmd(name: str, json_out: bool = typer.Option(False, "--json", help="输出 JSON")) -> None:
    """立即执行一个定时任务（不改变它的下次执行时间）。"""
    setup_django()
    from minzheng.scheduler.services import SchedulerError, schedule_run

    try:
        outcome = schedule_run(name=name)
    except SchedulerError as exc:
        fail(str(exc))
    if json_out:
        print_json({"name": outcome.name, "ok": outcome.ok, "result": outcome.result, "error": outcome.error})
    elif outcome.ok:
        typer.echo(f"已执行 {name}：{outcome.result}")
    if not outcome.ok:
        fail(f"{name} 执行失败：{outcome.error}")


def _toggle(name: str, enabled: bool) -> None:
    setup_django()
    from minzheng.scheduler.services import SchedulerError, schedule_set_enabled

    try:
        schedule_set_enabled(name=name, enabled=enabled)
    except SchedulerError as exc:
        fail(str(exc))
    typer.echo(f"已{'启用' if enabled else '停用'} {name}")


@scheduler_app.command("enable")
def enable_cmd(name: str) -> None:
    """启用定时任务。"""
    _toggle(name, True)


@scheduler_app.command("disable")
def disable_cmd(name: str) -> None:
    """停用定时任务。"""
    _toggle(name, False)
