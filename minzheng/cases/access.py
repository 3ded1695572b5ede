"""Who may see and work cases: the roles of social assistance, within their jurisdiction (else 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.models import Role
from minzheng.cases.models import Case
from minzheng.core.jurisdiction import prefix_q

CASE_READ = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.SYSADMIN, Role.AUDITOR}
CASE_WORK = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.COUNTY_APPROVER}


def can_read_cases(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in CASE_READ)


def can_work_cases(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in CASE_WORK)


def cases_visible_to(user: Any) -> QuerySet[Case]:
    if not can_read_cases(user):
        return Case.objects.none()
    return Case.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_case(user: Any, case_no: str, *, work: bool = False) -> Case:
    if work and not can_work_cases(user):
        raise Http404("案件不存在")
    case = cases_visible_to(user).select_related("household", "applicant").filter(case_no=case_no).first()
    if case is None:
        raise Http404("案件不存在")
    return case


def nav_entries(user: Any) -> list[tuple[str, str]]:
    if not can_read_cases(user):
        return []
    from django.urls import reverse

    entries = [("救助案件", reverse("cases:list"))]
    if user.role in {Role.TOWN_OFFICER, Role.VILLAGE_WORKER}:
        entries.insert(0, ("全科受理", reverse("cases:window")))
    return entries
