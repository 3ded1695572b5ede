"""Who may see and write child files: within their jurisdiction, else 404.

Read: the 儿童主任 (village), the 儿童督导员 (town), the town officer, the county approver and the
auditor. Write (a parent's situation, a guardian, school / health, the 监护缺失 finding): the 儿童主任,
the 儿童督导员 and the town officer.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.children.models import ChildFile
from minzheng.core.jurisdiction import prefix_q

READ = {Role.CHILD_DIRECTOR, Role.CHILD_SUPERVISOR, Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.AUDITOR}
WRITE = {Role.CHILD_DIRECTOR, Role.CHILD_SUPERVISOR, Role.TOWN_OFFICER}


def can_read(user: Any) -> bool:
    return _has(user, READ)


def can_write(user: Any) -> bool:
    return _has(user, WRITE)


def files_visible_to(user: Any) -> QuerySet[ChildFile]:
    if not can_read(user):
        return ChildFile.objects.none()
    return ChildFile.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_child(user: Any, pk: int, *, write: bool = False) -> ChildFile:
    if write and not can_write(user):
        raise Http404("儿童档案不存在")
    child = files_visible_to(user).select_related("person", "person__household", "category").filter(pk=pk).first()
    if child is None:
        raise Http404("儿童档案不存在")
    return child


def nav_entries(user: Any) -> list[tuple[str, str]]:
    if not can_read(user):
        return []
    from django.urls import reverse

    return [("儿童档案", reverse("children:list"))]
