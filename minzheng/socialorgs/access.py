"""Who may see and do what in 社会组织管理.

The county's 社会组织管理 officers run the register, 年报 review, 双随机, ratings, leads and 创投; the
county approver decides filings and approves instalments (four eyes); the auditor reads. An
organisation's own account (org_account) sees only its own organisation, 年报 and 创投 applications.
Outside the role or the jurisdiction the answer is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.socialorgs.models import Organisation
from minzheng.socialorgs.selectors import org_for_user

OFFICE = {Role.SOCIALORG_OFFICER}
READ = {Role.SOCIALORG_OFFICER, Role.COUNTY_APPROVER, Role.AUDITOR}
DECIDE = {Role.SOCIALORG_OFFICER, Role.COUNTY_APPROVER}


def can_read(user: Any) -> bool:
    return _has(user, READ)


def can_work(user: Any) -> bool:
    return _has(user, OFFICE)


def can_decide(user: Any) -> bool:
    return _has(user, DECIDE)


def is_org(user: Any) -> bool:
    return _has(user, {Role.ORG_ACCOUNT}) and org_for_user(user) is not None


def orgs_visible_to(user: Any) -> QuerySet[Organisation]:
    if not can_read(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_org(user: Any, pk: int) -> Organisation:
    org = orgs_visible_to(user).filter(pk=pk).first()
    if org is None:
        raise Http404("社会组织不存在")
    return org


def scoped(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    """Any of this app's records with a division_code, within the user's jurisdiction (none outside READ)."""
    if not can_read(user):
        return qs.none()
    return qs.filter(prefix_q("division_code", user.jurisdiction))


def own_org(user: Any) -> Organisation:
    """The org account's own organisation, or 404."""
    org = org_for_user(user) if _has(user, {Role.ORG_ACCOUNT}) else None
    if org is None:
        raise Http404("未绑定社会组织")
    return org


def nav_entries(user: Any) -> list[tuple[str, str]]:
    from django.urls import reverse

    if is_org(user):
        return [("本组织", reverse("socialorgs:mine")), ("公益创投", reverse("socialorgs:my_ventures"))]
    if not can_read(user):
        return []
    return [
        ("社会组织", reverse("socialorgs:list")),
        ("年报", reverse("socialorgs:reports")),
        ("双随机抽查", reverse("socialorgs:draws")),
        ("打非线索", reverse("socialorgs:leads")),
        ("公益创投", reverse("socialorgs:rounds")),
    ]
