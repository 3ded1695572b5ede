"""Entitlement lifecycle and accounts: every change is a version, a history row and an audit event.

The payroll reads entitlements as of its month; these services are the only writers.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.dates import first_of, month_label
from minzheng.payments.models import BankAccount, Entitlement, EntitlementChange, Status
from minzheng.payments.programmes import programme
from minzheng.registry.models import Household, Person

# Callables run (inside the same transaction) after an entitlement's status changes: the registry's
# derived benefit tags are kept in step this way, by whoever owns that projection.
AFTER_STATUS_CHANGE: list[Any] = []


class EntitlementError(ValueError):
    """A change the entitlement's state does not allow; the message is Chinese."""


def _record(
    ent: Entitlement, kind: str, month: dt.date, reason: str, actor: Actor | None, old: int | None = None
) -> None:
    EntitlementChange.objects.create(
        entitlement=ent,
        kind=kind,
        effective_month=month,
        old_amount_fen=old,
        new_amount_fen=ent.amount_fen,
        reason=reason,
        version=ent.version,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action="write",
        object_type="entitlement",
        object_id=ent.pk,
        summary=f"待遇 {programme(ent.programme).name}：{EntitlementChange.Kind(kind).label}（{month_label(month)}起）",
        reason=reason,
        data={"kind": kind, "month": month.isoformat(), "amount_fen": ent.amount_fen, "version": ent.version},
    )
    for hook in AFTER_STATUS_CHANGE:
        hook(ent)


# The note an entitlement of unknown amount carries: it is created 暂停 and never paid until set.
UNKNOWN_AMOUNT = "金额待核对"


def live_entitlement(programme_id: str, subject: Person | Household) -> Entitlement | None:
    """The subject's entitlement in this programme that is not ended, if any."""
    live = Entitlement.objects.filter(programme=programme_id).exclude(status=Status.ENDED)
    if isinstance(subject, Household):
        return live.filter(household=subject).first()
    return live.filter(person=subject).first()


def _subject_fits(programme_id: str, subject: Person | Household) -> None:
    prog = programme(programme_id)
    if isinstance(subject, Household) != prog.per_household:
        raise EntitlementError(f"{prog.name}按{'户' if prog.per_household else '人'}发放")


def _not_yet_live(programme_id: str, subject: Person | Household) -> None:
    if live_entitlement(programme_id, subject) is not None:
        raise EntitlementError(f"已在享受{programme(programme_id).name}，不能重复纳入")


def _insert(programme_id: str, subject: Person | Household, **fields: Any) -> Entitlement:
    household = subject if isinstance(subject, Household) else None
    person = subject if isinstance(subject, Person) else None
    division = household.division_id if household is not None else person.division_code  # type: ignore[union-attr]
    return Entitlement.objects.create(
        programme=programme_id, household=household, person=person, division_code=division, **fields
    )


@transaction.atomic
def entitlement_create(
    *,
    programme_id: str,
    subject: Person | Household,
    payee: Person,
    amount_fen: int,
    from_month: dt.date,
    source: str,
    reason: str,
    actor: Actor | None,
    case: Any = None,
    members: int = 1,
) -> Entitlement:
    """A new live entitlement; refused when the subject already has a live one in this programme."""
    _subject_fits(programme_id, subject)
    if amount_fen <= 0:
        raise EntitlementError("月发放金额必须大于 0")
    _not_yet_live(programme_id, subject)
    ent = _insert(
        programme_id, subject, payee=payee, members=members, amount_fen=amount_fen,
        from_month=first_of(from_month), case=case, source=source, decision=reason[:300],
    )  # fmt: skip
    _record(ent, EntitlementChange.Kind.CREATED, ent.from_month, reason, actor)
    return ent


@transaction.atomic
def entitlement_create_unpaid(
    *,
    programme_id: str,
    subject: Person | Household,
    payee: Person,
    known_zero: bool,
    from_month: dt.date,
    source: str,
    reason: str,
    actor: Actor | None,
    case: Any = None,
    members: int = 1,
) -> Entitlement:
    """An entitlement that pays nothing: recognised at 0 (在保, e.g. 低保边缘 without cash), or of an
    unknown amount (暂停 from its first month with the note 金额待核对, so no payroll pays it until
    someone sets the amount and restores it)."""
    _subject_fits(programme_id, subject)
    _not_yet_live(programme_id, subject)
    month = first_of(from_month)
    ent = _insert(
        programme_id, subject, payee=payee, members=members, amount_fen=0, from_month=month,
        status=Status.ACTIVE if known_zero else Status.SUSPENDED, suspended_from=None if known_zero else month,
        case=case, source=source,
        decision=(f"认定不发放现金；{reason}" if known_zero else f"{UNKNOWN_AMOUNT}；{reason}")[:300],
    )  # fmt: skip
    why = f"{reason}（认定金额为 0，不发放）" if known_zero else f"{reason}（{UNKNOWN_AMOUNT}，核定前不发放）"
    _record(ent, EntitlementChange.Kind.CREATED, month, why, actor)
    return ent


def _locked(ent: Entitlement) -> Entitlement:
    return Entitlement.objects.select_for_update().get(pk=ent.pk)


@transaction.atomic
def entitlement_suspend(ent: Entitlement, *, month: dt.date, reason: str, actor: Actor | None) -> Entitlement:
    """暂停 from `month` (no payroll pays it from then) until restored or ended."""
    ent = _locked(ent)
    if ent.status != Status.ACTIVE:
        raise EntitlementError(f"待遇状态为{ent.get_status_display()}，不能暂停")
    ent.status, ent.suspended_from, ent.version = Status.SUSPENDED, first_of(month), ent.version + 1
    ent.save(update_fields=["status", "suspended_from", "version", "updated_at"])
    _record(ent, EntitlementChange.Kind.SUSPENDED, ent.suspended_from, reason, actor)
    return ent


@transaction.atomic
def entitlement_restore(ent: Entitlement, *, reason: str, actor: Actor | None) -> Entitlement:
    """恢复: the suspended months are paid again by the next payroll (they were never paid)."""
    ent = _locked(ent)
    if ent.status != Status.SUSPENDED:
        raise EntitlementError(f"待遇状态为{ent.get_status_display()}，不能恢复")
    month = ent.suspended_from or ent.from_month
    ent.status, ent.suspended_from, ent.version = Status.ACTIVE, None, ent.version + 1
    ent.save(update_fields=["status", "suspended_from", "version", "updated_at"])
    _record(ent, EntitlementChange.Kind.RESTORED, month, reason, actor)
    return ent


@transaction.atomic
def entitlement_end(ent: Entitlement, *, last_month: dt.date, reason: str, actor: Actor | None) -> Entitlement:
    """停发: `last_month` is the last month paid (the month of death or of the decision to stop)."""
    ent = _locked(ent)
    if ent.status == Status.ENDED:
        raise EntitlementError("待遇已停发")
    last = first_of(last_month)
    ent.status, ent.to_month, ent.version = Status.ENDED, last, ent.version + 1
    ent.save(update_fields=["status", "to_month", "version", "updated_at"])
    _record(ent, EntitlementChange.Kind.ENDED, last, reason, actor)
    return ent


@transaction.atomic
def entitlement_change_amount(
    ent: Entitlement, *, amount_fen: int, month: dt.date, reason: str, actor: Actor | None
) -> Entitlement:
    """A new amount from `month`. Months already in a payroll keep their snapshot."""
    ent = _locked(ent)
    if ent.status == Status.ENDED:
        raise EntitlementError("待遇已停发，不能变更金额")
    if amount_fen <= 0:
        raise EntitlementError("月发放金额必须大于 0；不再享受的请停发")
    old = ent.amount_fen
    ent.amount_fen, ent.version = amount_fen, ent.version + 1
    ent.save(update_fields=["amount_fen", "version", "updated_at"])
    _record(ent, EntitlementChange.Kind.AMOUNT, first_of(month), reason, actor, old=old)
    return ent


@transaction.atomic
def account_set(
    holder: Person, *, bank_code: str, bank_name: str, account_no: str, account_name: str, reason: str, actor: Actor
) -> BankAccount:
    """Register or change a holder's account: the old row is closed, never edited; a reason is required."""
    account_no = "".join(account_no.split())
    if not reason.strip():
        raise EntitlementError("变更发放账户必须填写原因")
    if not account_no.isdigit() or not 8 <= len(account_no) <= 32:
        raise EntitlementError("账号应为 8 至 32 位数字")
    old = BankAccount.objects.select_for_update().filter(holder=holder, active=True).first()
    if old is not None:
        old.active = False
        old.save(update_fields=["active"])
    new = BankAccount.objects.create(
        holder=holder,
        bank_code=bank_code,
        bank_name=bank_name,
        account_no=account_no,
        account_name=account_name.strip() or holder.name,
        division_code=holder.division_code,
        reason=reason.strip()[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    if old is not None:
        old.replaced_by = new
        old.save(update_fields=["replaced_by"])
    audit_record(
        actor=actor,
        action="write",
        object_type="bank_account",
        object_id=new.pk,
        summary=f"{'变更' if old else '登记'}发放账户：{holder.name} {bank_name} 尾号 {account_no[-4:]}",
        reason=reason,
        data={"holder": holder.pk, "replaces": old.pk if old else None},
    )
    return new


# ------------------------------------------------------------------ unit accounts (集中供养, added by I1)


@transaction.atomic
def unit_account_set(
    unit: str,
    *,
    unit_name: str,
    division_code: str,
    bank_code: str,
    bank_name: str,
    account_no: str,
    reason: str,
    actor: Actor,
) -> BankAccount:
    """A unit's collective account (an institution's 对公账户): the old row closed, never edited."""
    account_no = "".join(account_no.split())
    if not unit.strip() or not reason.strip():
        raise EntitlementError("登记单位账户须填写单位代码和原因")
    if not account_no.isdigit() or not 8 <= len(account_no) <= 32:
        raise EntitlementError("账号应为 8 至 32 位数字")
    old = BankAccount.objects.select_for_update().filter(unit=unit, active=True).first()
    if old is not None:
        BankAccount.objects.filter(pk=old.pk).update(active=False)
    new = BankAccount.objects.create(
        holder=None, unit=unit, bank_code=bank_code, bank_name=bank_name, account_no=account_no,
        account_name=unit_name.strip()[:64], division_code=division_code, reason=reason.strip()[:200],
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )  # fmt: skip
    if old is not None:
        BankAccount.objects.filter(pk=old.pk).update(replaced_by=new)
    audit_record(
        actor=actor,
        action="write",
        object_type="bank_account",
        object_id=new.pk,
        summary=f"{'变更' if old else '登记'}单位账户：{unit_name} {bank_name} 尾号 {account_no[-4:]}",
        reason=reason,
        data={"unit": unit, "replaces": old.pk if old else None},
    )
    return new


@transaction.atomic
def entitlement_pay_to_unit(
    ent: Entitlement, *, unit: str, month: dt.date, reason: str, actor: Actor | None
) -> Entitlement:
    """From `month` pay into `unit`'s account (集中供养), or back to the payee's own (`unit` = "").

    A new version and a 收款账户变更 history row; months already in a payroll keep their snapshot."""
    ent = _locked(ent)
    if ent.status == Status.ENDED:
        raise EntitlementError("待遇已停发，不能变更收款账户")
    if ent.payee_unit == unit:
        return ent
    ent.payee_unit, ent.version = unit, ent.version + 1
    ent.save(update_fields=["payee_unit", "version", "updated_at"])
    _record(ent, EntitlementChange.Kind.ACCOUNT, first_of(month), reason, actor)
    return ent
