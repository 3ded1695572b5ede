"""Star ratings (expiry → 待办) and inspections on the workflow kernel with working-day deadlines."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from minzheng.institutions import items
from minzheng.institutions import services_quality as quality
from minzheng.institutions.models import Finding, Institution, Rating
from minzheng.workdays.selectors import add_working_days
from minzheng.workflow.services import TransitionRefused
from minzheng.workitems.models import WorkItem

SCORES = {"environment": 100, "facilities": 110, "management": 120, "service": 450}  # 780 → 4 级


def _years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) + dt.timedelta(days=days)


def test_rating_by_criteria_and_its_expiry_raises_a_workitem(inst: Institution, cast: object) -> None:
    county = cast.county_approver  # type: ignore[attr-defined]
    # Rated three years ago less 30 days: valid 3 years, so it ends in 29 days, inside the 60-day warning.
    old = quality.rating_record(inst, visited_on=_years_ago(3, 30), assessors="陈县、何评", scores=SCORES,
                                prerequisites_met=True, actor=county)  # fmt: skip
    assert (old.total, old.level) == (780, 4)
    items.refresh_items()
    item = WorkItem.objects.get(kind="institution_rating_expiring", status="open")
    assert item.role == "county_approver" and item.due_on == old.valid_until and inst.name in item.title
    # A new rating supersedes the old one: the producer's next run closes the item.
    new = quality.rating_record(inst, visited_on=timezone.localdate(), assessors="陈县、何评",
                                scores={**SCORES, "service": 300}, prerequisites_met=True, actor=county)  # fmt: skip
    assert new.level == 3
    assert Rating.objects.get(pk=old.pk).status == Rating.Status.SUPERSEDED
    items.refresh_items()
    assert WorkItem.objects.get(pk=item.pk).status == "resolved"


def test_a_rating_far_from_expiry_raises_nothing_and_prerequisites_are_required(
    inst: Institution, cast: object
) -> None:
    county = cast.county_approver  # type: ignore[attr-defined]
    quality.rating_record(inst, visited_on=_years_ago(1), assessors="陈县", scores=SCORES,
                          prerequisites_met=True, actor=county)  # fmt: skip
    items.refresh_items()
    assert not WorkItem.objects.filter(kind="institution_rating_expiring").exists()
    with pytest.raises(quality.QualityError, match="未满足评定前提条件"):
        quality.rating_record(inst, visited_on=_years_ago(0), assessors="陈县", scores=SCORES,
                              prerequisites_met=False, actor=county)  # fmt: skip
    with pytest.raises(quality.QualityError, match="服务得分应在 0–600 之间"):
        quality.rating_record(inst, visited_on=_years_ago(0), assessors="陈县", scores={**SCORES, "service": 700},
                              prerequisites_met=True, actor=county)  # fmt: skip


def test_inspection_findings_rectification_in_working_days(inst: Institution, cast: object) -> None:
    town, operator = cast.town_officer, cast.institution_operator  # type: ignore[attr-defined]
    day = timezone.localdate() - dt.timedelta(days=40)
    insp = quality.inspection_plan(inst, kind="fire", planned_on=day, actor=town)
    findings = [quality.FindingInput("疏散通道堆放杂物", "major"), quality.FindingInput("灭火器过期 2 具", "general")]
    quality.inspection_record(insp, inspected_on=day, inspectors="李镇、消防站王某", summary="存在隐患",
                              findings=findings, actor=town)  # fmt: skip
    assert insp.status == "rectifying"
    major, general = insp.findings.order_by("pk")
    assert (major.working_days, major.rectify_by) == (5, add_working_days(day, 5))
    assert (general.working_days, general.rectify_by) == (20, add_working_days(day, 20))
    items.refresh_items()  # 40 days later both deadlines have passed
    assert WorkItem.objects.filter(kind="institution_finding_overdue", status="open").count() == 2
    with pytest.raises(TransitionRefused, match="不能办理「报告整改完成」"):
        quality.rectification_report(insp, notes={major.pk: "已清理", general.pk: "已更换"},
                                     on=timezone.localdate(), actor=town)  # fmt: skip
    with pytest.raises(quality.QualityError, match="灭火器过期"):
        quality.rectification_report(insp, notes={major.pk: "已清理"}, on=timezone.localdate(), actor=operator)
    quality.rectification_report(insp, notes={major.pk: "已清理", general.pk: "已更换"},
                                 on=timezone.localdate(), actor=operator)  # fmt: skip
    assert insp.status == "reported" and not Finding.objects.filter(rectified_on__isnull=True).exists()
    items.refresh_items()
    assert not WorkItem.objects.filter(kind="institution_finding_overdue", status="open").exists()
    with pytest.raises(TransitionRefused, match="须填写理由"):
        quality.inspection_review(insp, passed=False, actor=town)
    quality.inspection_review(insp, passed=True, actor=town)
    assert insp.status == "closed"


def test_an_inspection_without_findings_passes(inst: Institution, cast: object) -> None:
    town = cast.town_officer  # type: ignore[attr-defined]
    insp = quality.inspection_plan(inst, kind="service", planned_on=timezone.localdate(), actor=town)
    quality.inspection_record(insp, inspected_on=timezone.localdate(), inspectors="李镇、吴某", summary="合格",
                              findings=[], actor=town)  # fmt: skip
    assert insp.status == "passed"
