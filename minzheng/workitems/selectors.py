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


def overdue(user: Any, today: dt.date | None = None) -> QuerySet[WorkItem]:
    return mine(user).filter(due_on__lt=today or timezone.localdate())


def counts_by_kind(user: Any) -> list[dict[str, Any]]:
    return list(mine(user).values("kind").annotate(n=Count("id")).order_by("-n"))
