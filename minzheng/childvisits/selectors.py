"""Reads of the visit pages: whom to visit and when, a child's visits, counts per town and village."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from minzheng.childvisits.access import scoped
from minzheng.childvisits.models import ChildVisit, VisitPlan


def plans_for(user: Any) -> QuerySet[VisitPlan]:
    """Active plans in the user's jurisdiction, the most urgent first."""
    rows = scoped(user, VisitPlan.objects.filter(active=True)).select_related("child__person")
    return rows.order_by("next_due_on", "pk")


def visits_of(user: Any, child: Any) -> QuerySet[ChildVisit]:
    return scoped(user, ChildVisit.objects.filter(child=child)).select_related("visitor").order_by("-visited_on", "-pk")


def counts(user: Any, level: int, today: dt.date | None = None) -> list[dict[str, Any]]:
    """Per town (level 9) or village (level 12): children planned, overdue, due within 7 days, visited this month."""
    today = today or timezone.localdate()
    month_start = today.replace(day=1)
    rows: dict[str, dict[str, Any]] = {}
    for r in (
        plans_for(user)
        .values("division_code")
        .annotate(
            planned=Count("id"),
            overdue=Count("id", filter=Q(next_due_on__lt=today)),
            soon=Count("id", filter=Q(next_due_on__gte=today, next_due_on__lte=today + dt.timedelta(days=7))),
            visited=Count("id", filter=Q(last_visited_on__gte=month_start)),
        )
    ):
        row = rows.setdefault(
            r["division_code"][:level],
            {"code": r["division_code"][:level], "planned": 0, "overdue": 0, "soon": 0, "visited": 0},
        )
        for key in ("planned", "overdue", "soon", "visited"):
            row[key] += r[key]
    return _named(sorted(rows.values(), key=lambda x: x["code"]))


def _named(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from minzheng.divisions.models import Division

    # Division codes are 12 digits: a town's 9-digit prefix is stored padded with zeros.
    codes = [r["code"].ljust(12, "0") for r in rows]
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    for r in rows:
        r["name"] = names.get(r["code"].ljust(12, "0"), r["code"])
    return rows
