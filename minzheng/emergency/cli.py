"""一键通紧急呼叫: `minzheng emergency tick` (registered by minzheng.cli_extra)."""

from __future__ import annotations

import datetime as dt
import time

import typer

from minzheng.cli import app, fail, print_json, setup_django

emergency_app = typer.Typer(help="一键通紧急呼叫", no_args_is_help=True)
app.add_typer(emergency_app, name="emergency")


@emergency_app.command("tick")
def tick(
    now: str = typer.Option("", "--now", help="按此时间计时（ISO 格式，带时区）；缺省为当前时间"),
    every: float = typer.Option(0, "--every", help="每隔多少秒执行一次（0 = 只执行一次）"),
    json_out: bool = typer.Option(False, "--json", help="输出 JSON 结果"),
) -> None:
    """按各环节计时把超时未响应的紧急呼叫升级到下一环节；重复执行不会重复升级。"""
    setup_django()
    from django.utils import timezone

    from minzheng.emergency.services import incident_tick

    at = None
    if now:
        try:
            at = dt.datetime.fromisoformat(now)
        except ValueError:
            fail(f"--now：无法识别的时间 {now}，应为 ISO 格式，如 2026-12-01T09:00:00+08:00")
        if at.tzinfo is None:
            fail("--now：须带时区，如 +08:00")
    while True:
        taken = incident_tick(now=at or timezone.now())
        if json_out:
            print_json({"escalated": taken, "at": (at or timezone.now()).isoformat()})
        else:
            typer.echo(f"升级 {taken} 个环节")
        if not every or at:
            return
        time.sleep(every)
