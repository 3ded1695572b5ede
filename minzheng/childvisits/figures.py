"""Dashboard figures of child visits: visits done by month, plans past their due date (core.figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count
from django.db.models.functions import TruncMonth

from minzheng.core.figures import Figure


def visits(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.childvisits.models import ChildVisit

    since = dt.date(as_of.year - 1, as_of.month, 1)
    done = ChildVisit.objects.filter(visited_on__gte=since, visited_on__lte=as_of)
    for code, month, n in (
        done.annotate(m=TruncMonth("visited_on")).values_list("division_code", "m").annotate(n=Count("id")).order_by()
    ):
        yield code, f"{month:%Y-%m}", n


def overdue(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.childvisits.models import VisitPlan

    late = VisitPlan.objects.filter(active=True, next_due_on__lt=as_of)
    for code, n in late.values_list("division_code").annotate(n=Count("id")).order_by():
        yield code, "", n


FIGURES = [
    Figure("childvisits.visits", "儿童走访（按月）", "儿童福利", "次", visits, link="/childvisits/counts/",
           chart="line", order=20),
    Figure("childvisits.overdue", "走访逾期", "儿童福利", "人", overdue, link="/childvisits/", order=30),
]  # fmt: skip
