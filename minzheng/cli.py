"""`minzheng` console script: thin Typer commands over services (Rich progress)."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Any

import typer

app = typer.Typer(
    help="minzheng 民政业务平台命令行", no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False
)
divisions_app = typer.Typer(help="行政区划", no_args_is_help=True)
import_app = typer.Typer(help="数据导入", no_args_is_help=True)
users_app = typer.Typer(help="账号", no_args_is_help=True)
app.add_typer(divisions_app, name="divisions")
app.add_typer(import_app, name="import")
app.add_typer(users_app, name="users")


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings")
    import django

    django.setup()


def fail(message: str, code: int = 1) -> None:
    typer.echo(f"错误：{message}", err=True)
    raise typer.Exit(code)


def parse_date(text: str, what: str = "数据时点") -> dt.date:
    """A YYYY-MM-DD option within 1900–2099, or exit with a Chinese message naming it."""
    from minzheng.core.dates import DateInputError, parse_day

    try:
        return parse_day(text, what)
    except DateInputError as exc:
        fail(str(exc))
        raise  # unreachable: fail() exits


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=None, default=str))


@app.command()
def migrate() -> None:
    """准备数据库：建表，并载入内置行政区划。"""
    setup_django()
    from django.core.management import call_command

    from minzheng.divisions.services import divisions_load_builtin

    call_command("migrate", interactive=False, verbosity=0)
    result = divisions_load_builtin()
    typer.echo(f"数据库已就绪；内置区划 {result.rows} 条（新增 {result.created}）。")


@app.command()
def serve(
    port: int = typer.Option(8000, help="端口"),
    host: str = typer.Option("127.0.0.1", help="监听地址"),
    worker: bool = typer.Option(True, help="同时在本进程内运行后台任务"),
) -> None:
    """启动 Web 服务（waitress）。"""
    setup_django()
    from minzheng.core.server import serve_forever

    serve_forever(host=host, port=port, with_worker=worker)


@app.command("worker")
def worker_cmd(
    once: bool = typer.Option(False, help="处理完排队任务后退出"),
    scheduler: bool = typer.Option(True, help="同时运行定时任务（一键通超时升级等）"),
) -> None:
    """运行后台任务（导入、批量核对等）和定时任务；中断后重启会从断点继续。"""
    setup_django()
    from minzheng.jobs.services import worker_loop
    from minzheng.scheduler.services import scheduler_loop, start_scheduler_thread

    if scheduler and once:
        scheduler_loop(once=True)  # one tick: whatever is due now runs before the command exits
    elif scheduler:
        start_scheduler_thread()
    ran = worker_loop(once=once)
    typer.echo(f"已处理 {ran} 个任务")


@divisions_app.command("import")
def divisions_import_cmd(file: Path) -> None:
    """导入区划表（列：区划代码, 名称），层级与上级由代码推出。"""
    setup_django()
    from minzheng.core.tabular import TabularError
    from minzheng.divisions.services import divisions_import

    try:
        result = divisions_import(path=file, actor=None)
    except TabularError as exc:
        fail(str(exc))
    if result.errors:
        for line in result.errors[:50]:
            typer.echo(line, err=True)
        fail(f"{len(result.errors)} 行有误，整个文件未导入")
    typer.echo(f"共 {result.rows} 行：新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}")


@users_app.command("create")
def users_create(
    username: str = typer.Option(..., "--username"),
    role: str = typer.Option(..., "--role"),
    jurisdiction: str = typer.Option(..., "--jurisdiction"),
    password: str = typer.Option(None, "--password", help="网页登录密码（可选）"),
    token: bool = typer.Option(False, "--token", help="同时签发 API 令牌"),
) -> None:
    """创建账号；加 --token 时打印 API 令牌（只显示一次）。"""
    setup_django()
    from django.core.exceptions import ValidationError

    from minzheng.accounts.services import AccountError, token_issue, user_create

    try:
        user = user_create(actor=None, username=username, role=role, jurisdiction=jurisdiction, password=password)
    except AccountError as exc:
        fail(str(exc))
    except ValidationError as exc:
        fail("密码不符合要求：" + "；".join(exc.messages))
    typer.echo(f"已创建账号 {user.username}（{user.role_label}，管辖 {user.jurisdiction}）")
    # Always print a token: API clients need one, and the issue asks for it.
    typer.echo(token_issue(actor=None, user=user, label="cli"))


@users_app.command("unlock")
def users_unlock(username: str) -> None:
    """解锁因连续登录失败被锁定的账号。"""
    setup_django()
    from minzheng.accounts.models import User
    from minzheng.accounts.services import user_unlock

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"账号“{username}”不存在")
    user_unlock(actor=None, user=user)
    typer.echo(f"已解锁账号 {username}")


def main() -> None:
    # Register commands owned by other modules (import, demo, ...).
    from minzheng import cli_extra  # noqa: F401

    app(prog_name="minzheng")


if __name__ == "__main__":
    sys.exit(main())
