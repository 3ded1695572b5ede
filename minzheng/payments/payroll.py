"""The monthly payroll (KERNELS §8): one run per programme, month and region; approved by a second
person; issued as a bank file; failed lines re-issued once in a supplementary run.

States (machines/payroll_run.yaml): 计算中 → 待审核 → 已审核 → 已出盘 → 已对账, 作废 before issue.
Computation (payroll_compute.py) is chunked under a lease; reports (by town, changes, the 发放名册)
live in payroll_reports.py and are re-exported here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
from pathlib import Path
from typing import IO, Any

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.dates import first_of, month_label
from minzheng.payments import bankfiles
from minzheng.payments import payroll_compute as compute
from minzheng.payments.models import BankAccount, Entitlement, PayrollLine, PayrollRun
from minzheng.payments.payroll_reports import roster_xlsx, run_by_town, run_changes  # noqa: F401 (API)
from minzheng.payments.programmes import programme
from minzheng.workflow.machine import Machine, load
from minzheng.workflow.services import Binding, TransitionRefused, bind, guard, start, transition

MACHINE: Machine = load(
    "payroll_run",
    yaml.safe_load((Path(__file__).with_name("machines") / "payroll_run.yaml").read_text(encoding="utf-8")),
)
bind(PayrollRun, Binding(object_type="payroll_run", machine=lambda run: MACHINE, state_field="status"))
State = PayrollRun.State
ISSUE_CHUNK = 50_000


class PayrollError(ValueError):
    """A payroll step refused; the message is Chinese."""


@guard("payroll_run.independent")
def _independent_of_builder(run: Any, actor: Any, data: dict[str, Any]) -> str | None:
    from minzheng.accounts.access import independent_of

    if not getattr(actor, "is_authenticated", False):
        return "发放批次须由工作人员本人审核"
    if run.built_by_id is not None and not independent_of(actor, run.built_by):
        return f"审核人不能是生成发放批次的人，也不能是其创建或修改过的账号（生成人 {run.built_by.username}）"
    return None


def _user(actor: Actor | None) -> Actor | None:
    return actor if getattr(actor, "is_authenticated", False) else None


def run_payroll(programme_id: str, month: dt.date, region: str, *, actor: Actor | None) -> PayrollRun:
    """The run of (programme, month, region): created and computed on the first call, the same run on
    every later one. While another process holds the lease the run is returned as it is (计算中)."""
    prog = programme(programme_id)
    month = first_of(month)
    if not region.isdigit() or len(region) not in (2, 4, 6, 9, 12):
        raise PayrollError(f"区划代码“{region}”应为 2、4、6、9 或 12 位数字")
    run, held = _claim(prog.id, month, region, actor)
    if held is None:
        return run
    held = compute.compute_lines(run, held)
    if held is None:
        run.refresh_from_db()
        return run
    return _finish(run, actor)


def _claim(programme_id: str, month: dt.date, region: str, actor: Actor | None) -> tuple[PayrollRun, Any]:
    """(run, lease held or None): the unique constraint decides who creates the run."""
    until = timezone.now() + compute.LEASE
    try:
        with transaction.atomic():
            run = PayrollRun.objects.create(
                programme=programme_id, month=month, region=region, seq=0, built_by=_user(actor), lease_until=until
            )
            start(run, actor=actor)
        return run, until
    except IntegrityError:
        run = PayrollRun.objects.get(programme=programme_id, month=month, region=region, seq=0)
    if run.status != State.COMPUTING:
        return run, None
    held = compute.take_lease(run)
    run.refresh_from_db()
    return run, held


def _finish(run: PayrollRun, actor: Actor | None) -> PayrollRun:
    sums = compute.totals(run)
    missing = compute.without_account(run).count()
    changes = {
        "beneficiaries": sums["beneficiaries"],
        "total_fen": sums["total"],
        "inputs_hash": sums["inputs_hash"],
        "lease_until": None,
    }
    with contextlib.suppress(TransitionRefused), transaction.atomic():  # refused: another process finished it
        transition(run, State.DRAFT, actor=actor, changes=changes)
        _audit_run(run, actor, sums, missing)
    run.refresh_from_db()
    return run


def _audit_run(run: PayrollRun, actor: Actor | None, sums: dict[str, Any], missing: int) -> None:
    name = programme(run.programme).name
    summary = f"生成{name} {month_label(run.month)} {run.region} 发放批次：{sums['beneficiaries']} 户（人），"
    summary += f"{sums['lines']} 笔，合计 {bankfiles.yuan(sums['total'])} 元"
    if missing:
        summary += f"；无发放账户 {missing} 户（人）未列入"
    audit_record(
        actor=actor,
        action="write",
        object_type="payroll_run",
        object_id=run.pk,
        summary=summary,
        data={"lines": sums["lines"], "total_fen": sums["total"], "no_account": missing, "hash": sums["inputs_hash"]},
    )


def run_without_account(run: PayrollRun) -> list[dict[str, Any]]:
    """无发放账户: live in the run's month but not in it; paid as arrears by the first run after an
    account is registered."""
    rows = compute.without_account(run).order_by("division_code", "pk")
    fields = ("pk", "division_code", "payee__name", "amount_fen")
    keys = ("entitlement_id", "division_code", "payee_name", "amount_fen")
    return [dict(zip(keys, r, strict=True)) for r in rows.values_list(*fields)]


def withdraw_stopped(run: PayrollRun, *, actor: Actor | None) -> int:
    """Cancel the run's unissued lines whose entitlement is no longer paid for that month (a death
    or other stop confirmed after the run was computed), and restate the run's totals; the number
    withdrawn. Called at approval and again at issue, so a stop reaches the bank file whenever the
    run was computed. Issued lines are never touched: a stopped one that is paid becomes an overpayment."""
    pending = PayrollLine.objects.filter(run=run, status="pending")
    withdrawn = 0
    for period in pending.values_list("period", flat=True).distinct():
        paid_for = Entitlement.objects.filter(compute.live_q(period)).values("pk")
        stale = pending.filter(period=period).exclude(entitlement_id__in=paid_for)
        withdrawn += stale.update(status="cancelled", fail_reason="待遇已暂停或停发，出盘前撤回")
    if withdrawn:
        sums = compute.totals(run)
        run.beneficiaries, run.total_fen, run.inputs_hash = sums["beneficiaries"], sums["total"], sums["inputs_hash"]
        run.save(update_fields=["beneficiaries", "total_fen", "inputs_hash", "updated_at"])
        audit_record(
            actor=actor,
            action="write",
            object_type="payroll_run",
            object_id=run.pk,
            summary=f"撤回 {withdrawn} 笔待遇已暂停或停发的明细；合计改为 {bankfiles.yuan(run.total_fen)} 元",
            data={"withdrawn": withdrawn, "total_fen": run.total_fen, "hash": run.inputs_hash},
        )
    return withdrawn


def run_approve(run: PayrollRun, *, actor: Actor, client_ip: str = "") -> PayrollRun:
    """审核 (four eyes): not whoever built or finished the run, nor an account they created or changed."""
    if run.status == State.DRAFT:
        withdraw_stopped(run, actor=actor)
    try:
        transition(run, State.APPROVED, actor=actor, changes={"approved_by": actor}, client_ip=client_ip)
    except TransitionRefused as exc:
        if exc.code == "four_eyes":
            raise PayrollError("四眼原则：审核人不能是生成发放批次的人") from exc
        raise PayrollError(str(exc)) from exc
    return run


def run_issue(run: PayrollRun, *, actor: Actor | None, bank: str | None = None) -> tuple[str, bytes]:
    """出盘: the bank file (name, bytes). Lines → 已出盘, run → 已出盘. Asking again returns the same bytes."""
    buffer = io.BytesIO()
    name = run_issue_to(run, buffer, actor=actor, bank=bank)
    return name, buffer.getvalue()


def run_issue_to(run: PayrollRun, target: IO[bytes], *, actor: Actor | None, bank: str | None = None) -> str:
    """run_issue streaming into `target` (memory flat for a county's million lines); the file name."""
    run.refresh_from_db()
    if run.status not in (State.APPROVED, State.ISSUED, State.RECONCILED):
        raise PayrollError(f"发放批次为「{run.get_status_display()}」，须经审核后才能出盘")
    fmt = bankfiles.bank_format(bank)
    if run.status == State.APPROVED:
        withdraw_stopped(run, actor=actor)
        _lines_issued(run)
    written = bankfiles.write(run, fmt, target)
    if run.status == State.APPROVED:
        try:
            transition(run, State.ISSUED, actor=actor, changes={"bank_file_sha256": written.sha256})
        except TransitionRefused:  # issued meanwhile by another call: the same bytes, checked below
            run.refresh_from_db()
    if run.bank_file_sha256 and written.sha256 != run.bank_file_sha256:
        raise PayrollError("重新生成的代发文件与已出盘文件不一致，请联系系统管理员")
    audit_record(
        actor=actor,
        action="export",
        object_type="payroll_run",
        object_id=run.pk,
        summary=f"导出银行代发文件 {written.name}：{written.count} 笔，合计 {bankfiles.yuan(written.total_fen)} 元",
        data={"file": written.name, "sha256": written.sha256, "format": fmt.id},
    )
    return written.name


def _lines_issued(run: PayrollRun) -> None:
    # pk-range chunks: a killed issue leaves the run 已审核 and the next call finishes it.
    bounds = PayrollLine.objects.filter(run=run).aggregate(hi=Max("pk"))["hi"] or 0
    low = 0
    while low <= bounds:
        PayrollLine.objects.filter(run=run, status="pending", pk__gt=low, pk__lte=low + ISSUE_CHUNK).update(
            status="issued"
        )
        low += ISSUE_CHUNK


@transaction.atomic
def run_supplementary(run: PayrollRun, *, actor: Actor | None) -> PayrollRun:
    """补发: a new run (seq+1) of the failed lines of `run` whose payee's account was corrected since
    (another account number or name); each new line points to the failed one, so none is re-issued twice."""
    failed = PayrollLine.objects.filter(run=run, status="failed", reissued_as__isnull=True).select_related(
        "entitlement"
    )
    payees = {line.entitlement.payee_id for line in failed}
    accounts = {a.holder_id: a for a in BankAccount.objects.filter(active=True, holder_id__in=payees)}
    # 集中供养: a line paid into a unit's account is re-issued to that unit's corrected account.
    units = {line.entitlement.payee_unit for line in failed} - {""}
    by_unit = {a.unit: a for a in BankAccount.objects.filter(active=True, unit__in=units)}
    todo = []
    for line in failed.order_by("pk"):
        ent = line.entitlement
        acct = by_unit.get(ent.payee_unit) if ent.payee_unit else accounts.get(ent.payee_id)
        if acct is not None and (acct.account_no, acct.account_name) != (line.account_no, line.account_name):
            todo.append((line, acct))
    if not todo:
        raise PayrollError("没有可补发的失败明细：失败明细须先更正收款账户")
    seq = PayrollRun.objects.filter(programme=run.programme, month=run.month, region=run.region).aggregate(
        s=Max("seq")
    )["s"]
    sup = PayrollRun.objects.create(
        programme=run.programme, month=run.month, region=run.region, seq=seq + 1, built_by=_user(actor)
    )
    start(sup, actor=actor)
    PayrollLine.objects.bulk_create([_reissue(sup, line, acct) for line, acct in todo])
    return _finish(sup, actor)


def _reissue(sup: PayrollRun, line: PayrollLine, acct: BankAccount) -> PayrollLine:
    return PayrollLine(
        run=sup,
        entitlement_id=line.entitlement_id,
        entitlement_version=line.entitlement_version,
        period=line.period,
        division_code=line.division_code,
        payee_name=line.payee_name,
        payee_id_number=line.payee_id_number,
        bank_code=acct.bank_code,
        bank_name=acct.bank_name,
        account_no=acct.account_no,
        account_name=acct.account_name,
        members=line.members,
        amount_fen=line.amount_fen,
        reissue_of=line,
    )


def run_json(run: PayrollRun) -> dict[str, Any]:
    """The CLI's JSON (issue 11)."""
    issued = bool(run.bank_file_sha256)
    return {
        "run_id": run.pk,
        "programme": run.programme,
        "month": f"{run.month:%Y-%m}",
        "region": run.region,
        "beneficiaries": run.beneficiaries,
        "total_fen": run.total_fen,
        "status": run.status,
        "bank_file": bankfiles.file_name(run, bankfiles.bank_format(None)) if issued else None,
    }


def runs_of(programme_id: str, month: dt.date, region: str) -> list[PayrollRun]:
    """The regular run and its supplementary runs, in order."""
    q = Q(programme=programme_id, month=first_of(month), region=region)
    return list(PayrollRun.objects.filter(q).order_by("seq"))
