"""Dashboard figure of 老年助餐: meals handed over (eaten in or delivered) by month (core.figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count
from django.db.models.functions import TruncMonth

from minzheng.core.figures import Figure


def served(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.meals.models import MealOrder

    handed = MealOrder.objects.filter(status__in=("served", "delivered"), menu__date__lte=as_of)
    rows = handed.annotate(m=TruncMonth("menu__date")).values_list("division_code", "m").annotate(n=Count("id"))
    for code, month, n in rows.order_by():
        yield code, f"{month:%Y-%m}", n


FIGURES = [
    Figure("meals.served", "助餐份数（按月）", "养老服务", "份", served, link="/meals/", chart="line", order=60),
]
