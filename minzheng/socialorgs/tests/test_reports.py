"""年报: the window, required fields, late and missing lists, the officer's 待办, accept and return."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.socialorgs import items, params, selectors
from minzheng.socialorgs import services_reports as reports
from minzheng.socialorgs.models import AnnualReport, Organisation
from minzheng.socialorgs.services import SocialOrgError
from minzheng.socialorgs.tests.conftest import LAST_YEAR, REPORT, TODAY, make_org
from minzheng.testing import Cast
from minzheng.workflow.services import TransitionRefused
from minzheng.workitems.models import WorkItem


def test_report_window_and_required_fields(cast: Cast, org: Organisation) -> None:
    with pytest.raises(SocialOrgError, match=f"报告年度 {TODAY.year} 不在可报送的年度内"):
        reports.report_save(org, TODAY.year, {}, actor=cast.org_account)
    report = reports.report_save(org, LAST_YEAR, {"staff": 2}, actor=cast.org_account)
    with pytest.raises(SocialOrgError, match="请填写：全年开展活动、服务对象人次"):
        reports.report_submit(report, actor=cast.org_account)
    report = reports.report_save(org, LAST_YEAR, REPORT, actor=cast.org_account)
    reports.report_submit(report, actor=cast.org_account)
    with pytest.raises(SocialOrgError, match="已报送，不能修改"):
        reports.report_save(org, LAST_YEAR, {"staff": 9}, actor=cast.org_account)
    with pytest.raises(TransitionRefused):
        reports.report_accept(report, result="pass", actor=cast.org_account)  # an organisation never accepts itself
    with pytest.raises(SocialOrgError, match="不合格时须填写审查意见"):
        reports.report_accept(report, result="fail", actor=cast.socialorg_officer)
    reports.report_return(report, reason="财务数据与审计报告不一致", actor=cast.socialorg_officer)
    report = reports.report_save(org, LAST_YEAR, {"income_fen": 11_000_000}, actor=cast.org_account)
    reports.report_submit(report, actor=cast.org_account)
    reports.report_accept(report, result="pass", actor=cast.socialorg_officer)
    report.refresh_from_db()
    assert (report.status, report.result, report.income_fen) == ("accepted", "pass", 11_000_000)


def test_late_missing_lists_and_items(cast: Cast, org: Organisation) -> None:
    due = params.report_due(LAST_YEAR, org.division_code)
    assert due == dt.date(TODAY.year, 5, 31)  # 社团条例第二十八条
    on_time = make_org(cast, "按时报送协会", 21)
    late = make_org(cast, "逾期报送协会", 22)
    missing = make_org(cast, "未报协会", 23)
    make_org(cast, "新登记协会", 24, days_ago=1)  # registered this year: nothing to report yet
    for target, day in ((on_time, due - dt.timedelta(days=20)), (late, due + dt.timedelta(days=3))):
        report = reports.report_save(target, LAST_YEAR, REPORT, actor=cast.socialorg_officer, on=day)
        reports.report_submit(report, actor=cast.socialorg_officer, on=day)
    status = selectors.report_status(selectors.registered_orgs("330212"), LAST_YEAR, due, TODAY)
    names = {k: sorted(o.name for o, _ in v) for k, v in status.items()}
    if due < TODAY:
        assert names["missing"] == sorted([missing.name, org.name])
    assert names["late"] == [late.name]
    assert names["submitted"] == sorted([on_time.name, late.name])
    items.refresh_items()
    open_items = WorkItem.objects.filter(status="open", role="socialorg_officer")
    assert open_items.filter(kind="socialorg_report_review").count() == 2
    if due < TODAY:
        assert open_items.filter(kind="socialorg_report_missing", subject_id=str(missing.pk)).exists()
    report = AnnualReport.objects.get(org=on_time)
    reports.report_accept(report, result="basic", actor=cast.socialorg_officer)
    items.refresh_items()
    assert WorkItem.objects.get(fingerprint=f"socialorg_report_review:{report.pk}").status == "resolved"
