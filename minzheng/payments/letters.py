"""Payments' letters as PDF, drawn by the cases' notice layout (cases.letters.document_pdf).

追回通知书 (recovery notice): the person, the months paid in excess, each month's amount, the total,
the legal basis, the instalment plan and, where the money was obtained by fraud, the Art. 68 fine.
停发告知书 (stop notice): the programme, the last month paid, the reason, the legal basis.
Like the cases' letters they carry no identity number and end with the person's remedies.

Legal basis (my reading, to be confirmed by the county's legal office): a stop is the county's
decision under 《社会救助暂行办法》第十三条 (停发 when the family's situation changes); money paid
without entitlement after a death or while ineligible is returned as 不当得利 (《民法典》第九百八十五条);
money obtained by concealment or forgery is ordered returned, with a fine of 1–3 times, under 第六十八条.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from minzheng.cases.letters import REMEDY, document_pdf
from minzheng.core.dates import add_months, month_label
from minzheng.payments.models import Entitlement, Overpayment
from minzheng.payments.overpayments import ART_68, instalment_schedule, yuan
from minzheng.payments.programmes import programme

STOP_BASIS = "国务院令第649号《社会救助暂行办法》第十三条"
UNJUST_ENRICHMENT = "《中华人民共和国民法典》第九百八十五条"


def issuer(division_code: str) -> str:
    """The county bureau that signs: 宁波市鄞州区民政局 (city and county names)."""
    from minzheng.divisions.selectors import division_path

    path = division_path(division_code[:6].ljust(12, "0"))
    return "".join(d.name for d in path[-2:]) + "民政局"


def _subject(ent: Entitlement) -> str:
    if ent.person is not None:
        return ent.person.name
    head = ent.payee.name
    return f"{head}户"


def _addressee(ent: Entitlement, cause: str = "") -> str:
    deceased_payee = cause == Overpayment.Cause.DEATH and ent.person_id == ent.payee_id
    return f"{ent.payee.name}的家属（继承人）" if deceased_payee else ent.payee.name


def recovery_letter_lines(op: Overpayment) -> list[str]:
    ent = op.entitlement
    prog = programme(ent.programme)
    lines = list(op.lines.order_by("period", "pk"))
    months = "；".join(f"{month_label(line.period)} {yuan(line.amount_fen)}" for line in lines)
    out = [
        f"{_addressee(ent, op.cause)}：",
        f"经核实，{_subject(ent)}享受的{prog.name}，因{Overpayment.Cause(op.cause).label}，"
        f"{month_label(op.period_from)}至{month_label(op.period_to)}期间多发 {len(lines)} 笔，"
        f"共计 {yuan(op.amount_fen)}（{months}）。",
    ]
    if op.cause == Overpayment.Cause.FRAUD:
        out.append(f"上述款项系以虚报、隐瞒、伪造等手段骗取，依据{ART_68}，责令退回。")
        if op.fine_fen:
            out.append(f"并处多发金额 {op.fine_multiple} 倍的罚款，计 {yuan(op.fine_fen)}。")
    else:
        out.append(f"上述款项不应发放，依据{UNJUST_ENRICHMENT}，应予退回。")
    if op.instalments > 1:
        parts = "；".join(f"第 {i.n} 期 {yuan(i.amount_fen)}" for i in instalment_schedule(op))
        out.append(f"经申请，准予分 {op.instalments} 期退回：{parts}。")
    else:
        out.append("请于收到本通知书之日起三十日内一次性退回。")
    if op.recovered_fen:
        left = yuan(op.amount_fen - op.recovered_fen)
        out.append(f"截至本通知书出具之日，已退回 {yuan(op.recovered_fen)}，尚欠 {left}。")
    out.append("退回方式请咨询所在乡镇（街道）民政办。" + REMEDY)
    return out


def recovery_letter_pdf(op: Overpayment, issued_on: dt.date | None = None) -> bytes:
    day = issued_on or timezone.localdate()
    number = f"追回〔{day.year}〕{op.pk:04d}号"
    return document_pdf("追回通知书", number, recovery_letter_lines(op), issuer(op.division_code), day)


def stop_letter_lines(ent: Entitlement, *, last_month: dt.date, reason: str) -> list[str]:
    prog = programme(ent.programme)
    return [
        f"{ent.payee.name}：",
        f"您（家）享受的{prog.name}，{reason.rstrip('。')}。决定自{month_label(add_months(last_month, 1))}起停止发放，"
        f"最后发放所属期为{month_label(last_month)}。",
        f"依据：{STOP_BASIS}；{prog.legal_basis}。",
        REMEDY,
    ]


def stop_letter_pdf(ent: Entitlement, *, last_month: dt.date, reason: str, issued_on: dt.date | None = None) -> bytes:
    day = issued_on or timezone.localdate()
    number = f"停发〔{day.year}〕{ent.pk:04d}号"
    lines = stop_letter_lines(ent, last_month=last_month, reason=reason)
    return document_pdf("停发告知书", number, lines, issuer(ent.division_code), day)
