"""Quality supervision: star ratings by criteria (GB/T 37276-2018, data/rating.yaml) recorded after an
assessment visit, and fire-safety / service-quality inspections on the workflow kernel
(machines/inspection.yaml) with findings whose rectification deadlines are counted in working days.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.institutions import params
from minzheng.institutions.models import Finding, Inspection, Institution, Rating
from minzheng.workdays.selectors import add_working_days, settled
from minzheng.workflow import services as workflow
from minzheng.workflow.machine import Machine, load

MACHINE: Machine = load(
    "institution_inspection",
    yaml.safe_load((Path(__file__).with_name("machines") / "inspection.yaml").read_text(encoding="utf-8")),
)
workflow.bind(
    Inspection,
    workflow.Binding(object_type="institution_inspection", machine=lambda obj: MACHINE, due_field="due_on"),
)
RATING_FILE = Path(__file__).with_name("data") / "rating.yaml"


class QualityError(ValueError):
    """Refused with a Chinese reason naming the field."""


@cache
def criteria() -> dict[str, Any]:
    return yaml.safe_load(RATING_FILE.read_text(encoding="utf-8"))


def level_for(total: int) -> int:
    """The highest level whose minimum total the score reaches; 0 when none."""
    reached = [int(level) for level, low in criteria()["levels"].items() if total >= int(low)]
    return max(reached, default=0)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def rating_record(
    inst: Institution,
    *,
    visited_on: dt.date,
    assessors: str,
    scores: dict[str, int],
    prerequisites_met: bool,
    note: str = "",
    actor: Actor,
    client_ip: str = "",
) -> Rating:
    """评定: scores per area within their maxima → total → level; the earlier current rating is superseded."""
    if visited_on > timezone.localdate():
        raise QualityError(f"评定检查日期 {visited_on} 晚于今天")
    if not assessors.strip():
        raise QualityError("请填写评定人员")
    clean: dict[str, int] = {}
    for area in criteria()["areas"]:
        value = int(scores.get(area["key"], -1))
        if not 0 <= value <= int(area["max"]):
            raise QualityError(f"{area['label']}得分应在 0–{area['max']} 之间")
        clean[area["key"]] = value
    total = sum(clean.values())
    level = level_for(total) if prerequisites_met else 0
    if level == 0:
        why = "未满足评定前提条件" if not prerequisites_met else f"总分 {total} 未达一级分数线"
        raise QualityError(f"不予评定等级：{why}")
    years = params.param_int(params.RATING_YEARS, inst.division_code, visited_on)
    with transaction.atomic():
        Rating.objects.filter(institution=inst, status=Rating.Status.CURRENT).update(status=Rating.Status.SUPERSEDED)
        rating = Rating.objects.create(
            institution=inst, division_code=inst.division_code, visited_on=visited_on, assessors=assessors.strip(),
            scores=clean, total=total, level=level, prerequisites_met=True,
            valid_until=_add_years(visited_on, years) - dt.timedelta(days=1), note=note.strip()[:300],
            rated_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        audit_record(
            actor=actor,
            action="create",
            object_type="institution_rating",
            object_id=rating.pk,
            summary=f"{inst.name} 等级评定：{level} 级（总分 {total}），有效期至 {rating.valid_until}",
            client_ip=client_ip,
        )
    return rating


def current_rating(inst: Institution) -> Rating | None:
    return inst.ratings.filter(status=Rating.Status.CURRENT).first()


# ------------------------------------------------------------------ inspections


def inspection_plan(
    inst: Institution, *, kind: str, planned_on: dt.date, actor: Actor, client_ip: str = ""
) -> Inspection:
    if kind not in Inspection.Kind.values:
        raise QualityError("检查类型应为消防安全检查或服务质量检查")
    with transaction.atomic():
        insp = Inspection.objects.create(
            institution=inst, division_code=inst.division_code, kind=kind, planned_on=planned_on,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        # A plan entered after the day it names starts on that day (the visit may not precede it).
        workflow.start(insp, actor=actor, on=min(planned_on, timezone.localdate()), client_ip=client_ip)
    return insp


@dataclass(frozen=True)
class FindingInput:
    item: str
    severity: str  # general | major


def rectify_by(inst: Institution, severity: str, inspected_on: dt.date) -> tuple[int, dt.date]:
    days = params.param_int(params.RECTIFY[severity], inst.division_code, inspected_on)
    return days, add_working_days(inspected_on, days)


def inspection_record(
    insp: Inspection,
    *,
    inspected_on: dt.date,
    inspectors: str,
    summary: str,
    findings: list[FindingInput],
    actor: Actor,
    client_ip: str = "",
) -> Inspection:
    """The visit: no findings → 检查合格; findings → 整改中, each with its deadline in working days."""
    if not inspectors.strip():
        raise QualityError("请填写检查人员（至少两人）")
    for f in findings:
        if not f.item.strip() or f.severity not in Finding.Severity.values:
            raise QualityError("每个问题须填写问题描述并选择严重程度")
    changes = {"inspected_on": inspected_on, "inspectors": inspectors.strip(), "summary": summary.strip()}
    with transaction.atomic():
        for f in findings:
            days, by = rectify_by(insp.institution, f.severity, inspected_on)
            Finding.objects.create(
                inspection=insp, item=f.item.strip()[:200], severity=f.severity, working_days=days, rectify_by=by
            )
        to = "rectifying" if findings else "passed"
        data = {"findings": len(findings)}
        workflow.transition(insp, to, actor=actor, on=inspected_on, changes=changes, data=data, client_ip=client_ip)
    return insp


def rectification_report(
    insp: Inspection, *, notes: dict[int, str], on: dt.date, actor: Actor, client_ip: str = ""
) -> Inspection:
    """The operator reports every open finding rectified (what was done), for the inspector to review."""
    open_findings = list(insp.findings.filter(rectified_on__isnull=True))
    missing = [f.item for f in open_findings if not (notes.get(f.pk) or "").strip()]
    if missing:
        raise QualityError(f"请填写整改情况：{'、'.join(missing)}")
    with transaction.atomic():
        for f in open_findings:
            Finding.objects.filter(pk=f.pk).update(rectified_on=on, rectification=notes[f.pk].strip()[:300])
        workflow.transition(insp, "reported", actor=actor, on=on, data={"rectified": len(open_findings)},
                            client_ip=client_ip)  # fmt: skip
    return insp


def inspection_review(
    insp: Inspection, *, passed: bool, reason: str = "", actor: Actor, client_ip: str = ""
) -> Inspection:
    """复查: passed closes the inspection; not passed sends it back and reopens the findings."""
    with transaction.atomic():
        if passed:
            workflow.transition(insp, "closed", actor=actor, client_ip=client_ip)
        else:
            workflow.transition(insp, "rectifying", actor=actor, reason=reason, client_ip=client_ip)
            insp.findings.update(rectified_on=None)
    return insp


def deadline_text(day: dt.date | None) -> str:
    """A deadline in a year the holiday table does not cover is shown 未核定 (KERNELS §1)."""
    if day is None:
        return ""
    return f"{day}" if settled(day) else f"{day}（未核定）"
