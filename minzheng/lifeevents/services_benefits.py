"""Benefits by themselves: what a death, a birth or a marriage does to payments, shown before the payroll.

A death suspends, through the payments kernel, the deceased's own entitlements (特困, 高龄津贴, 残疾人两项
补贴 …) and the household's (低保, 低保边缘) from the month after the month of death, the same day the
event is known; the rules engine prices the household again without the deceased (a 低保 household of
three becomes two). A birth (the child entered in the registry) and a marriage (the person moved to
the spouse's 户) price the households concerned again. Each change is a `BenefitChange` row the town's
caseworker sees on a 待办 due before the month ends (the next month's payroll), and confirms:

- 停发: `payments.stops.stop_confirm` ends the entitlement with the month of death as the last month
  paid and opens the 追回台账 row for months paid after it;
- 重新核定: the entitlement ends the same way and a new one starts the next month for the members now
  in the household, at the engine's amount, paid to the payee still in it (months already paid at
  the old amount are recovered and paid again at the new one as arrears — to the fen, never twice).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.dates import add_months, first_of, month_label
from minzheng.lifeevents.models import BenefitChange, Kind, LifeEvent
from minzheng.payments.models import Entitlement, Overpayment, Status
from minzheng.payments.programmes import programme
from minzheng.registry.models import Household, Person

ADULT = 18
Change = BenefitChange


class BenefitError(ValueError):
    """A benefit change refused with a Chinese reason."""


def _live() -> Any:
    return Entitlement.objects.exclude(status=Status.ENDED)


def _people(event: LifeEvent) -> list[Person]:
    return [p for p in (event.person, event.partner) if p is not None]


def _households(event: LifeEvent) -> list[Household]:
    out: dict[int, Household] = {}
    for p in _people(event):
        out.setdefault(p.household_id, p.household)
    moved_from = event.facts.get("moved_from_household")
    if moved_from:
        old = Household.objects.filter(pk=moved_from).first()
        if old is not None:
            out.setdefault(old.pk, old)
    return list(out.values())


def live_programmes(event: LifeEvent) -> set[str]:
    """Programmes the person, the partner or their households receive now."""
    people = _people(event)
    rows = _live().filter(person__in=people) | _live().filter(household__in=_households(event), person__isnull=True)
    return set(rows.values_list("programme", flat=True))


def price(
    household: Household, programme_id: str, as_of: dt.date, *, died: dict[str, dt.date] | None = None
) -> tuple[bool | None, int | None, int, list[str]]:
    """(eligible, monthly fen, members alive, explanation): the engine's answer for the household.

    `died` marks members dead (a death reported at the window before any feed has it).
    """
    from minzheng.rules.eligibility import explain_household
    from minzheng.rules.inputs_db import engine_inputs

    persons = Person.objects.filter(household=household).order_by("relation", "birth_date")
    inputs = engine_inputs(persons, as_of)
    frame = inputs.persons
    for number, day in (died or {}).items():
        frame = frame.with_columns(
            pl.when(pl.col("id_number") == number).then(pl.lit(day)).otherwise(pl.col("died_on")).alias("died_on")
        )
    inputs = dataclasses.replace(inputs, persons=frame)
    alive = frame.filter(pl.col("died_on").is_null()).height
    policy = programme(programme_id).policy or programme_id
    for d in explain_household(inputs, as_of) if frame.height else []:
        if d.policy_id == policy and d.person_id is None:
            texts = [e.get("text", str(e)) if isinstance(e, dict) else str(e) for e in d.explanation]
            return d.eligible, (int(d.amount_fen or 0) if d.eligible is not None else None), alive, texts
    return None, None, alive, ["规则目录中没有该户的判定结果"]


def _month_after(day: dt.date) -> dt.date:
    return add_months(first_of(day), 1)


def _suspend(ent: Entitlement, month: dt.date, reason: str) -> None:
    from minzheng.payments.services import entitlement_suspend

    if ent.status == Status.ACTIVE:
        entitlement_suspend(ent, month=month, reason=reason, actor=None)


def _propose(
    event: LifeEvent, ent: Entitlement | None, household: Household | None, programme_id: str, **fields: Any
) -> BenefitChange:
    change, _ = BenefitChange.objects.get_or_create(
        event=event,
        programme=programme_id,
        entitlement=ent,
        defaults={
            "household": household,
            "division_code": (ent.division_code if ent else household.division_id),  # type: ignore[union-attr]
            **fields,
        },
    )
    return change


def _death(event: LifeEvent) -> list[BenefitChange]:
    person = event.person
    died = event.event_date or timezone.localdate()
    last, stop_from = first_of(died), _month_after(died)
    why = f"{event.get_kind_display()} {event.case.case_no}：{person.name}于 {died} 死亡"
    out = []
    for ent in _live().filter(person=person).order_by("pk"):
        _suspend(ent, stop_from, f"{why}，暂停发放待乡镇确认停发")
        out.append(
            _propose(
                event,
                ent,
                None,
                ent.programme,
                action=Change.Action.END,
                old_amount_fen=ent.amount_fen,
                last_month=last,
                explanation=[f"{person.name}死亡，本人待遇停发，最后发放所属期 {month_label(last)}"],
            )
        )
    for ent in _live().filter(household=person.household, person__isnull=True).order_by("pk"):
        _suspend(ent, stop_from, f"{why}，家庭待遇暂停待乡镇确认重算")
        eligible, amount, alive, texts = price(
            person.household, ent.programme, stop_from, died={person.id_number: died}
        )
        out.append(_household_change(event, ent, eligible, amount, alive, texts, last=last, effective=stop_from))
    return out


def _household_change(
    event: LifeEvent,
    ent: Entitlement,
    eligible: bool | None,
    amount: int | None,
    alive: int,
    texts: list[str],
    *,
    last: dt.date,
    effective: dt.date,
) -> BenefitChange:
    ends = eligible is False or alive == 0 or amount == 0
    return _propose(
        event,
        ent,
        ent.household,
        ent.programme,
        action=Change.Action.END if ends else Change.Action.AMOUNT,
        old_amount_fen=ent.amount_fen,
        new_amount_fen=None if ends else amount,
        old_members=ent.members,
        new_members=alive,
        effective_month=None if ends else effective,
        last_month=last,
        explanation=texts,
    )


def _reprice(event: LifeEvent, household: Household, *, effective: dt.date, reason: str) -> list[BenefitChange]:
    """A household whose members changed (a child born, a spouse moved in or out): priced again."""
    out = []
    last = add_months(effective, -1)
    for ent in _live().filter(household=household, person__isnull=True).order_by("pk"):
        eligible, amount, alive, texts = price(household, ent.programme, effective)
        if amount == ent.amount_fen and alive == ent.members:
            continue
        _suspend(ent, effective, f"{reason}，家庭待遇暂停待乡镇确认重算")
        out.append(_household_change(event, ent, eligible, amount, alive, texts, last=last, effective=effective))
    return out


def changes_propose(event: LifeEvent) -> list[BenefitChange]:
    """The changes this event causes now (idempotent: one row per entitlement), and the caseworker's 待办."""
    from minzheng.lifeevents.items import benefit_item_sync

    with transaction.atomic():
        if event.kind == Kind.DEATH:
            out = _death(event)
        elif event.kind == Kind.BIRTH and event.child_id:
            effective = _month_after(event.event_date or timezone.localdate())
            out = _reprice(
                event, event.person.household, effective=effective, reason=f"{event.case.case_no} 新生儿入户"
            )
            for ent in _live().filter(person=event.person).order_by("pk"):  # the mother's own: re-assessed
                out.append(
                    _propose(
                        event,
                        ent,
                        None,
                        ent.programme,
                        action=Change.Action.REVIEW,
                        old_amount_fen=ent.amount_fen,
                        explanation=["家庭人口变化，重新评估"],
                    )
                )
        elif event.kind == Kind.MARRIAGE and event.facts.get("moved_from_household"):
            effective = _month_after(timezone.localdate())
            out = []
            for household in _households(event):
                out += _reprice(event, household, effective=effective, reason=f"{event.case.case_no} 婚后户口迁移")
            for ent in _live().filter(person=event.person).order_by("pk"):  # 特困: a spouse can now support
                out.append(
                    _propose(
                        event,
                        ent,
                        None,
                        ent.programme,
                        action=Change.Action.REVIEW,
                        old_amount_fen=ent.amount_fen,
                        explanation=["婚后有法定扶养人，重新评估"],
                    )
                )
        else:
            out = []
        benefit_item_sync(event)
    return out


def _payee(ent: Entitlement | None, household: Household, event: LifeEvent) -> Person:
    """The payee still in the household, else its 户主, else its oldest adult (never the deceased)."""
    gone = {event.person.pk} if event.kind == Kind.DEATH else set()
    members = household.members.exclude(pk__in=gone).order_by("birth_date", "pk")
    if ent is not None and ent.payee_id not in gone and members.filter(pk=ent.payee_id).exists():
        return ent.payee
    today = timezone.localdate()
    adults = [m for m in members if (today.year - m.birth_date.year) >= ADULT]
    head = next((m for m in adults if m.relation == "02"), None)
    choice = head or (adults[0] if adults else members.first())
    if choice is None:
        raise BenefitError("该户已无成员，无法确定收款人，请选择停发")
    return choice


def _end_old(change: BenefitChange, ent: Entitlement, reason: str, actor: Actor) -> list[str]:
    """The old entitlement ends with the last month due; months paid after it go to the 追回台账."""
    from minzheng.payments.services import EntitlementError
    from minzheng.payments.stops import stop_confirm

    ent.refresh_from_db()
    if ent.status == Status.ENDED:
        return ["原待遇已停发（停发核实已处理）"]
    cause = Overpayment.Cause.DEATH if change.event.kind == Kind.DEATH else Overpayment.Cause.INELIGIBLE
    last = change.last_month or first_of(timezone.localdate())
    try:
        result = stop_confirm(ent, last_month=last, reason=reason, actor=actor, cause=cause)
    except EntitlementError as exc:
        raise BenefitError(str(exc)) from None
    notes = [f"原待遇停发，最后发放所属期 {month_label(last)}"]
    if result.overpayment is not None:
        notes.append(f"多发 {result.overpayment.amount_fen / 100:,.2f} 元列入追回台账#{result.overpayment.pk}")
    return notes


def _start_new(change: BenefitChange, ent: Entitlement | None, household: Household, reason: str, actor: Actor) -> str:
    """The household's entitlement for the members now in it, from the month after the event."""
    from minzheng.payments.services import entitlement_create

    amount, month = change.new_amount_fen or 0, change.effective_month or _month_after(timezone.localdate())
    new = entitlement_create(
        programme_id=change.programme,
        subject=household,
        payee=_payee(ent, household, change.event),
        amount_fen=amount,
        from_month=month,
        source="lifeevent",
        actor=actor,
        case=ent.case if ent else None,
        reason=f"{reason}：保障人口 {change.new_members} 人，月 {amount / 100:,.2f} 元",
        members=change.new_members or 1,
    )
    return (
        f"自 {month_label(new.from_month)} 起按 {change.new_members} 人月 {amount / 100:,.2f} 元发放（待遇#{new.pk}）"
    )


def change_apply(change: BenefitChange, *, actor: Actor, reason: str = "", client_ip: str = "") -> BenefitChange:
    """确认: carry the change out through the payments kernel; the note says what it did."""
    if change.status != Change.Status.PROPOSED:
        raise BenefitError(f"该变更已{change.get_status_display()}")
    event, ent = change.event, change.entitlement
    reason = reason.strip() or f"{event.get_kind_display()} {event.case.case_no}：{change.get_action_display()}"
    notes: list[str] = []
    with transaction.atomic():
        if ent is not None and change.action in (Change.Action.END, Change.Action.AMOUNT):
            notes += _end_old(change, ent, reason, actor)
        if change.action == Change.Action.AMOUNT and change.new_amount_fen and change.household is not None:
            notes.append(_start_new(change, ent, change.household, reason, actor))
        if change.action == Change.Action.REVIEW:
            notes.append("已安排重新评估")
        _settle(change, Change.Status.APPLIED, actor, "；".join(notes), client_ip)
    return change


def change_dismiss(change: BenefitChange, *, actor: Actor, reason: str, client_ip: str = "") -> BenefitChange:
    """不予变更 with a reason (the record was wrong): a suspended entitlement is restored."""
    from minzheng.payments.stops import stop_cancel

    if not reason.strip():
        raise BenefitError("不予变更须填写理由")
    if change.status != Change.Status.PROPOSED:
        raise BenefitError(f"该变更已{change.get_status_display()}")
    with transaction.atomic():
        ent = change.entitlement
        if ent is not None:
            ent.refresh_from_db()
            if ent.status == Status.SUSPENDED:
                stop_cancel(ent, reason=reason, actor=actor)
        _settle(change, Change.Status.DISMISSED, actor, reason.strip(), client_ip)
    return change


def _settle(change: BenefitChange, status: str, actor: Actor, note: str, client_ip: str) -> None:
    from minzheng.lifeevents.items import benefit_item_sync

    BenefitChange.objects.filter(pk=change.pk).update(
        status=status, decided_by=actor, decided_at=timezone.now(), note=note[:300]
    )
    change.refresh_from_db()
    audit_record(
        actor=actor,
        action="update",
        object_type="life_event",
        object_id=change.event_id,
        client_ip=client_ip,
        summary=f"{change.event.case.case_no} 待遇变更{change.get_status_display()}：{programme(change.programme).name}"
        f"{change.get_action_display()}（{note}）"[:300],
        data={"change": change.pk, "entitlement": change.entitlement_id, "new_amount_fen": change.new_amount_fen},
    )
    benefit_item_sync(change.event)
