"""政策目录与资格判定: who may see or change what. The only place this app's role decisions are made."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import covers

# Parameters (thresholds, amounts) are changed by the county's approvers and system administrators;
# a change still needs a second person of these roles to approve it (maker-checker).
PARAMS_ADMIN = {Role.SYSADMIN, Role.COUNTY_APPROVER}
# Decisions and the 应享未享 / 不应享而享 worklists: the caseworkers of the jurisdiction.
DECISIONS_READ = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.SYSADMIN}
# Running the batch and what-if estimates touch the whole county's figures.
BATCH_RUN = {Role.COUNTY_APPROVER, Role.SYSADMIN}


def can_admin_params(user: Any) -> bool:
    return _has(user, PARAMS_ADMIN)


def may_set_region(user: Any, region_code: str) -> bool:
    """A parameter may be set for the user's jurisdiction or a region inside it (national: '' only)."""
    return can_admin_params(user) and covers(user.jurisdiction, region_code or "")


def can_read_params(user: Any) -> bool:
    """Parameters are public law: every caseworker who reads decisions may read them too."""
    return _has(user, PARAMS_ADMIN | DECISIONS_READ)


def can_read_decisions(user: Any) -> bool:
    return _has(user, DECISIONS_READ)


def can_run_batch(user: Any) -> bool:
    return _has(user, BATCH_RUN)


def can_whatif(user: Any) -> bool:
    return _has(user, BATCH_RUN)


def require_region(user: Any, region_code: str) -> None:
    """A batch or what-if over a region outside the user's jurisdiction answers 404."""
    if not covers(user.jurisdiction, region_code or ""):
        raise Http404("无权访问或对象不存在")


def nav_entries(user: Any) -> list[tuple[str, str]]:
    """(label, url) navigation entries this user's role may use; [] for none."""
    entries: list[tuple[str, str]] = []
    if can_read_decisions(user):
        entries.append(("应享未享", reverse("rules:worklist")))
    if can_read_params(user):
        entries.append(("政策参数", reverse("rules:params")))
    if can_whatif(user):
        entries.append(("政策测算", reverse("rules:whatif")))
    return entries
