"""Reads for the 一件事 pages, through access.py's scoped querysets; lists come out masked."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from minzheng.cases.casetypes import case_type
from minzheng.core.masking import mask_id_number, mask_name
from minzheng.lifeevents import access
from minzheng.lifeevents.models import LifeEvent, Task
from minzheng.lifeevents.services_tasks import TASK_LABELS

OPEN_TASK = ("pending", "accepted", "returned")


def stage_label(event: LifeEvent) -> str:
    return case_type(event.case.case_type).machine.state_label(event.case.status)


def event_rows(user: Any, *, kind: str = "", status: str = "", limit: int = 200) -> list[dict[str, Any]]:
    qs: QuerySet[LifeEvent] = access.events_visible_to(user).select_related("case", "person")
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(case__status=status)
    qs = qs.annotate(
        total=Count("tasks", filter=~Q(tasks__status="na")),
        done=Count("tasks", filter=Q(tasks__status="done")),
        overdue=Count("tasks", filter=Q(tasks__status__in=OPEN_TASK, tasks__due_on__lt=timezone.localdate())),
    ).order_by("-created_at", "-pk")
    return [
        {
            "event": e,
            "name": mask_name(e.person.name),
            "id_number": mask_id_number(e.person.id_number),
            "stage": stage_label(e),
            "progress": f"{e.done}/{e.total}" if e.total else "—",
            "overdue": e.overdue,
        }
        for e in qs[:limit]
    ]


def monthly_counts(user: Any, months: int = 12) -> list[dict[str, Any]]:
    """Events reported per month and kind (the issue's 每月办件量)."""
    since = (timezone.localdate().replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = (
        access.events_visible_to(user)
        .filter(created_at__date__gte=since)
        .annotate(month=TruncMonth("created_at"))
        .values("month", "kind")
        .annotate(n=Count("pk"))
    )
    table: dict[str, Counter[str]] = {}
    for r in rows:
        table.setdefault(r["month"].strftime("%Y-%m"), Counter())[r["kind"]] += r["n"]
    return [{"month": m, **{k: c.get(k, 0) for k in ("death", "birth", "marriage")}} for m, c in sorted(table.items())]


def task_rows(user: Any, *, tab: str = "open", event: int | None = None) -> list[dict[str, Any]]:
    qs = access.tasks_visible_to(user).select_related("event", "event__case", "event__person", "department")
    qs = qs.filter(status__in=OPEN_TASK) if tab == "open" else qs.filter(status__in=("done", "na"))
    if event:
        qs = qs.filter(event_id=event)
    today = timezone.localdate()
    return [
        {
            "task": t,
            "name": mask_name(t.event.person.name),
            "state": TASK_LABELS.get(t.status, t.status),
            "late": t.status in OPEN_TASK and t.due_on is not None and t.due_on < today,
        }
        for t in qs.order_by("due_on", "pk")[:300]
    ]


def tasks_of(event: LifeEvent) -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [
        {
            "task": t,
            "state": TASK_LABELS.get(t.status, t.status),
            "late": t.status in OPEN_TASK and t.due_on is not None and t.due_on < today,
        }
        for t in Task.objects.filter(event=event).select_related("department").order_by("pk")
    ]
