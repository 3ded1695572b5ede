"""Dashboard figures of 一件事 (core.figures): events per month by kind, open tasks by department, overdue
tasks, and the share of proofs data replaced (零证明). Codes, buckets and numbers only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from minzheng.core.figures import Figure

MONTHS = 12
OPEN = ("pending", "accepted", "returned")


def _since(as_of: dt.date) -> dt.date:
    month = as_of.year * 12 + as_of.month - 1 - (MONTHS - 1)
    return dt.date(month // 12, month % 12 + 1, 1)


def events_by_month(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    """一件事 reported per month (all kinds), by village."""
    from minzheng.lifeevents.models import LifeEvent

    rows = LifeEvent.objects.filter(created_at__date__gte=_since(as_of), created_at__date__lte=as_of)
    for code, month, n in (
        rows.annotate(m=TruncMonth("created_at")).values_list("division_code", "m").annotate(n=Count("pk")).order_by()
    ):
        yield code, f"{month:%Y-%m}", n


def events_by_kind(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.lifeevents.models import LifeEvent

    rows = LifeEvent.objects.filter(created_at__date__gte=_since(as_of), created_at__date__lte=as_of)
    yield from rows.values_list("division_code", "kind").annotate(n=Count("pk")).order_by()


def open_tasks_by_department(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.lifeevents.models import Task

    rows = Task.objects.filter(status__in=OPEN, event__case__status="processing")
    yield from rows.values_list("division_code", "department__name").annotate(n=Count("pk")).order_by()


def overdue_tasks(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.lifeevents.models import Task

    rows = Task.objects.filter(status__in=OPEN, due_on__lt=as_of, event__case__status="processing")
    yield from rows.values_list("division_code", "department__name").annotate(n=Count("pk")).order_by()


def proofs_by_data(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    """Proofs the events needed: replaced by data (零证明) or asked of the family."""
    from minzheng.cases.models import Material

    rows = Material.objects.filter(key__startswith="proof:", case__case_type__startswith="life_")
    counted = rows.values_list("case__division_code").annotate(
        fetched=Count("pk", filter=Q(status="fetched")), asked=Count("pk", filter=~Q(status="fetched"))
    )
    for code, fetched, asked in counted.order_by():
        yield code, "fetched", fetched
        yield code, "asked", asked


LINK = "/lifeevents/"
FIGURES = [
    Figure("lifeevents.by_month", "一件事办件量", "一件事", "件", events_by_month, link=LINK, chart="line", order=10),
    Figure(
        "lifeevents.by_kind",
        "一件事类型",
        "一件事",
        "件",
        events_by_kind,
        link=LINK,
        chart="pie",
        order=20,
        bucket_labels={"death": "身后一件事", "birth": "出生一件事", "marriage": "婚育户一件事"},
    ),
    Figure(
        "lifeevents.open_tasks",
        "在办部门事项",
        "一件事",
        "项",
        open_tasks_by_department,
        link=LINK,
        chart="bar",
        order=30,
    ),
    Figure("lifeevents.overdue_tasks", "逾期部门事项", "一件事", "项", overdue_tasks, link=LINK, chart="bar", order=40),
    Figure(
        "lifeevents.proofs",
        "材料零证明",
        "一件事",
        "项",
        proofs_by_data,
        link=LINK,
        chart="pie",
        order=50,
        bucket_labels={"fetched": "数据代替（免提交）", "asked": "需家属提交"},
    ),
]
