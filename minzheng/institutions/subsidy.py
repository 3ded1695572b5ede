"""Monthly operating subsidy per occupied bed by care level, decided by the rules engine
(rules/policies/institution_subsidy.yaml) for each resident of the month, to the fen.

A bed is occupied from the day of admission up to (not including) the day of discharge; a month's
amount is the level's monthly standard × days occupied / days of the month, rounded to the fen by the
policy. A resident without an assessed care level is 待核对, never 0. The month's sheet is built by the
county and approved by another person (workflow.approvals.maker_checker: four eyes).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl
from django.db import transaction

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.dates import first_of, month_label
from minzheng.institutions.models import Institution, Resident, SubsidyLine, SubsidyMonth, level_label
from minzheng.workflow.approvals import maker_checker
from minzheng.workflow.services import TransitionRefused, start, transition

POLICY = "institution_subsidy"
MACHINE = maker_checker(SubsidyMonth, object_type="institution_subsidy", label="养老机构运营补贴", noun="补贴表")
_SCHEMA = {
    "person_id": pl.String(),
    "household_id": pl.String(),
    "region_code": pl.String(),
    "birth_date": pl.Date(),
    "sex": pl.String(),
    "relation": pl.String(),
    "incapacity_level": pl.Int8(),
    "care_home_days": pl.Int64(),
    "month_days": pl.Int64(),
    "care_home_kind": pl.String(),
}


def yuan(fen: int) -> str:
    """12345 → '123.45' by integer arithmetic (fen are never floats)."""
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


class SubsidyError(ValueError):
    """Refused with a Chinese reason."""


def days_in(row: Resident, month: dt.date) -> int:
    """Days the resident occupied a bed in `month` (admission day counted, discharge day not)."""
    first = first_of(month)
    end = first + dt.timedelta(days=calendar.monthrange(first.year, first.month)[1])  # exclusive
    start_day = max(row.admitted_on, first)
    stop = min(row.discharged_on or end, end)
    return max((stop - start_day).days, 0)


def month_residents(inst: Institution, month: dt.date) -> list[tuple[Resident, int]]:
    out = []
    rows = inst.residents.select_related("person").order_by("pk")
    for row in rows:
        days = days_in(row, month)
        if days > 0:
            out.append((row, days))
    return out


@dataclass(frozen=True)
class Outcome:
    outcome: str
    amount_fen: int
    explanation: str


def decide(inst: Institution, month: dt.date, residents: list[tuple[Resident, int]]) -> dict[int, Outcome]:
    """resident pk → the engine's decision for that resident's month (one engine call for all)."""
    from minzheng.rules.eligibility import catalogue, decide_household, fen_text, reason_text
    from minzheng.rules.inputs_db import EngineInputs
    from minzheng.rules.params_db import DbParamSource

    first = first_of(month)
    n_days = calendar.monthrange(first.year, first.month)[1]
    as_of = first.replace(day=n_days)
    out: dict[int, Outcome] = {}
    rows: list[dict[str, Any]] = []
    for row, days in residents:
        if row.care_level is None:
            out[row.pk] = Outcome(SubsidyLine.Outcome.PENDING, 0, "待核对：照护等级未评估（须先完成能力评估）")
            continue
        rows.append(_engine_row(inst, row, days, n_days))
    if not rows:
        return out
    persons = pl.DataFrame(rows, schema=_SCHEMA, orient="row")
    inputs = EngineInputs(persons=persons, households=persons.select("household_id", "region_code"), verified=set())
    policy = catalogue().policies[POLICY]
    days_of = {row.pk: (row, days) for row, days in residents}
    for d in decide_household(inputs, as_of, source=DbParamSource()):
        if d.policy_id != POLICY or not d.person_id:
            continue
        row, days = days_of[int(d.person_id)]
        if d.eligible:
            text = f"符合：{level_label(row.care_level)}，在院 {days}/{n_days} 天，补贴 {fen_text(d.amount_fen)}"
            out[row.pk] = Outcome(SubsidyLine.Outcome.YES, d.amount_fen, text)
        elif d.eligible is None:
            out[row.pk] = Outcome(SubsidyLine.Outcome.PENDING, 0, reason_text(policy, None, 0, [], None, d.missing))
        else:
            text = reason_text(policy, False, 0, list(d.failed_conditions or []), d.excluded_by)
            out[row.pk] = Outcome(SubsidyLine.Outcome.NO, 0, text)
    return out


def _engine_row(inst: Institution, row: Resident, days: int, n_days: int) -> dict[str, Any]:
    person = row.person
    return {
        "person_id": str(row.pk),
        "household_id": f"res-{row.pk}",
        "region_code": inst.division_code,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "relation": "02",
        "incapacity_level": row.care_level,
        "care_home_days": days,
        "month_days": n_days,
        "care_home_kind": inst.get_kind_display(),
    }


def build(inst: Institution, month: dt.date, *, actor: Actor | None, client_ip: str = "") -> SubsidyMonth:
    """Compute (or recompute, while 待审核) the month's sheet; each build re-enters 待审核 under the builder."""
    first = first_of(month)
    existing = SubsidyMonth.objects.filter(institution=inst, month=first).first()
    if existing is not None and existing.status != "draft":
        raise SubsidyError(f"{month_label(first)}运营补贴已审核，不能重新计算")
    residents = month_residents(inst, first)
    decided = decide(inst, first, residents)
    user = actor if getattr(actor, "is_authenticated", False) else None
    with transaction.atomic():
        sheet, _ = SubsidyMonth.objects.update_or_create(
            institution=inst, month=first, defaults={"division_code": inst.division_code, "built_by": user}
        )
        sheet.lines.all().delete()
        lines = [
            SubsidyLine(
                subsidy=sheet,
                resident=row,
                care_level=row.care_level,
                days=days,
                amount_fen=decided[row.pk].amount_fen,
                outcome=decided[row.pk].outcome,
                explanation=decided[row.pk].explanation,
            )
            for row, days in residents
        ]
        SubsidyLine.objects.bulk_create(lines)
        sheet.total_fen = sum(line.amount_fen for line in lines)
        sheet.residents = sum(1 for line in lines if line.outcome == SubsidyLine.Outcome.YES)
        sheet.pending = sum(1 for line in lines if line.outcome == SubsidyLine.Outcome.PENDING)
        sheet.save(update_fields=["total_fen", "residents", "pending"])
        start(sheet, actor=actor, client_ip=client_ip)
        audit_record(
            actor=actor,
            action="create",
            object_type="institution_subsidy",
            object_id=sheet.pk,
            summary=f"{inst.name} {month_label(first)}运营补贴计算：{sheet.residents} 床，"
            f"合计 {yuan(sheet.total_fen)} 元，待核对 {sheet.pending} 人",
            client_ip=client_ip,
        )
    return sheet


def approve(sheet: SubsidyMonth, *, actor: Actor, client_ip: str = "") -> SubsidyMonth:
    if sheet.pending:
        raise SubsidyError(f"尚有 {sheet.pending} 人待核对（照护等级未评估等），请补齐后重新计算再审核")
    try:
        transition(sheet, "approved", actor=actor, client_ip=client_ip)
    except TransitionRefused as exc:
        raise SubsidyError(str(exc)) from exc
    return sheet
