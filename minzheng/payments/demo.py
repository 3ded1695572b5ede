"""待遇发放: what the demo county gets (called by minzheng.demo.build after the cases).

The demo county's benefit tags become entitlements (payments.tags, from the month three months back,
with demo amounts), every payee gets a bank account, and three months are paid through the real
kernel: computed by the system (as the monthly schedule would), approved by the county (`xian`, a
second person: four eyes), issued, and reconciled with a generated return file. In the first month
one 低保 row fails (户名与账号不符); its account is corrected and a supplementary run pays it once. Then this month's
verification batch is applied (payments.stops): the deaths (and 财政供养, prison) it found suspend
their entitlements with a 待办 each; one death that ends an entitlement (else one 财政供养) is
confirmed, and the months paid after it become an overpayment recovered in three instalments, one
repayment received. Idempotent: skipped when runs exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.core.dates import add_months, first_of
from minzheng.payments import services
from minzheng.payments.models import Entitlement, Overpayment, PayrollLine, PayrollRun, Status
from minzheng.registry.models import Person

BANKS = [("NBCB", "宁波银行"), ("RCB", "鄞州农商银行"), ("ICBC", "中国工商银行"), ("PSBC", "中国邮政储蓄银行")]
# Demo monthly amounts in fen (not a county's standard): per member for 低保, per person otherwise.
PER_MEMBER = {"dibao": 68_000}
FLAT = {"dibao_edge": 30_000, "tekun": 156_000, "orphan": 210_000, "unsupported_child": 210_000}
OTHER = 20_000
FAILED_REASON = "户名与账号不符"


def demo_entitlements(as_of: dt.date, actor: Any) -> list[Entitlement]:
    """Benefit tags → entitlements from three months back; the migrated ones get a demo amount and are restored."""
    from minzheng.payments.tags import tags_to_entitlements

    first = add_months(as_of, -3)
    tags_to_entitlements(on=add_months(first, -1), actor=None)
    pending = Entitlement.objects.filter(status=Status.SUSPENDED, amount_fen=0).select_related("payee")
    for ent in pending.order_by("pk"):
        amount = PER_MEMBER.get(ent.programme, 0) * max(ent.members, 1) or FLAT.get(ent.programme, OTHER)
        reason = "演示：按核定金额接续发放"
        services.entitlement_change_amount(ent, amount_fen=amount, month=ent.from_month, reason=reason, actor=actor)
        services.entitlement_restore(ent, reason=reason, actor=actor)
    return list(Entitlement.objects.filter(status=Status.ACTIVE).select_related("payee").order_by("pk"))


def demo_accounts(entitlements: list[Entitlement], actor: Any) -> None:
    """One account per payee: a bank card number made from the person's id (fixed across runs)."""
    from minzheng.payments.models import BankAccount

    have = set(BankAccount.objects.filter(active=True).values_list("holder_id", flat=True))
    payees = {e.payee_id: e.payee for e in entitlements if e.payee_id not in have}
    for i, person in enumerate(sorted(payees.values(), key=lambda p: p.pk)):
        code, name = BANKS[i % len(BANKS)]
        number = "6217" + person.id_number[6:17].replace("X", "0") + f"{person.pk % 10_000:04d}"
        services.account_set(
            person, bank_code=code, bank_name=name, account_no=number, account_name=person.name,
            reason="演示：社会保障卡（金融账户）登记", actor=actor,
        )  # fmt: skip


def return_file(run: PayrollRun, failed: set[int]) -> bytes:
    """The bank's answer in the default format: one row per line (参考号, 状态, 流水号, 原因)."""
    rows = []
    for pk in PayrollLine.objects.filter(run=run, status="issued").order_by("pk").values_list("pk", flat=True):
        if pk in failed:
            rows.append(f"{pk},失败,,{FAILED_REASON}")
        else:
            rows.append(f"{pk},成功,YH{run.month:%Y%m}{pk:08d},")
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def pay(run: PayrollRun, approver: Any, failed: set[int] | None = None) -> PayrollRun:
    """Approve, issue (出盘) and reconcile, all by the approver (the builder is the system)."""
    from minzheng.payments.payroll import run_approve, run_issue
    from minzheng.payments.reconcile import reconcile

    run_approve(run, actor=approver)
    name, _ = run_issue(run, actor=approver)
    reconcile(run, name.rsplit(".", 1)[0] + "_回盘.csv", return_file(run, failed or set()), actor=approver)
    run.refresh_from_db()
    return run


def demo_payrolls(county: str, months: list[dt.date], builder: Any, approver: Any) -> None:
    from minzheng.payments.payroll import run_payroll, run_supplementary

    programmes = [
        p for p, _ in Entitlement.objects.values_list("programme").annotate(n=Count("id")).order_by("programme")
    ]
    for i, month in enumerate(months):
        for prog in programmes:
            run = run_payroll(prog, month, county, actor=builder)
            if run.status != PayrollRun.State.DRAFT or not run.beneficiaries:
                continue
            one = set()
            if i == 0 and prog == "dibao":  # the failed row of the demo
                one = {PayrollLine.objects.filter(run=run).order_by("pk").values_list("pk", flat=True).first()}
            pay(run, approver, one)
            if one:
                _correct_account(PayrollLine.objects.get(pk=next(iter(one))), approver)
                pay(run_supplementary(run, actor=builder), approver)


def _correct_account(line: PayrollLine, actor: Any) -> None:
    payee = line.entitlement.payee
    number = "6230" + payee.id_number[6:17].replace("X", "0") + "0001"
    services.account_set(
        payee, bank_code="RCB", bank_name="鄞州农商银行", account_no=number, account_name=payee.name,
        reason=f"银行退回（{FAILED_REASON}），户主到村提供本人社保卡重新登记", actor=actor,
    )  # fmt: skip


def _death_to_confirm(stops: Any, as_of: dt.date) -> tuple[Entitlement, Any] | None:
    """The earliest death (most months paid after it) whose entitlement ends with it: the dead person's
    own, a household of one, or one paid to the dead 户主 (the survivors apply again as a new household)."""
    deaths = sorted((f for f in stops.findings(as_of) if f.kind == "death" and f.died_on), key=lambda f: f.died_on)
    for finding in deaths:
        pk = finding.person.pk
        for ent in stops.affected(finding):
            ends = ent.person_id == pk or ent.members == 1 or ent.payee_id == pk
            if ent.status == Status.SUSPENDED and ends and ent.from_month <= add_months(first_of(finding.died_on), 1):
                return ent, finding
    return None


def _public_payroll_to_confirm(stops: Any, as_of: dt.date) -> tuple[Entitlement, Any] | None:
    """When no death ends an entitlement: a household with a member on 财政供养, no longer eligible."""
    for finding in stops.findings(as_of):
        if finding.kind == "public_payroll":
            for ent in stops.affected(finding):
                if ent.status == Status.SUSPENDED:
                    return ent, finding
    return None


def demo_stop_and_recovery(as_of: dt.date, actor: Any) -> Overpayment | None:
    """Apply this month's batch findings; confirm one stop (a death, else 财政供养) and record one
    repayment of the overpayment it opens."""
    from minzheng.payments import stops
    from minzheng.payments.overpayments import instalment_plan_set, repayment_record

    stops.apply_stops(as_of=as_of)
    chosen = _death_to_confirm(stops, as_of)
    if chosen is not None:
        ent, finding = chosen
        died, seen = finding.died_on, "、".join(finding.sources) or "死亡信息"
        reason = f"经核实，{finding.person.name}已于 {died:%Y年%m月%d日} 死亡（部门数据：{seen}），确认停发"
        result = stops.stop_confirm(ent, last_month=first_of(died), reason=reason, actor=actor)
    elif (chosen := _public_payroll_to_confirm(stops, as_of)) is not None:
        ent = chosen[0]
        since = add_months(ent.from_month, 1)
        reason = f"经核实，家庭成员{chosen[1].person.name}自 {since:%Y年%m月} 起由财政供养，家庭不再符合条件，确认停发"
        result = stops.stop_confirm(ent, last_month=ent.from_month, reason=reason, actor=actor, cause="ineligible")
    else:
        return None
    op = result.overpayment
    if op is None:
        return None
    instalment_plan_set(op, instalments=3, actor=actor, reason="申请分三期退还")
    part = -(-op.amount_fen // 3)
    repayment_record(op, amount_fen=min(part, op.amount_fen), received_on=as_of - dt.timedelta(days=3), actor=actor)
    return op


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    step("待遇发放：收款账户、三个月的发放与对账、死亡停发与追回")
    xian = User.objects.filter(username="xian").first()
    if xian is None or PayrollRun.objects.exists():
        return
    county = xian.jurisdiction
    as_of = first_of(getattr(built, "as_of", None) or timezone.localdate())
    entitlements = demo_entitlements(as_of, xian)
    demo_accounts(entitlements, xian)
    months = [add_months(as_of, n) for n in (-3, -2, -1)]
    demo_payrolls(county, months, None, xian)
    demo_stop_and_recovery(as_of, xian)


def demo_counts() -> dict[str, int]:
    """What the demo made (for the note and the tests)."""
    return {
        "entitlements": Entitlement.objects.count(),
        "runs": PayrollRun.objects.count(),
        "paid_lines": PayrollLine.objects.filter(status="paid").count(),
        "payees": Person.objects.filter(bank_accounts__active=True).count(),
        "overpayments": Overpayment.objects.count(),
    }
