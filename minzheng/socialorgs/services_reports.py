"""年报: the organisation fills in and submits its report for a year; the officer accepts or returns it.

The window for year Y opens on 1 January of Y+1 and closes on the due date from the parameters
(5月31日 by 社团条例第二十八条, locally adjustable). A report submitted after it is late; an
organisation registered before Y+1 with no report after the due date is missing (items.py puts both on
the officer's 待办).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.socialorgs.flow import workflow
from minzheng.socialorgs.models import AnnualReport, Organisation
from minzheng.socialorgs.selectors import LIVE
from minzheng.socialorgs.services import SocialOrgError

FIELDS = {
    "staff": "专职工作人员",
    "members": "会员或志愿者",
    "activities": "全年开展活动",
    "beneficiaries": "服务对象人次",
    "villages_served": "服务覆盖村（社区）数",
    "income_fen": "本年收入",
    "expense_fen": "本年支出",
    "net_assets_fen": "年末净资产",
    "party_org": "是否建立党组织",
    "disclosed": "是否按章程公开年度信息",
    "summary": "业务活动情况",
}
REQUIRED = ("staff", "activities", "beneficiaries", "income_fen", "expense_fen", "net_assets_fen", "summary")


def open_years(org: Organisation, today: dt.date) -> list[int]:
    """Years the organisation reports on: from the year it registered to last year."""
    if org.registered_on is None:
        return []
    return list(range(org.registered_on.year, today.year))


def report_save(
    org: Organisation,
    year: int,
    values: dict[str, Any],
    *,
    actor: Actor,
    on: dt.date | None = None,
    client_ip: str = "",
) -> AnnualReport:
    """Create or update the draft (or a returned report); a submitted or accepted one cannot change."""
    today = timezone.localdate()
    if org.status not in LIVE:
        raise SocialOrgError(f"{org.name} 不在登记状态，无需报送年报")
    if year not in open_years(org, today):
        raise SocialOrgError(f"报告年度 {year} 不在可报送的年度内（登记当年至上一年度）")
    unknown = [k for k in values if k not in FIELDS]
    if unknown:
        raise SocialOrgError(f"年报没有这些栏目：{'、'.join(unknown)}")
    with transaction.atomic():
        report, created = AnnualReport.objects.get_or_create(
            org=org, year=year, defaults={"division_code": org.division_code}
        )
        if created:
            workflow.start(report, actor=actor, on=on, client_ip=client_ip)
        if report.status not in ("draft", "returned"):
            raise SocialOrgError(f"{year} 年报已报送，不能修改")
        for key, value in values.items():
            setattr(report, key, value)
        report.save(update_fields=[*values] or None)
        audit_record(
            actor=actor,
            action="create" if created else "update",
            object_type="socialorg_report",
            object_id=report.pk,
            summary=f"填报年报：{org.name} {year} 年度",
            client_ip=client_ip,
        )
    return report


def _missing(report: AnnualReport) -> list[str]:
    return [FIELDS[k] for k in REQUIRED if getattr(report, k) in (None, "")] + [
        FIELDS[k] for k in ("party_org", "disclosed") if getattr(report, k) is None
    ]


def report_submit(
    report: AnnualReport, *, actor: Actor, on: dt.date | None = None, client_ip: str = ""
) -> AnnualReport:
    """报送; `on` is the day a paper report reached the office when the officer types it in later."""
    missing = _missing(report)
    if missing:
        raise SocialOrgError(f"请填写：{'、'.join(missing)}")
    day = on or timezone.localdate()
    workflow.transition(report, "submitted", actor=actor, on=day, changes={"submitted_on": day}, client_ip=client_ip)
    return report


def report_accept(
    report: AnnualReport, *, result: str, opinion: str = "", actor: Actor, client_ip: str = ""
) -> AnnualReport:
    """审查通过 with 合格 / 基本合格 / 不合格; 不合格 needs the opinion saying why."""
    if result not in AnnualReport.Result.values:
        raise SocialOrgError("审查结论应为合格、基本合格或不合格")
    if result == AnnualReport.Result.FAIL and not opinion.strip():
        raise SocialOrgError("审查结论为不合格时须填写审查意见")
    changes = {"result": result, "opinion": opinion.strip()}
    workflow.transition(report, "accepted", actor=actor, reason=opinion, changes=changes, client_ip=client_ip)
    return report


def report_return(report: AnnualReport, *, reason: str, actor: Actor, client_ip: str = "") -> AnnualReport:
    workflow.transition(
        report, "returned", actor=actor, reason=reason, changes={"opinion": reason}, client_ip=client_ip
    )
    return report


def report_read(report: AnnualReport, *, actor: Actor, client_ip: str = "") -> None:
    audit_record(
        actor=actor,
        action="view",
        object_type="socialorg_report",
        object_id=report.pk,
        summary=f"查看年报：{report.org.name} {report.year} 年度",
        client_ip=client_ip,
    )
