"""Amounts priced by the rules engine, and a standard change (a parameter with a new effective date)
applied to the live entitlements of a region from that month, after a what-if and a second person's
approval.

Pricing is the engine's own: the programme's policy (its `policy`, else a policy of the same id) for
the household (household programmes) or the person, on the month's first day, with the database's
parameters (or a caller's what-if source). For 低保 that is the gap formula (标准 − 人均收入) × 保障人口.
An undecided result (待核对: an input unknown) gives no amount, never zero; a household the new
standard makes ineligible is listed, not stopped: stopping needs a 停保复核.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from minzheng.accounts.access import independent_of
from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.dates import first_of, month_label
from minzheng.payments import services
from minzheng.payments.models import Entitlement, Status
from minzheng.payments.programmes import Programme, programme
from minzheng.registry.models import Household, Person

CHUNK = 2000  # households per engine run


@dataclass(frozen=True)
class Price:
    eligible: bool | None
    amount_fen: int | None  # None: undecided (待核对)


def policy_of(prog: Programme) -> str:
    return prog.policy or prog.id


def _key(subject: Person | Household) -> tuple[str, int]:
    return ("household", subject.pk) if isinstance(subject, Household) else ("person", subject.pk)


def price_many(
    prog: Programme, subjects: list[Person | Household], as_of: dt.date, *, source: Any = None
) -> dict[tuple[str, int], Price]:
    """(kind, id) → the engine's price of the programme's policy for each subject on `as_of`."""
    from minzheng.rules.eligibility import decide_batch
    from minzheng.rules.inputs_db import engine_inputs

    policy = policy_of(prog)
    household_of = {_key(s): s.pk if isinstance(s, Household) else s.household_id for s in subjects}
    households = sorted(set(household_of.values()))
    out: dict[tuple[str, int], Price] = {}
    for start in range(0, len(households), CHUNK):
        chunk = households[start : start + CHUNK]
        persons = Person.objects.filter(household_id__in=chunk).order_by("household_id", "relation", "birth_date")
        frame = decide_batch(engine_inputs(persons, as_of), as_of, source=source)
        rows = frame.filter(frame["policy_id"] == policy).select("household_id", "person_id", "eligible", "amount_fen")
        for hid, pid, eligible, amount in rows.iter_rows():
            key = ("household", int(hid)) if pid is None else ("person", int(pid))
            out[key] = Price(eligible, None if eligible is None else int(amount or 0))
    return {k: out.get(k, Price(None, None)) for k in household_of}


def price(prog: Programme, subject: Person | Household, as_of: dt.date, *, source: Any = None) -> Price:
    return price_many(prog, [subject], as_of, source=source)[_key(subject)]


def _subject(ent: Entitlement) -> Person | Household:
    return ent.household if ent.household_id else ent.person  # type: ignore[return-value]


def standard_change_preview(
    programme_id: str, region: str, month: dt.date, *, source: Any = None
) -> list[dict[str, Any]]:
    """What-if: every live, priced entitlement of the programme in the region with its amount now and
    the engine's amount from `month` (the parameter's new value in force then, or `source`'s)."""
    prog = programme(programme_id)
    month = first_of(month)
    ents = list(
        Entitlement.objects.filter(programme=programme_id, division_code__startswith=region)
        .exclude(status=Status.ENDED)
        .exclude(amount_fen=0)  # unpriced (待核对) or recognised without cash: not a standard's to set
        .select_related("household", "person")
        .order_by("pk")
    )
    prices = price_many(prog, [_subject(e) for e in ents], month, source=source)
    rows = []
    for ent in ents:
        p = prices[_key(_subject(ent))]
        new = p.amount_fen if p.eligible else None
        rows.append(
            {
                "entitlement": ent,
                "entitlement_id": ent.pk,
                "division_code": ent.division_code,
                "old_amount_fen": ent.amount_fen,
                "new_amount_fen": new,
                "difference_fen": None if new is None else new - ent.amount_fen,
                "note": _note(p),
            }
        )
    return rows


def _note(p: Price) -> str:
    if p.eligible is None:
        return "待核对：规则判定缺少数据，不自动调整"
    if p.eligible is False:
        return "按新标准不再符合：须经停保复核，不自动停发"
    return ""


class StandardChangeError(ValueError):
    """A refused application of a standard change; the message is Chinese."""


@transaction.atomic
def standard_change_apply(
    programme_id: str,
    region: str,
    month: dt.date,
    *,
    actor: Actor | None,
    approved_by: Actor | None,
    reason: str = "",
    source: Any = None,
) -> dict[str, int]:
    """Apply the preview's differences from `month` (entitlement_change_amount), once a second person has
    approved it: the approver is neither the applier nor an account the applier controls. Rows without
    a new amount (待核对, no longer eligible) are left for a person; applying again changes nothing."""
    if approved_by is None:
        raise StandardChangeError("标准调整须经另一名工作人员审核后才能执行")
    if actor is not None and not independent_of(approved_by, actor):
        raise StandardChangeError("四眼原则：审核人不能是执行人本人（或其创建、修改过的账户）")
    prog, month = programme(programme_id), first_of(month)
    why = reason or f"{prog.name}标准调整，自{month_label(month)}起按新标准重新核定"
    changed = skipped = 0
    for row in standard_change_preview(programme_id, region, month, source=source):
        new = row["new_amount_fen"]
        if new is None or new <= 0:
            skipped += 1
            continue
        if new == row["old_amount_fen"]:
            continue
        services.entitlement_change_amount(row["entitlement"], amount_fen=new, month=month, reason=why, actor=actor)
        changed += 1
    audit_record(
        actor=actor,
        action="write",
        object_type="standard_change",
        object_id=f"{programme_id}:{region}:{month:%Y-%m}",
        summary=f"{prog.name} {region} 自{month_label(month)}起标准调整：变更 {changed} 条，待核对 {skipped} 条",
        reason=why,
        data={"approved_by": getattr(approved_by, "username", ""), "changed": changed, "skipped": skipped},
    )
    return {"changed": changed, "skipped": skipped}
