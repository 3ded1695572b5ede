"""Who may see what in 一件事: the town's window and office work events in their jurisdiction; each
department's staff see their own department's tasks in theirs; the funeral officer the 殡仪馆's. The
family reads one event by its token. Outside the role or the jurisdiction the answer is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.lifeevents.models import LifeEvent, Task

WINDOW = {Role.TOWN_OFFICER, Role.VILLAGE_WORKER}  # 受理 (case kernel's openers)
READERS = WINDOW | {Role.COUNTY_APPROVER, Role.FUNERAL_OFFICER}
TASK_ROLES = {Role.DEPARTMENT_STAFF, Role.FUNERAL_OFFICER, Role.TOWN_OFFICER, Role.VILLAGE_WORKER}


def _active(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_open(user: Any) -> bool:
    return _active(user) and user.role in WINDOW


def can_read_events(user: Any) -> bool:
    return _active(user) and user.role in READERS


def can_work_tasks(user: Any) -> bool:
    return _active(user) and user.role in TASK_ROLES and (user.role != Role.DEPARTMENT_STAFF or bool(user.unit))


def events_visible_to(user: Any) -> QuerySet[LifeEvent]:
    if not can_read_events(user):
        return LifeEvent.objects.none()
    return LifeEvent.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_event(user: Any, pk: int) -> LifeEvent:
    event = events_visible_to(user).select_related("case", "person", "person__household").filter(pk=pk).first()
    if event is None:
        raise Http404("事项不存在")
    return event


def tasks_visible_to(user: Any) -> QuerySet[Task]:
    """A department's inbox: its own department's tasks (民政 items for the town office) in its jurisdiction."""
    if not can_work_tasks(user):
        return Task.objects.none()
    rows = Task.objects.filter(prefix_q("division_code", user.jurisdiction)).exclude(event__case__status="registered")
    if user.role == Role.DEPARTMENT_STAFF:
        return rows.filter(department__code=user.unit, department__role=Role.DEPARTMENT_STAFF)
    if user.role == Role.FUNERAL_OFFICER:
        return rows.filter(department__role=Role.FUNERAL_OFFICER)
    # The town's office: 民政 items, and the items of departments not yet on the platform (代录 their replies).
    return rows.filter(Q(department__role=Role.TOWN_OFFICER) | _offline_departments(user))


def _offline_departments(user: Any) -> Q:
    from minzheng.accounts.models import User

    staff = User.objects.filter(role=Role.DEPARTMENT_STAFF, is_active=True).values_list("unit", "jurisdiction")
    mine = user.jurisdiction
    online = {unit for unit, j in staff if j.startswith(mine) or mine.startswith(j)}
    return Q(department__role=Role.DEPARTMENT_STAFF) & ~Q(department__code__in=online)


def access_task(user: Any, pk: int) -> Task:
    task = tasks_visible_to(user).select_related("event", "event__case", "department").filter(pk=pk).first()
    if task is None:
        raise Http404("事项不存在")
    return task


class FamilyLinkExpired(Exception):
    """The family link was right but has expired: the page says so, without data."""


def access_family(token: str) -> LifeEvent:
    """The family page: the token is the only key; unknown = 404, expired (90 days after 办结) = refused."""
    event = LifeEvent.objects.select_related("case", "person").filter(token=token).first() if token else None
    if event is None or event.case.status == "withdrawn":
        raise Http404("链接无效")
    if event.token_expires_at is not None and event.token_expires_at <= timezone.now():
        raise FamilyLinkExpired
    return event


def nav_entries(user: Any) -> list[tuple[str, str]]:
    from django.urls import reverse

    entries: list[tuple[str, str]] = []
    if can_open(user):
        entries.append(("一件事受理", reverse("lifeevents:window")))
    if can_read_events(user):
        entries.append(("一件事台账", reverse("lifeevents:events")))
    if can_work_tasks(user):
        entries.append(("部门事项", reverse("lifeevents:inbox")))
    return entries
