"""Reads for the payment pages: masked rows for lists, one entitlement with its history and lines."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from minzheng.core.masking import mask_id_number, mask_name
from minzheng.divisions import codes
from minzheng.divisions.models import Division
from minzheng.payments.models import BankAccount, Entitlement, Overpayment, PayrollLine
from minzheng.payments.programmes import programme, programmes


def yuan(fen: int | None) -> str:
    """12345 → '123.45' (with thousands separators); '' for None."""
    if fen is None:
        return ""
    return f"{fen / 100:,.2f}"


def who(user: Any) -> str:
    """A staff member as pages name them; 系统 for the scheduler and the demo."""
    if user is None:
        return "系统"
    return getattr(user, "display_name", "") or getattr(user, "username", "") or "系统"


SOURCES = {"case": "案件审核确认", "auto": "免申即享", "migrated": "由原标签迁移"}


def region_name(code: str) -> str:
    """A payroll's region by name (瞻岐镇, 鄞州区); the code when the division is unknown."""
    division = Division.objects.filter(code=code.ljust(12, "0")).only("name").first()
    return division.name if division else code


def programme_name(programme_id: str) -> str:
    try:
        return programme(programme_id).name
    except ValueError:
        return programme_id


def programme_choices() -> list[tuple[str, str]]:
    return [(p.id, p.name) for p in programmes().values()]


def towns_of(jurisdiction: str) -> list[tuple[str, str]]:
    """(significant code, name) of the towns in a jurisdiction, for filters and the payroll form."""
    rows = Division.objects.filter(level=codes.TOWN, code__startswith=jurisdiction).order_by("code")
    return [(codes.significant(d.code), d.name) for d in rows]


def subject_label(ent: Entitlement, *, masked: bool) -> str:
    if ent.household is not None:
        head = ent.payee.name if ent.payee_id else ""
        return f"{ent.household.household_no}（户主 {mask_name(head) if masked else head}）"
    person = ent.person
    if person is None:
        return ""
    return f"{mask_name(person.name)} {mask_id_number(person.id_number)}" if masked else person.name


def payee_label(ent: Entitlement, *, masked: bool) -> str:
    p = ent.payee
    return f"{mask_name(p.name)} {mask_id_number(p.id_number)}" if masked else f"{p.name} {p.id_number}"


@dataclass(frozen=True)
class EntitlementRow:
    ent: Entitlement
    programme: str
    subject: str
    payee: str
    amount: str

    @classmethod
    def of(cls, ent: Entitlement) -> EntitlementRow:
        return cls(
            ent,
            programme_name(ent.programme),
            subject_label(ent, masked=True),
            payee_label(ent, masked=True),
            yuan(ent.amount_fen),
        )


def entitlement_filter(qs: QuerySet[Entitlement], params: dict[str, str]) -> QuerySet[Entitlement]:
    """The list's filters: programme, status, town (a code prefix inside the visible set), household no."""
    from minzheng.core.jurisdiction import prefix_q

    if params.get("programme"):
        qs = qs.filter(programme=params["programme"])
    if params.get("status"):
        qs = qs.filter(status=params["status"])
    if params.get("town", "").isdigit():
        qs = qs.filter(prefix_q("division_code", params["town"]))
    if params.get("household"):
        qs = qs.filter(household__household_no=params["household"].strip())
    return qs


def account_of(holder_id: int) -> BankAccount | None:
    return BankAccount.objects.filter(holder_id=holder_id, active=True).first()


def account_masked(account: BankAccount | None) -> str:
    """The bank and the last 4 digits only: a page never shows a whole account number."""
    if account is None:
        return ""
    return f"{account.bank_name} 尾号 {account.account_no[-4:]}"


def account_history(holder_id: int) -> list[dict[str, Any]]:
    rows = BankAccount.objects.filter(holder_id=holder_id).select_related("created_by").order_by("-created_at", "-pk")
    return [
        {
            "label": account_masked(a),
            "active": a.active,
            "reason": a.reason,
            "at": a.created_at,
            "by": who(a.created_by),
        }
        for a in rows
    ]


def lines_of(ent: Entitlement, limit: int = 60) -> list[dict[str, Any]]:
    lines = PayrollLine.objects.filter(entitlement=ent).select_related("run").order_by("-period", "-pk")[:limit]
    return [
        {
            "line": ln,
            "period": ln.period,
            "amount": yuan(ln.amount_fen),
            "status": ln.get_status_display(),
            "account": f"{ln.bank_name} 尾号 {ln.account_no[-4:]}" if ln.account_no else "",
            "run": ln.run,
        }
        for ln in lines
    ]


@dataclass(frozen=True)
class OverpaymentRow:
    op: Overpayment
    programme: str
    payee: str
    amount: str
    recovered: str
    outstanding: str

    @classmethod
    def of(cls, op: Overpayment) -> OverpaymentRow:
        ent = op.entitlement
        return cls(
            op,
            programme_name(ent.programme),
            payee_label(ent, masked=True),
            yuan(op.amount_fen),
            yuan(op.recovered_fen),
            yuan(op.amount_fen - op.recovered_fen),
        )
