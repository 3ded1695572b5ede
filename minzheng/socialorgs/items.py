"""社会组织 on the 待办 (workitems kernel): producers, refreshed by the scheduler; an item closes by itself
when its fact is gone (the report accepted, the filing decided, the problem rectified …).

- 年报: reports waiting for review (10 working days, machines/annual_report.yaml), and organisations
  whose report for last year is missing after the due date (the officer follows them up and may list
  them as 活动异常).
- Register and supervision: filings at their stage deadline, 打非 leads, unrectified findings past their
  deadline, ratings expiring within 90 days, 创投 instalments waiting for a second person's approval.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.utils import timezone

from minzheng.socialorgs import params
from minzheng.socialorgs.models import AnnualReport, Filing, Finding, Lead, Rating
from minzheng.socialorgs.models_venture import Instalment
from minzheng.socialorgs.selectors import registered_orgs
from minzheng.workdays.selectors import add_working_days
from minzheng.workitems.services import ItemSpec, producer, refresh

REPORTS = "socialorg_reports"
SUPERVISE = "socialorg_supervise"
OFFICER = "socialorg_officer"
EXPIRY_NOTICE_DAYS = 90  # 评估等级到期前 90 日提醒复评（系统默认）


def _spec(
    kind: str, title: str, subject: str, pk: int, division: str, due: dt.date | None, link: str, **kw: str
) -> ItemSpec:
    return ItemSpec(
        source=kw.get("source", SUPERVISE),
        kind=kind,
        title=title,
        subject_type=subject,
        subject_id=str(pk),
        division_code=division,
        role=kw.get("role", OFFICER),
        fingerprint=kw.get("fingerprint", f"{kind}:{pk}"),
        due_on=due,
        data={"link": link},
    )


@producer(REPORTS, {"socialorg_report_review": "年报待审查", "socialorg_report_missing": "年报逾期未报"})
def report_items() -> Iterator[ItemSpec]:
    today = timezone.localdate()
    for r in AnnualReport.objects.filter(status="submitted").select_related("org").order_by("pk"):
        due = add_working_days(r.submitted_on or today, 10)
        title = f"{r.org.name} {r.year} 年度年报已报送，请审查"
        yield _spec(
            "socialorg_report_review",
            title,
            "socialorg_report",
            r.pk,
            r.division_code,
            due,
            f"/socialorgs/reports/{r.pk}/",
            source=REPORTS,
        )
    year = today.year - 1
    filed = set(AnnualReport.objects.filter(year=year, submitted_on__isnull=False).values_list("org_id", flat=True))
    for org in registered_orgs("").filter(registered_on__lt=dt.date(year + 1, 1, 1)).exclude(pk__in=filed):
        due = params.report_due(year, org.division_code)
        if today <= due:
            continue
        yield _spec(
            "socialorg_report_missing",
            f"{org.name} 未报送 {year} 年度年报（截止 {due}）",
            "socialorg",
            org.pk,
            org.division_code,
            due,
            f"/socialorgs/{org.pk}/",
            source=REPORTS,
            fingerprint=f"socialorg_report_missing:{org.pk}:{year}",
        )


KINDS = {
    "socialorg_filing": "社会组织登记事项",
    "socialorg_lead": "打非线索",
    "socialorg_finding": "检查问题整改逾期",
    "socialorg_rating": "评估等级即将到期",
    "venture_instalment": "创投资金待审批",
}


@producer(SUPERVISE, KINDS)
def supervise_items() -> Iterator[ItemSpec]:
    today = timezone.localdate()
    for f in Filing.objects.filter(status__in=("received", "accepted")).select_related("org").order_by("pk"):
        step = "受理" if f.status == "received" else "作出决定（由受理人以外的人员）"
        yield _spec(
            "socialorg_filing",
            f"{f.get_type_display()}：{f.org.name}，请{step}",
            "socialorg_filing",
            f.pk,
            f.division_code,
            f.due_on,
            f"/socialorgs/filings/{f.pk}/",
            fingerprint=f"socialorg_filing:{f.pk}:{f.status}",
        )
    for lead in Lead.objects.filter(status__in=("received", "verifying")).order_by("pk"):
        yield _spec(
            "socialorg_lead",
            f"打非线索：{lead.name}（{lead.source}）",
            "socialorg_lead",
            lead.pk,
            lead.division_code,
            lead.due_on,
            f"/socialorgs/leads/{lead.pk}/",
            fingerprint=f"socialorg_lead:{lead.pk}:{lead.status}",
        )
    late = Finding.objects.filter(rectified_on__isnull=True, rectify_due__lt=today).select_related("inspection__org")
    for f in late.order_by("pk"):
        org = f.inspection.org
        yield _spec(
            "socialorg_finding",
            f"{org.name} {f.area_label}问题逾期未整改",
            "socialorg",
            org.pk,
            f.inspection.division_code,
            f.rectify_due,
            f"/socialorgs/{org.pk}/",
            fingerprint=f"socialorg_finding:{f.pk}",
        )
    soon = today + dt.timedelta(days=EXPIRY_NOTICE_DAYS)
    expiring = Rating.objects.filter(revoked_on__isnull=True, expires_on__gte=today, expires_on__lte=soon)
    for r in expiring.select_related("org").order_by("pk"):
        yield _spec(
            "socialorg_rating",
            f"{r.org.name} {r.grade} 等级将于 {r.expires_on} 到期，请安排复评",
            "socialorg",
            r.org_id,
            r.division_code,
            r.expires_on,
            f"/socialorgs/{r.org_id}/",
            fingerprint=f"socialorg_rating:{r.pk}",
        )
    for inst in Instalment.objects.filter(status="planned").select_related("application__org").order_by("pk"):
        app = inst.application
        yield _spec(
            "venture_instalment",
            f"创投资金第 {inst.seq} 期待审批：{app.org.name}《{app.title}》",
            "venture_application",
            app.pk,
            inst.division_code,
            None,
            f"/socialorgs/ventures/applications/{app.pk}/",
            role="county_approver",
            fingerprint=f"venture_instalment:{inst.pk}",
        )


def refresh_items() -> dict[str, dict[str, int]]:
    return {source: refresh(source) for source in (REPORTS, SUPERVISE)}
