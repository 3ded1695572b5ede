"""追回台账: money paid for months after a death or while not entitled, and how it comes back.

An overpayment is opened from the paid lines themselves (status paid or issued, period after the
last month the person was entitled to): its amount is their sum to the fen and the lines are kept
on it; a paid line is never edited. Recovery runs on a small machine (workflow kernel):

    待追回 → 分期追回中 → 已追回          (repayments; never more than is outstanding)
    待追回 / 分期追回中 → 核销待审核 → 已核销   (write-off: requested with a reason, approved by
                                               another person — four eyes, the kernel refuses the requester)
    核销待审核 → 待追回 / 分期追回中            (the request sent back)

Where the money was obtained by concealment or forgery (cause fraud), 《社会救助暂行办法》第六十八条
also allows a fine of 1–3 times the amount: the multiple and the fine are recorded on the row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Sum

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.dates import first_of, month_label
from minzheng.payments.models import Entitlement, Overpayment, PayrollLine, Repayment
from minzheng.workflow import services as workflow
from minzheng.workflow.machine import load

ART_68 = "国务院令第649号《社会救助暂行办法》第六十八条"
PAID_STATES = (PayrollLine.State.PAID, PayrollLine.State.ISSUED)
S = Overpayment.State

MACHINE = load(
    "payments.overpayment",
    {
        "label": "追回台账",
        "states": {
            "open": {"label": "待追回", "initial": True},
            "recovering": {"label": "分期追回中"},
            "recovered": {"label": "已追回", "final": True},
            "write_off": {"label": "核销待审核"},
            "written_off": {"label": "已核销", "final": True},
        },
        "transitions": [
            {"from": "open", "to": "recovering", "action": "登记还款"},
            {"from": ["open", "recovering"], "to": "recovered", "action": "登记还款"},
            {
                "from": ["open", "recovering"],
                "to": "write_off",
                "action": "申请核销",
                "reason": True,
                "roles": ["town_officer", "county_approver"],
            },
            {
                "from": "write_off",
                "to": "written_off",
                "action": "核销审批",
                "four_eyes": ["write_off"],
                "roles": ["county_approver"],
                "guards": ["overpayment.independent"],
            },
            {"from": "write_off", "to": "open", "action": "退回核销申请", "reason": True},
            {"from": "write_off", "to": "recovering", "action": "退回核销申请", "reason": True},
        ],
    },
)
workflow.bind(Overpayment, workflow.Binding(object_type="overpayment", machine=lambda obj: MACHINE))


@workflow.guard("overpayment.independent")
def _independent_of_requester(obj: Overpayment, actor: Actor, data: dict[str, object]) -> str | None:
    """Four eyes across accounts: nor may an account the requester created or changed approve."""
    from minzheng.accounts.access import independent_of
    from minzheng.accounts.models import User

    if not getattr(actor, "is_authenticated", False):
        return None
    for requester in User.objects.filter(pk__in=workflow.takers(obj, ("write_off",))):
        if not independent_of(actor, requester):
            return f"审批人账号由核销申请人 {requester.username} 创建或修改过，不能审批该核销"
    return None


class OverpaymentError(ValueError):
    """A recovery step refused; the message is Chinese and names the row."""


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f} 元"


def outstanding(op: Overpayment) -> int:
    """What is still to recover (0 once recovered or written off)."""
    if op.status in (S.RECOVERED, S.WRITTEN_OFF):
        return 0
    return op.amount_fen - op.recovered_fen


def _fine_fen(amount_fen: int, multiple: Decimal | None) -> int | None:
    return None if multiple is None else int((Decimal(amount_fen) * multiple).to_integral_value())


def _multiple(cause: str, fine_multiple: object) -> Decimal | None:
    if fine_multiple in (None, ""):
        return None
    if cause != Overpayment.Cause.FRAUD:
        raise OverpaymentError("罚款仅适用于以虚报、隐瞒、伪造等手段骗取救助的情形（第六十八条）")
    try:
        multiple = Decimal(str(fine_multiple))
    except InvalidOperation:
        raise OverpaymentError(f"罚款倍数“{fine_multiple}”不是数字") from None
    if not Decimal(1) <= multiple <= Decimal(3):
        raise OverpaymentError(f"罚款倍数 {multiple} 超出第六十八条规定的 1～3 倍")
    return multiple


@transaction.atomic
def overpayment_open(
    ent: Entitlement,
    *,
    last_month: dt.date,
    cause: str,
    actor: Actor | None,
    fine_multiple: object = None,
    note: str = "",
) -> Overpayment | None:
    """The paid lines for months after `last_month` not yet on a 追回台账 row; None when there are none.

    Calling it again opens nothing new for lines already recorded (each line is recovered once).
    """
    if cause not in Overpayment.Cause.values:
        raise OverpaymentError(f"未知的多发原因：{cause}")
    multiple = _multiple(cause, fine_multiple)
    last = first_of(last_month)
    # The entitlement's row lock serialises two openings for it: each line goes on one row only.
    Entitlement.objects.select_for_update().filter(pk=ent.pk).first()
    recorded = Overpayment.lines.through.objects.filter(overpayment__entitlement=ent).values("payrollline_id")
    lines = list(
        PayrollLine.objects.filter(entitlement=ent, period__gt=last, status__in=PAID_STATES)
        .exclude(pk__in=recorded)
        .order_by("period", "pk")
    )
    if not lines:
        return None
    amount = sum(line.amount_fen for line in lines)
    op = Overpayment.objects.create(
        entitlement=ent,
        division_code=ent.division_code,
        cause=cause,
        period_from=lines[0].period,
        period_to=lines[-1].period,
        amount_fen=amount,
        fine_multiple=multiple,
        fine_fen=_fine_fen(amount, multiple),
        note=note[:300],
        built_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    op.lines.set(lines)
    label = Overpayment.Cause(cause).label
    span = f"{month_label(op.period_from)}至{month_label(op.period_to)}"
    workflow.start(op, actor=actor, reason=f"{label}：{span}多发 {len(lines)} 笔")
    audit_record(
        actor=actor,
        action="create",
        object_type="overpayment",
        object_id=op.pk,
        summary=f"追回台账：待遇 {ent} {span}多发 {yuan(amount)}（{label}）",
        reason=note,
        data={"entitlement": ent.pk, "lines": [line.pk for line in lines], "amount_fen": amount, "cause": cause},
    )
    return op


def _locked(op: Overpayment) -> Overpayment:
    return Overpayment.objects.select_for_update().get(pk=op.pk)


@transaction.atomic
def repayment_record(
    op: Overpayment, *, amount_fen: int, received_on: dt.date, actor: Actor, note: str = ""
) -> Repayment:
    """A sum received; refused when it is more than is outstanding (never recover twice)."""
    op = _locked(op)
    if op.status not in (S.OPEN, S.RECOVERING):
        raise OverpaymentError(f"追回#{op.pk} 状态为{op.get_status_display()}，不能登记还款")
    if amount_fen <= 0:
        raise OverpaymentError(f"追回#{op.pk}：还款金额必须大于 0")
    left = outstanding(op)
    if amount_fen > left:
        raise OverpaymentError(f"追回#{op.pk}：还款 {yuan(amount_fen)} 超过尚欠金额 {yuan(left)}")
    repayment = Repayment.objects.create(
        overpayment=op,
        received_on=received_on,
        amount_fen=amount_fen,
        note=note[:200],
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    total = op.recovered_fen + amount_fen
    target = S.RECOVERED if total == op.amount_fen else S.RECOVERING
    reason = f"收到还款 {yuan(amount_fen)}（{received_on}），累计 {yuan(total)}"
    if target != op.status:
        workflow.transition(op, target, actor=actor, reason=reason, changes={"recovered_fen": total})
    else:
        Overpayment.objects.filter(pk=op.pk).update(recovered_fen=total)
        audit_record(actor=actor, action="update", object_type="overpayment", object_id=op.pk, summary=reason)
    return repayment


@dataclass(frozen=True)
class Instalment:
    n: int
    amount_fen: int
    cumulative_fen: int
    paid: bool  # covered by what has been received so far


def instalment_plan_set(op: Overpayment, *, instalments: int, actor: Actor, reason: str = "") -> Overpayment:
    """Recover in `instalments` equal parts (1 = lump sum); the plan is shown by `instalment_schedule`."""
    if not 1 <= instalments <= 60:
        raise OverpaymentError(f"追回#{op.pk}：分期数应为 1 至 60 期")
    if op.status not in (S.OPEN, S.RECOVERING):
        raise OverpaymentError(f"追回#{op.pk} 状态为{op.get_status_display()}，不能调整分期")
    with transaction.atomic():
        Overpayment.objects.filter(pk=op.pk).update(instalments=instalments)
        op.instalments = instalments
        audit_record(
            actor=actor,
            action="update",
            object_type="overpayment",
            object_id=op.pk,
            summary=f"追回#{op.pk} 分 {instalments} 期追回，每期约 {yuan(op.amount_fen // instalments)}",
            reason=reason,
        )
    return op


def instalment_schedule(op: Overpayment) -> list[Instalment]:
    """Equal parts to the fen: the first (amount mod n) instalments carry one fen more."""
    n = max(1, op.instalments)
    base, extra = divmod(op.amount_fen, n)
    out, total = [], 0
    for i in range(n):
        part = base + (1 if i < extra else 0)
        total += part
        out.append(Instalment(i + 1, part, total, paid=op.recovered_fen >= total))
    return out


def write_off_request(op: Overpayment, *, reason: str, actor: Actor) -> Overpayment:
    """申请核销 what is outstanding (e.g. the estate has nothing); a second person approves."""
    op.refresh_from_db()
    if not reason.strip():
        raise OverpaymentError(f"追回#{op.pk}：申请核销须填写理由")
    workflow.transition(op, S.WRITE_OFF, actor=actor, reason=reason, changes={"write_off_reason": reason[:300]})
    return op


def write_off_approve(op: Overpayment, *, actor: Actor, reason: str = "") -> Overpayment:
    """核销审批: refused by the kernel for whoever requested it (four eyes) and for non-county roles."""
    op.refresh_from_db()
    left = outstanding(op)
    workflow.transition(op, S.WRITTEN_OFF, actor=actor, reason=reason or f"核销尚欠 {yuan(left)}")
    return op


def write_off_reject(op: Overpayment, *, reason: str, actor: Actor) -> Overpayment:
    """Send the request back: recovery goes on where it was."""
    op.refresh_from_db()
    target = S.RECOVERING if op.recovered_fen else S.OPEN
    workflow.transition(op, target, actor=actor, reason=reason)
    return op


def recovered_total(ent: Entitlement) -> int:
    return int(Repayment.objects.filter(overpayment__entitlement=ent).aggregate(s=Sum("amount_fen"))["s"] or 0)
