"""Reads of 待办: mine (my role, my jurisdiction), overdue, by kind; all scoped."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from minzheng.core.jurisdiction import prefix_q
from minzheng.workitems.models import WorkItem


def visible_to(user: Any) -> QuerySet[WorkItem]:
    if not (user.is_authenticated and user.is_active):
        return WorkItem.objects.none()
    return WorkItem.objects.filter(prefix_q("division_code", user.jurisdiction))


def mine(user: Any) -> QuerySet[WorkItem]:
    """Open items for the user's role in the jurisdiction, or assigned to the user by name."""
    scoped = visible_to(user).filter(status=WorkItem.Status.OPEN)
    # Items go to a role; naming a person is the exception. An OR with the assignee, or even the
    # `assignee IS NULL` test (not in the (status, role, division_code, due_on) index), makes SQLite
    # read every row: 165 ms a count for a town among 100,000 open items, against 2 ms from the index
    # alone (bench/cases_bench.py). Two look-ups on the assignee index choose the cheapest exact filter.
    if not WorkItem.objects.filter(assignee__isnull=False).exists():
        return scoped.filter(role=user.role)
    by_role = Q(role=user.role, assignee__isnull=True)
    if not WorkItem.objects.filter(assignee=user, status=WorkItem.Status.OPEN).exists():
        return scoped.filter(by_role)
    return scoped.filter(by_role | Q(assignee=user))


def settleable(user: Any) -> QuerySet[WorkItem]:
    """Open items the user may settle: theirs, or any in their jurisdiction from a source whose list
    they work (a town officer settles 应享未享 from the worklist page, a county approver too)."""
    from minzheng.workitems.services import SETTLERS

    sources = [source for source, may in SETTLERS.items() if may(user)]
    if not sources:
        return mine(user)
    others = visible_to(user).filter(status=WorkItem.Status.OPEN, source__in=sources)
    return mine(user) | others


def of_source(user: Any, source: str, *, kind: str = "", status: str = "", division: str = "") -> QuerySet[WorkItem]:
    """One producer's items inside the user's jurisdiction: what a worklist page lists."""
    from minzheng.core.jurisdiction import within

    items = visible_to(user).filter(source=source).filter(within("division_code", division))
    if kind:
        items = items.filter(kind=kind)
    if status:
        items = items.filter(status=status)
    return items


def overdue(user: Any, today: dt.date | None = None) -> QuerySet[WorkItem]:
    return mine(user).filter(due_on__lt=today or timezone.localdate())


def counts_by_kind(user: Any) -> list[dict[str, Any]]:
    return list(mine(user).values("kind").annotate(n=Count("id")).order_by("-n"))
