"""一键核对（家庭经济状况核对）: who may see or change what. The only place this app's role decisions are made."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import covers, prefix_q

# 匹配复核 (identity matching review): the 核对中心's work; nobody else confirms a link.
MATCH_REVIEW = {Role.VERIFICATION_CENTER}


def can_review_matches(user: Any) -> bool:
    return _has(user, MATCH_REVIEW)


def can_review_candidate(user: Any, candidate: Any) -> bool:
    """Role, and the candidate person inside the user's jurisdiction."""
    return can_review_matches(user) and covers(user.jurisdiction, candidate.division_code)


def nav_entries(user: Any) -> list[tuple[str, str]]:
    """(label, url) navigation entries this user's role may use; [] for none."""
    entries: list[tuple[str, str]] = []
    if can_review_matches(user):
        entries.append(("匹配复核", reverse("verification:match_review")))
    if can_view_worklist(user):
        entries.append(("核对工作清单", reverse("verification:worklist")))
    if can_run_batch(user):
        entries.append(("批量复核", reverse("verification:batch_runs")))
    entries += feed_nav_entries(user)
    return entries


# --- 核对工作清单 and 批量复核 (v3_batch) ------------------------------------------------------------
# Caseworkers who follow up a changed household, in their jurisdiction; a 村 worker sees their
# village's items (to know whom to visit) but does not close them.
WORKLIST_READ = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.VERIFICATION_CENTER}
WORKLIST_HANDLE = {Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.VERIFICATION_CENTER}
# Starting a re-check of a whole jurisdiction is the 核对中心's and the county approver's call.
BATCH_RUN = {Role.VERIFICATION_CENTER, Role.COUNTY_APPROVER}


def can_view_worklist(user: Any) -> bool:
    return _has(user, WORKLIST_READ)


def can_handle_worklist(user: Any) -> bool:
    return _has(user, WORKLIST_HANDLE)


def can_run_batch(user: Any) -> bool:
    return _has(user, BATCH_RUN)


def worklist_visible_to(user: Any) -> Any:
    """The findings' 待办 in the user's jurisdiction (none for a role that may not read the worklist)."""
    from minzheng.verification.items import SOURCE
    from minzheng.workitems.models import WorkItem
    from minzheng.workitems.selectors import of_source

    if not can_view_worklist(user):
        return WorkItem.objects.none()
    return of_source(user, SOURCE)


def batch_runs_visible_to(user: Any) -> Any:
    """Runs over the user's jurisdiction, over a part of it, or over a wider area that contains it."""
    from minzheng.verification.models import BatchRun

    if not can_run_batch(user):
        return BatchRun.objects.none()
    prefix = user.jurisdiction
    wider = [prefix[:n] for n in range(len(prefix) + 1)]
    return BatchRun.objects.filter(Q(jurisdiction__in=wider) | prefix_q("jurisdiction", prefix))


# --- 一键核对 and the 核对报告 (v2_household) ------------------------------------------------------
# Who runs a household verification and reads its reports, within their jurisdiction (the household's
# address): the 核对中心 (whose work it is), the 乡镇 民政办 (which takes the application and must see
# the result before its 审核意见) and the 县级审批 (which decides on it). Village workers collect the
# 授权书 but do not query other departments' data (《社会救助暂行办法》第五十八条: the county queries).
HOUSEHOLD_VERIFY = {Role.VERIFICATION_CENTER, Role.TOWN_OFFICER, Role.COUNTY_APPROVER}


def can_verify_households(user: Any) -> bool:
    return _has(user, HOUSEHOLD_VERIFY)


def can_verify_household(user: Any, household: Any) -> bool:
    """Role, and the household's address inside the user's jurisdiction."""
    return can_verify_households(user) and covers(user.jurisdiction, household.division_id)


def reports_visible_to(user: Any) -> Any:
    from minzheng.verification.models import VerificationReport

    if not can_verify_households(user):
        return VerificationReport.objects.none()
    return VerificationReport.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_report(user: Any, report_id: int) -> Any:
    """The report, or 404 when out of role or outside the user's jurisdiction."""
    report = reports_visible_to(user).select_related("household", "requested_by").filter(pk=report_id).first()
    if report is None:
        raise Http404("核对报告不存在")
    return report


# --- 部门数据 (feed deliveries: upload, list, rejects download): v1_feeds -------------------------------
# The 核对中心 receives the departments' files; a system administrator may load them for it. Feed
# files cover the whole county, so the role decides and no jurisdiction range applies.
FEEDS_MANAGE = {Role.VERIFICATION_CENTER, Role.SYSADMIN}


def can_manage_feeds(user: Any) -> bool:
    return _has(user, FEEDS_MANAGE)


def feed_nav_entries(user: Any) -> list[tuple[str, str]]:
    return [("部门数据", reverse("verification:feeds"))] if can_manage_feeds(user) else []
