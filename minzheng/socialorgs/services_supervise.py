"""Supervision after registration: inspection records and findings, 等级评估 ratings, 打非 leads.

Rectification deadlines are working days from the inspection (parameter, KERNELS §1); a rating is
valid five years (民政部令第39号); a lead moves on its machine (machines/lead.yaml).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.socialorgs import params
from minzheng.socialorgs.flow import workflow
from minzheng.socialorgs.models import AnnualReport, Finding, Inspection, Lead, Organisation, Rating
from minzheng.socialorgs.services import SocialOrgError, _check_division
from minzheng.workdays.selectors import add_working_days


@dataclass
class Found:
    area: str  # one of Finding.AREAS
    text: str


def inspection_record(
    inspection: Inspection,
    *,
    method: str,
    on: dt.date,
    result: str,
    note: str = "",
    findings: list[Found] | None = None,
    actor: Actor,
    client_ip: str = "",
) -> Inspection:
    """The inspection's record; each finding gets its rectification deadline in working days."""
    findings = findings or []
    if inspection.inspected_on is not None:
        raise SocialOrgError("该检查已登记结果")
    if method not in ("paper", "site"):
        raise SocialOrgError("检查方式应为书面检查或实地检查")
    if result not in ("pass", "rectify", "refer"):
        raise SocialOrgError("请选择检查结果")
    if on > timezone.localdate():
        raise SocialOrgError(f"检查日期 {on} 晚于今天")
    if result != "pass" and not findings:
        raise SocialOrgError("检查结果为发现问题时，请至少登记一条问题")
    bad = [f.area for f in findings if f.area not in Finding.AREAS or not f.text.strip()]
    if bad:
        raise SocialOrgError("每条问题须选择类别（年度报告、信息公开、内部治理、财务状况、业务活动）并填写描述")
    days = params.value(params.RECTIFY, inspection.division_code, on)
    with transaction.atomic():
        Inspection.objects.filter(pk=inspection.pk).update(method=method, inspected_on=on, result=result, note=note)
        inspection.refresh_from_db()
        for f in findings:
            Finding.objects.create(
                inspection=inspection, area=f.area, text=f.text.strip(), rectify_due=add_working_days(on, days)
            )
        audit_record(
            actor=actor,
            action="update",
            object_type="socialorg_inspection",
            object_id=inspection.pk,
            summary=f"登记检查结果：{inspection.org.name} {inspection.get_result_display()}，问题 {len(findings)} 条",
            client_ip=client_ip,
        )
    return inspection


def finding_rectified(finding: Finding, *, on: dt.date, actor: Actor, client_ip: str = "") -> Finding:
    if finding.rectified_on is not None:
        raise SocialOrgError("该问题已登记整改完成")
    with transaction.atomic():
        Finding.objects.filter(pk=finding.pk).update(rectified_on=on)
        finding.rectified_on = on
        audit_record(
            actor=actor,
            action="update",
            object_type="socialorg_inspection",
            object_id=finding.inspection_id,
            summary=f"问题整改完成：{finding.area_label}",
            client_ip=client_ip,
        )
    return finding


def inspection_publish(inspection: Inspection, *, actor: Actor, client_ip: str = "") -> Inspection:
    """抽查结果公开 (the 一公开 of 双随机一公开): shown on the public lookup page from this day."""
    if inspection.inspected_on is None:
        raise SocialOrgError("尚未登记检查结果，不能公开")
    with transaction.atomic():
        Inspection.objects.filter(pk=inspection.pk).update(published_on=timezone.localdate())
        inspection.refresh_from_db()
        audit_record(
            actor=actor,
            action="update",
            object_type="socialorg_inspection",
            object_id=inspection.pk,
            summary=f"公开抽查结果：{inspection.org.name}",
            client_ip=client_ip,
        )
    return inspection


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def rating_refusal(org: Organisation, on: dt.date) -> str:
    """Why the organisation may not be rated now (民政部令第39号 第十一条、第十二条), or ""."""
    if org.status != "registered" or org.registered_on is None:
        return f"{org.name} 不在正常登记状态（活动异常或已注销的不予评估）"
    if _years_later(org.registered_on, 2) > dt.date(on.year, 1, 1):
        return f"{org.name} 登记未满两个年度，不能参加评估"
    last = AnnualReport.objects.filter(org=org, year=on.year - 1).first()
    if last is not None and last.result == AnnualReport.Result.FAIL:
        return f"{org.name} 上一年度年报审查不合格，不能参加评估"
    return ""


def rating_record(
    org: Organisation, *, score: int, rated_on: dt.date, note: str = "", actor: Actor, client_ip: str = ""
) -> Rating:
    """Record the score out of 1000; the grade follows the local cut-offs, valid five years."""
    if not 0 <= score <= 1000:
        raise SocialOrgError("评估得分应在 0 至 1000 之间")
    refusal = rating_refusal(org, rated_on)
    if refusal:
        raise SocialOrgError(refusal)
    grade = params.grade_for(score, org.division_code, rated_on)
    if not grade:
        raise SocialOrgError(f"评估得分 {score} 未达到 1A 级，不评定等级")
    years = params.value(params.RATING_YEARS, org.division_code, rated_on)
    with transaction.atomic():
        # A new rating replaces the one in force (复评 or 降级).
        Rating.objects.filter(org=org, revoked_on__isnull=True, expires_on__gte=rated_on).update(revoked_on=rated_on)
        rating = Rating.objects.create(
            org=org,
            division_code=org.division_code,
            grade=grade,
            score=score,
            rated_on=rated_on,
            expires_on=_years_later(rated_on, years) - dt.timedelta(days=1),
            note=note.strip()[:300],
            by=actor,
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="socialorg_rating",
            object_id=rating.pk,
            summary=f"评估等级：{org.name} {grade}（{score} 分，有效期至 {rating.expires_on}）",
            client_ip=client_ip,
        )
    return rating


def lead_create(
    *, name: str, source: str, description: str, division_code: str, on: dt.date, actor: Actor, client_ip: str = ""
) -> Lead:
    if not (name.strip() and source.strip() and description.strip()):
        raise SocialOrgError("请填写涉嫌组织名称、线索来源和线索内容")
    _check_division(division_code, actor.jurisdiction)
    with transaction.atomic():
        lead = Lead.objects.create(
            name=name.strip(),
            source=source.strip(),
            description=description.strip(),
            division_code=division_code,
            reported_on=on,
            created_by=actor,
        )
        workflow.start(lead, actor=actor, on=on, client_ip=client_ip)
        audit_record(
            actor=actor,
            action="create",
            object_type="socialorg_lead",
            object_id=lead.pk,
            summary=f"登记打非线索：{lead.name}（{lead.source}）",
            client_ip=client_ip,
        )
    return lead


def lead_step(lead: Lead, to: str, *, actor: Actor, reason: str = "", finding: str = "", client_ip: str = "") -> Lead:
    changes = {"finding": finding.strip()} if finding.strip() else {}
    workflow.transition(lead, to, actor=actor, reason=reason, changes=changes, client_ip=client_ip)
    return lead
