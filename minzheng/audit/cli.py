"""`minzheng audit …`: check the audit log's hash chain (registered by minzheng.cli_extra)."""

from __future__ import annotations

import re

import typer

from minzheng.cli import app, fail, print_json, setup_django

audit_app = typer.Typer(help="审计日志", no_args_is_help=True)
app.add_typer(audit_app, name="audit")

ANCHOR = re.compile(r"^(\d+):([0-9a-f]{64})$")


def _anchor(text: str) -> tuple[int, str] | None:
    if not text:
        return None
    match = ANCHOR.match(text.strip().lower())
    if match is None:
        fail(f"锚点“{text}”应为 序号:64 位十六进制哈希，即上次核验输出的“链尾”")
        raise AssertionError  # unreachable: fail() exits
    return int(match[1]), match[2]


@audit_app.command("verify")
def verify(
    as_json: bool = typer.Option(False, "--json", help="以 JSON 输出"),
    anchor: str = typer.Option("", help="上次核验记下的链尾（序号:哈希），核对其后未被截断或重写"),
) -> None:
    """逐条核验审计日志的哈希链：发现被删除、被修改或伪造插入的记录时以非零状态退出。"""
    setup_django()
    from minzheng.audit.verify import audit_verify

    report = audit_verify(anchor=_anchor(anchor))
    if as_json:
        print_json(report.as_dict())
    elif report.ok:
        typer.echo(f"审计日志完整：共 {report.rows} 条，链尾 {report.head_seq}:{report.head_hash}")
        typer.echo("请将链尾记录在数据库之外，下次以 --anchor 核对。")
    else:
        first = report.problems[0]
        typer.echo(f"审计日志被篡改：{first.message}", err=True)
        typer.echo(f"共发现 {len(report.problems)} 处问题，已核验 {report.rows} 条。", err=True)
    if not report.ok:
        raise typer.Exit(1)


@audit_app.command("grants")
def grants(
    role: str = typer.Option(..., "--role", help="应用程序连接数据库所用的账号"),
    schema: str = typer.Option("public", help="表所在的 schema"),
) -> None:
    """输出 PostgreSQL 授权脚本：应用账号对审计日志只能查询和新增（由表的所有者执行）。"""
    from minzheng.audit.grants import grants_sql

    try:
        typer.echo(grants_sql(app_role=role, schema=schema))
    except ValueError as exc:
        fail(str(exc))
