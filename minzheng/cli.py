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
    """准备数据库：建表，并载入内置行政区划和内置政策参数。"""
    setup_django()
    from django.core.management import call_command

    from minzheng.divisions.services import divisions_load_builtin
    from minzheng.rules.services import params_load_shipped

    call_command("migrate", interactive=False, verbosity=0)
    result = divisions_load_builtin()
    params = params_load_shipped()  # a fresh install decides eligibility without a manual import
    typer.echo(
        f"数据库已就绪；内置区划 {result.rows} 条（新增 {result.created}）；"
        f"内置政策参数 {params['rows']} 条（新增 {params['created']}）。"
    )


@app.command()
def serve(
    port: int = typer.Option(8000, help="端口"),
    host: str = typer.Option("127.0.0.1", help="监听地址"),
    worker: bool = typer.Option(True, help="同时在本进程内运行后台任务"),
) -> None:
    """启动 Web 服务（waitress）。"""
    setup_django()
    from minzheng.server import serve_forever

    serve_forever(host=host, port=port, with_worker=worker)


@app.command("worker")
def worker_cmd(
    once: bool = typer.Option(False, help="处理完排队任务后退出"),
    scheduler: bool = typer.Option(True, help="同时运行定时任务（一键通超时升级等）"),
) -> None:
    """运行后台任务（导入、批量核对等）和定时任务；中断后重启会从断点继续。"""
    setup_django()
    from minzheng.accounts.checks import FEED_KEY_MISSING, feed_digest_key_configured

    if not feed_digest_key_configured():  # matching jobs would match digests wrongly
        fail(FEED_KEY_MISSING)
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


def _user_or_fail(username: str) -> Any:
    from minzheng.accounts.models import User

    user = User.objects.filter(username=username).first()
    if user is None:
        fail(f"账号“{username}”不存在")
    return user


@users_app.command("create")
def users_create(
    username: str = typer.Option(..., "--username"),
    role: str = typer.Option(..., "--role", help="角色：代码或中文名，如 town_officer 或 乡镇(街道)民政办"),
    jurisdiction: str = typer.Option(..., "--jurisdiction", help="区划代码，如 330212100"),
    password: str = typer.Option(None, "--password", help="网页登录密码（可选）"),
    display_name: str = typer.Option("", "--name", help="姓名"),
    unit: str = typer.Option("", "--unit", help="所属单位：部门代码、统一社会信用代码或养老机构编号"),
    token: bool = typer.Option(False, "--token", help="同时签发 API 令牌并打印（只显示一次）"),
) -> None:
    """创建账号；只有加 --token 时才签发并打印 API 令牌（只显示一次）。"""
    setup_django()
    from django.core.exceptions import ValidationError

    from minzheng.accounts.services import AccountError, token_issue, user_create

    try:
        user = user_create(
            actor=None,
            username=username,
            role=role,
            jurisdiction=jurisdiction,
            password=password,
            display_name=display_name,
            unit=unit,
        )
    except AccountError as exc:
        fail(str(exc))
    except ValidationError as exc:
        fail("密码不符合要求：" + "；".join(exc.messages))
    typer.echo(f"已创建账号 {user.username}（{user.role_label}，管辖 {user.jurisdiction}）")
    if token:
        typer.echo(token_issue(actor=None, user=user, label="cli"))


@users_app.command("update")
def users_update(
    username: str,
    role: str = typer.Option(None, "--role", help="新角色：代码或中文名"),
    jurisdiction: str = typer.Option(None, "--jurisdiction", help="新管辖范围（区划代码）"),
    display_name: str = typer.Option(None, "--name", help="新姓名"),
    unit: str = typer.Option(None, "--unit", help="新所属单位（协办部门、社会组织、养老机构）"),
) -> None:
    """修改账号的角色、管辖范围、所属单位或姓名（管辖范围须为已有区划，层级与角色相符）。"""
    setup_django()
    from minzheng.accounts.services import AccountError, user_update

    user = _user_or_fail(username)
    try:
        user_update(actor=None, user=user, role=role, jurisdiction=jurisdiction, display_name=display_name, unit=unit)
    except AccountError as exc:
        fail(str(exc))
    typer.echo(f"已修改账号 {user.username}（{user.role_label}，管辖 {user.jurisdiction}）")


@users_app.command("set-password")
def users_set_password(
    username: str,
    password: str = typer.Option(..., "--password", prompt="新密码", hide_input=True, confirmation_prompt=True),
) -> None:
    """重设账号的网页登录密码（至少 10 位，含大写、小写、数字、符号中的至少 3 类）。"""
    setup_django()
    from django.core.exceptions import ValidationError

    from minzheng.accounts.services import user_update

    user = _user_or_fail(username)
    try:
        user_update(actor=None, user=user, password=password)
    except ValidationError as exc:
        fail("密码不符合要求：" + "；".join(exc.messages))
    typer.echo(f"已重设账号 {username} 的密码")


@users_app.command("deactivate")
def users_deactivate(username: str) -> None:
    """停用账号：不能再登录，已登录的会话失效，API 令牌全部吊销。"""
    setup_django()
    from minzheng.accounts.services import user_deactivate

    revoked = user_deactivate(actor=None, user=_user_or_fail(username))
    typer.echo(f"已停用账号 {username}，吊销 API 令牌 {revoked} 个")


@users_app.command("activate")
def users_activate(username: str) -> None:
    """重新启用停用的账号（API 令牌需重新签发）。"""
    setup_django()
    from minzheng.accounts.services import user_activate

    user_activate(actor=None, user=_user_or_fail(username))
    typer.echo(f"已启用账号 {username}")


@users_app.command("issue-token")
def users_issue_token(username: str, label: str = typer.Option("cli", "--label", help="令牌用途")) -> None:
    """签发新的 API 令牌并打印（只显示一次；有效期见 MINZHENG_API_TOKEN_DAYS，默认 90 天）。"""
    setup_django()
    from minzheng.accounts.services import token_issue

    user = _user_or_fail(username)
    if not user.is_active:
        fail(f"账号“{username}”已停用，不能签发令牌")
    typer.echo(token_issue(actor=None, user=user, label=label))


@users_app.command("revoke-token")
def users_revoke_token(username: str) -> None:
    """吊销账号的全部 API 令牌。"""
    setup_django()
    from minzheng.accounts.services import token_revoke

    revoked = token_revoke(actor=None, user=_user_or_fail(username))
    typer.echo(f"已吊销账号 {username} 的 API 令牌 {revoked} 个")


@users_app.command("unlock")
def users_unlock(username: str) -> None:
    """解除账号因连续登录失败而受到的登录限制。"""
    setup_django()
    from minzheng.accounts.services import user_unlock

    user_unlock(actor=None, user=_user_or_fail(username))
    typer.echo(f"已解除账号 {username} 的登录限制")


def main() -> None:
    # Register commands owned by other modules (import, demo, ...).
    from minzheng import cli_extra  # noqa: F401

    app(prog_name="minzheng")


if __name__ == "__main__":
    sys.exit(main())
