"""Who sees visits: 儿童主任 (their village) records them, 儿童督导员 (their town) follows them up;
county staff and the auditor read. Everything is scoped to the user's jurisdiction (else 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q

VISITORS = {Role.CHILD_DIRECTOR, Role.CHILD_SUPERVISOR}
READERS = VISITORS | {Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.AUDITOR}  # as children.access.READ


def can_read(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in READERS)


def can_visit(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.role in VISITORS)


def scoped(user: Any, qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.filter(prefix_q("division_code", user.jurisdiction)) if can_read(user) else qs.none()


def access_child(user: Any, child_id: int) -> Any:
    from minzheng.children.models import ChildFile

    child = scoped(user, ChildFile.objects.select_related("person")).filter(pk=child_id).first()
    if child is None:
        raise Http404("儿童档案不存在")
    return child


def nav_entries(user: Any) -> list[tuple[str, str]]:
    if not can_read(user):
        return []
    from django.urls import reverse

    if can_visit(user):
        return [("儿童走访", reverse("childvisits:plan")), ("走访统计", reverse("childvisits:counts"))]
    return [("儿童走访统计", reverse("childvisits:counts"))]
