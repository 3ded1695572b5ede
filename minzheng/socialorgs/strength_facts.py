"""The facts of 组织力指数 (data/strength.yaml) for organisations, from this app's records.

Year Y is the year before `as_of` (the last 年报 year). A fact with no record behind it is None (the rule
is then 待核对): no report means its figures are unknown, not zero. 年报按时报送 is known once the
due date has passed (then a missing report is "no").
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import QuerySet

from minzheng.socialorgs import params
from minzheng.socialorgs.models import AnnualReport, Finding, Organisation, Rating
from minzheng.socialorgs.models_venture import Application, Evaluation
from minzheng.socialorgs.strength import Result, evaluate, index

REPORT_FACTS = {
    "全年活动次数": "activities",
    "服务人次": "beneficiaries",
    "专职工作人员": "staff",
    "会员或志愿者": "members",
    "服务覆盖村社数": "villages_served",
    "本年收入": "income_fen",
    "本年支出": "expense_fen",
    "信息公开": "disclosed",
    "建立党组织": "party_org",
}


def _on_time(report: AnnualReport | None, due: dt.date, as_of: dt.date) -> bool | None:
    if report is not None and report.submitted_on:
        return report.submitted_on <= due
    return False if as_of > due else None


def facts_for(orgs: list[Organisation], as_of: dt.date) -> list[dict[str, Any]]:
    year = as_of.year - 1
    pks = [o.pk for o in orgs]
    reports = {r.org_id: r for r in AnnualReport.objects.filter(org_id__in=pks, year=year)}
    open_findings = Counter(
        Finding.objects.filter(inspection__org_id__in=pks, rectified_on__isnull=True).values_list(
            "inspection__org_id", flat=True
        )
    )
    grades = {
        r.org_id: int(r.grade[0])
        for r in Rating.objects.filter(org_id__in=pks, rated_on__lte=as_of, expires_on__gte=as_of, revoked_on=None)
    }
    awarded = Counter(
        Application.objects.filter(org_id__in=pks, status__in=("awarded", "closed")).values_list("org_id", flat=True)
    )
    closed = Counter(
        Evaluation.objects.filter(application__org_id__in=pks, stage="final", passed=True).values_list(
            "application__org_id", flat=True
        )
    )
    rows = []
    for org in orgs:
        report = reports.get(org.pk)
        due = params.report_due(year, org.division_code)
        row: dict[str, Any] = {k: getattr(report, f) if report else None for k, f in REPORT_FACTS.items()}
        accepted = report is not None and report.status == "accepted"
        row.update(
            {
                "年报按时报送": _on_time(report, due, as_of),
                "年报审查结论": report.get_result_display() if accepted and report else None,
                "未整改问题数": open_findings.get(org.pk, 0),
                "列入活动异常名录": org.status == "abnormal",
                "评估等级": grades.get(org.pk, 0),
                "创投立项数": awarded.get(org.pk, 0),
                "创投结项合格数": closed.get(org.pk, 0),
                "登记月数": _months(org.registered_on, as_of),
            }
        )
        rows.append(row)
    return rows


def _months(since: dt.date | None, as_of: dt.date) -> int | None:
    if since is None:
        return None
    return (as_of.year - since.year) * 12 + as_of.month - since.month - (as_of.day < since.day)


def scores(orgs: QuerySet[Organisation], as_of: dt.date) -> list[tuple[Organisation, Result]]:
    orgs_list = list(orgs)
    results = evaluate(index(), facts_for(orgs_list, as_of), as_of)
    return list(zip(orgs_list, results, strict=True))
