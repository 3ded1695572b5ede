"""`minzheng payroll ...`: the monthly payroll from the command line (registered by minzheng.cli_extra).

Who acts: `--user` names the staff account. `run` may go without one (the system builds the run, as
the scheduler would); `approve` always needs a user, and four eyes hold as on the pages: the
approver is neither the user who built the run nor an account that user created or changed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from minzheng.cli import app, fail, print_json, setup_django

payroll_app = typer.Typer(help="月度发放（发放批次、审核、出盘、回盘对账、补发）", no_args_is_help=True)
app.add_typer(payroll_app, name="payroll")

USER = typer.Option(None, "--user", help="办理人账号（用户名）")
RUN_ID = typer.Option(..., "--run", help="发放批次编号（run_id）")
AS_JSON = typer.Option(False, "--json", help="输出 JSON")


def _user(username: str | None, required: bool = False) -> Any:
    from minzheng.accounts.models import User

    if not username:
        if required:
            fail("须用 --user 指定办理人账号")
        return None
    user = User.objects.filter(username=username, is_active=True).first()
    if user is None:
        fail(f"账号“{username}”不存在或已停用")
    return user


def _run(run_id: int) -> Any:
    from minzheng.payments.models import PayrollRun

    run = PayrollRun.objects.filter(pk=run_id).first()
    if run is None:
        fail(f"发放批次 {run_id} 不存在")
    return run


def _show(run: Any, as_json: bool) -> None:
    from minzheng.payments.bankfiles import yuan
    from minzheng.payments.payroll import run_json

    data = run_json(run)
    if as_json:
        print_json(data)
        return
    typer.echo(
        f"批次 {data['run_id']}（{run.programme} {data['month']} {run.region} 第 {run.seq} 批）："
        f"{run.get_status_display()}，{data['beneficiaries']} 户（人），合计 {yuan(data['total_fen'])} 元"
    )


@payroll_app.command("run")
def run_cmd(
    programme_id: str = typer.Option(..., "--programme", help="项目，如 dibao"),
    month: str = typer.Option(..., "--month", help="所属期 YYYY-MM"),
    region: str = typer.Option(..., "--region", help="区划代码，如 330212"),
    user: str = USER,
    as_json: bool = AS_JSON,
) -> None:
    """生成（或取回）某项目某月某区划的发放批次；重复执行返回同一批次，不会重复发放。"""
    setup_django()
    from minzheng.core.dates import DateInputError, parse_month
    from minzheng.payments.payroll import PayrollError, run_payroll

    try:
        run = run_payroll(programme_id, parse_month(month), region, actor=_user(user))
    except (DateInputError, PayrollError, ValueError) as exc:
        fail(str(exc))
    _show(run, as_json)


@payroll_app.command("approve")
def approve_cmd(run_id: int = RUN_ID, user: str = USER, as_json: bool = AS_JSON) -> None:
    """审核发放批次（须为生成人以外的县级审批人员）。"""
    setup_django()
    from minzheng.payments.payroll import PayrollError, run_approve

    run = _run(run_id)
    try:
        run_approve(run, actor=_user(user, required=True))
    except PayrollError as exc:
        fail(str(exc))
    _show(run, as_json)


@payroll_app.command("issue")
def issue_cmd(
    run_id: int = RUN_ID,
    out: Path = typer.Option(Path("."), "--out", help="代发文件保存目录"),
    bank: str = typer.Option(None, "--bank", help="代发文件格式（payments/data/banks 的 id），默认 default"),
    user: str = USER,
    as_json: bool = AS_JSON,
) -> None:
    """出盘：写出银行代发文件（再次执行得到完全相同的文件）。"""
    setup_django()
    from minzheng.payments.bankfiles import BankFileError
    from minzheng.payments.payroll import PayrollError, run_issue_to

    run = _run(run_id)
    out.mkdir(parents=True, exist_ok=True)
    partial = out / f".payroll-{run.pk}.part"
    try:
        with partial.open("wb") as fh:
            name = run_issue_to(run, fh, actor=_user(user, required=True), bank=bank)
    except (PayrollError, BankFileError) as exc:
        partial.unlink(missing_ok=True)
        fail(str(exc))
    partial.replace(out / name)
    run.refresh_from_db()
    _show(run, as_json)
    if not as_json:
        typer.echo(f"代发文件：{out / name}（sha256 {run.bank_file_sha256}）")


@payroll_app.command("reconcile")
def reconcile_cmd(
    run_id: int = RUN_ID,
    file: Path = typer.Option(..., "--file", help="银行回盘文件"),
    bank: str = typer.Option(None, "--bank", help="回盘文件格式，默认 default"),
    user: str = USER,
    as_json: bool = AS_JSON,
) -> None:
    """导入银行回盘：逐行对账；同一文件重复导入不改变任何数据。"""
    setup_django()
    from minzheng.payments.reconcile import ReconcileError, reconcile

    run = _run(run_id)
    try:
        ret = reconcile(run, file.name, file.read_bytes(), actor=_user(user, required=True), bank=bank)
    except FileNotFoundError:
        fail(f"找不到回盘文件 {file}")
    except ReconcileError as exc:
        fail(str(exc))
    run.refresh_from_db()
    if as_json:
        counts = {"paid": ret.paid, "failed": ret.failed, "errors": ret.errors}
        print_json({"run_id": run.pk, "status": run.status, **counts})
        return
    typer.echo(f"回盘 {ret.file_name}：成功 {ret.paid} 笔，失败 {ret.failed} 笔，无法对应 {len(ret.errors)} 行")
    for error in ret.errors[:50]:
        typer.echo(error["reason"], err=True)


@payroll_app.command("supplementary")
def supplementary_cmd(run_id: int = RUN_ID, user: str = USER, as_json: bool = AS_JSON) -> None:
    """补发：为已更正账户的失败明细生成补发批次（每笔失败明细只补发一次）。"""
    setup_django()
    from minzheng.payments.payroll import PayrollError, run_supplementary

    try:
        run = run_supplementary(_run(run_id), actor=_user(user))
    except PayrollError as exc:
        fail(str(exc))
    _show(run, as_json)
