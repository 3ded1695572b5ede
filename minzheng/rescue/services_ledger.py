"""Writes on the two ledgers: entering a person, the follow-ups that keep the schedule, closing an entry.

The schedule is a date on the entry (`next_due_on`): the interval comes from parameters, shorter for a
high-risk person, counted from entry and then from each follow-up. A follow-up that finds need leaves a
referral on the town's 待办 (items.referral_open).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import covers
from minzheng.core.masking import mask_name
from minzheng.registry.models import Person
from minzheng.rescue import items, params
from minzheng.rescue.models import RISKS, FollowUp, LedgerEntry, Stay


class LedgerError(ValueError):
    """Refused with a Chinese reason naming the field."""


@dataclass
class Who:
    name: str
    division_code: str
    person: Person | None = None
    id_number: str = ""
    phone: str = ""
    address: str = ""
    risks: list[str] = field(default_factory=list)


def interval_days(entry: LedgerEntry, on: dt.date) -> int:
    """Monthly by default; a high-risk flag shortens it (both parameters, per region)."""
    key = params.HIGH_RISK_INTERVAL if entry.risks else params.INTERVAL
    return params.param_days(key, entry.division_code, on)


def _check(who: Who) -> None:
    if not who.name.strip():
        raise LedgerError("请填写姓名")
    if len(who.division_code) != 12 or not who.division_code.isdigit():
        raise LedgerError("所在地应为 12 位村（社区）或乡镇区划代码")
    unknown = [r for r in who.risks if r not in RISKS]
    if unknown:
        raise LedgerError(f"未知的风险标记：{'、'.join(unknown)}")


def entry_open(
    kind: str, who: Who, *, on: dt.date, actor: Actor, stay: Stay | None = None, client_ip: str = ""
) -> LedgerEntry:
    """Enter a person on a ledger; a person already open on it keeps their entry (the new stay is linked)."""
    _check(who)
    existing = (
        LedgerEntry.objects.filter(kind=kind, person=who.person, closed_on__isnull=True).first()
        if who.person is not None
        else None
    )
    with transaction.atomic():
        if existing is not None:
            entry = existing
            LedgerEntry.objects.filter(pk=entry.pk).update(stay=stay or entry.stay, division_code=who.division_code)
            summary = f"{entry.get_kind_display()}台账：再次入账 {mask_name(entry.name)}"
        else:
            entry = LedgerEntry(
                kind=kind,
                person=who.person,
                name=who.name.strip(),
                id_number=who.id_number,
                phone=who.phone,
                address=who.address.strip(),
                division_code=who.division_code,
                stay=stay,
                risks=list(who.risks),
                entered_on=on,
                next_due_on=on,
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            entry.next_due_on = on + dt.timedelta(days=interval_days(entry, on))
            entry.save()
            summary = f"{entry.get_kind_display()}台账：入账 {mask_name(entry.name)}"
        audit_record(
            actor=actor,
            action="create",
            object_type="rescue_entry",
            object_id=entry.pk,
            summary=summary,
            client_ip=client_ip,
        )
    return entry


def wander_register(who: Who, *, actor: Actor, on: dt.date | None = None, client_ip: str = "") -> LedgerEntry:
    """A village or town contact enters a person prone to wander in their own grid."""
    if not covers(actor.jurisdiction, who.division_code):
        raise LedgerError(f"所在地 {who.division_code} 不在您的管辖范围内")
    return entry_open(LedgerEntry.Kind.WANDER, who, on=on or timezone.localdate(), actor=actor, client_ip=client_ip)


@dataclass
class Visit:
    visited_on: dt.date
    outcome: str
    need: str = ""
    note: str = ""


def _check_visit(entry: LedgerEntry, visit: Visit) -> None:
    if entry.closed_on is not None:
        raise LedgerError("该台账记录已销账，不能再登记回访")
    if visit.outcome not in FollowUp.Outcome.values:
        raise LedgerError("回访结果应为：在家、未找到、已迁居或需要帮扶")
    if visit.visited_on > timezone.localdate():
        raise LedgerError(f"回访日期 {visit.visited_on} 晚于今天")
    if visit.visited_on < entry.entered_on:
        raise LedgerError(f"回访日期 {visit.visited_on} 早于入账日期 {entry.entered_on}")
    if visit.need not in FollowUp.Need.values:
        raise LedgerError("帮扶需求应为：低保、特困供养或照料服务")
    if visit.outcome == FollowUp.Outcome.NEEDS_HELP and not visit.need:
        raise LedgerError("回访结果为“需要帮扶”时，请选择帮扶需求")


def followup_record(entry: LedgerEntry, visit: Visit, *, actor: Actor, client_ip: str = "") -> FollowUp:
    """Record a follow-up; the next one falls due one interval later; need becomes a referral for the town."""
    _check_visit(entry, visit)
    with transaction.atomic():
        followup = FollowUp.objects.create(
            entry=entry,
            visited_on=visit.visited_on,
            outcome=visit.outcome,
            need=visit.need,
            note=visit.note.strip(),
            by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        # A late-entered older visit does not pull the schedule back: count from the latest visit.
        visits = entry.followups.order_by("-visited_on").values_list("visited_on", flat=True)
        latest = visits.first() or visit.visited_on
        entry.next_due_on = latest + dt.timedelta(days=interval_days(entry, latest))
        LedgerEntry.objects.filter(pk=entry.pk).update(next_due_on=entry.next_due_on)
        _move_siblings(entry, visit.visited_on)
        if visit.need:
            items.referral_open(followup)
        audit_record(
            actor=actor,
            action="create",
            object_type="rescue_entry",
            object_id=entry.pk,
            summary=f"回访 {mask_name(entry.name)}：{followup.get_outcome_display()}"
            + (f"，需{followup.get_need_display()}" if visit.need else ""),
            client_ip=client_ip,
        )
    return followup


def _move_siblings(entry: LedgerEntry, visited_on: dt.date) -> None:
    """One visit sees the person, whichever ledger it was recorded on: the person's other open entry
    (返乡 and 易流浪走失 together) counts its schedule from this visit too, if that is later."""
    if entry.person_id is None:
        return
    siblings = LedgerEntry.objects.filter(person_id=entry.person_id, closed_on__isnull=True).exclude(pk=entry.pk)
    for other in siblings:
        due = visited_on + dt.timedelta(days=interval_days(other, visited_on))
        if due > other.next_due_on:
            LedgerEntry.objects.filter(pk=other.pk).update(next_due_on=due)


def entry_close(entry: LedgerEntry, *, reason: str, actor: Actor, client_ip: str = "") -> LedgerEntry:
    """销账 (stable for long, moved away for good, died): the schedule stops, the history stays."""
    if not reason.strip():
        raise LedgerError("请填写销账原因")
    if entry.closed_on is not None:
        raise LedgerError("该台账记录已销账")
    with transaction.atomic():
        entry.closed_on, entry.close_reason = timezone.localdate(), reason.strip()[:200]
        entry.save(update_fields=["closed_on", "close_reason"])
        audit_record(
            actor=actor,
            action="update",
            object_type="rescue_entry",
            object_id=entry.pk,
            summary=f"{entry.get_kind_display()}台账：销账 {mask_name(entry.name)}",
            reason=reason.strip(),
            client_ip=client_ip,
        )
    return entry


def entry_read(entry: LedgerEntry, *, actor: Actor, client_ip: str = "") -> None:
    audit_record(
        actor=actor,
        action="view",
        object_type="rescue_entry",
        object_id=entry.pk,
        summary=f"查看{entry.get_kind_display()}台账记录：{mask_name(entry.name)}",
        client_ip=client_ip,
    )


def registry_person(id_number: str) -> Person | None:
    """The registry person with this number, if any (a ledger entry may name someone not in the registry)."""
    number = id_number.strip().upper()
    return Person.objects.filter(id_number=number).first() if number else None
