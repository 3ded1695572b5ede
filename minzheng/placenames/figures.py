"""地名 figures for the dashboard: names by category, signs by condition, applications by stage."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count

from minzheng.core.figures import Figure
from minzheng.placenames.models import NamingApplication, PlaceName, Sign


def names_by_category(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    rows = PlaceName.objects.filter(status=PlaceName.Status.IN_USE).values("division_code", "category")
    for row in rows.annotate(n=Count("pk")):
        yield row["division_code"], PlaceName(category=row["category"]).get_category_display(), row["n"]


def signs_by_condition(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    for row in Sign.objects.values("division_code", "condition").annotate(n=Count("pk")):
        yield row["division_code"], Sign(condition=row["condition"]).get_condition_display(), row["n"]


def applications_received(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    rows = NamingApplication.objects.values("division_code", "kind").annotate(n=Count("pk"))
    for row in rows:
        yield row["division_code"], NamingApplication(kind=row["kind"]).get_kind_display(), row["n"]


FIGURES = [
    Figure("placenames.names", "标准地名", "地名", "条", names_by_category, "/placenames/", chart="pie", order=10),
    Figure(
        "placenames.signs", "地名标志", "地名", "块", signs_by_condition, "/placenames/signs/", chart="bar", order=20
    ),
    Figure(
        "placenames.applications",
        "地名申请",
        "地名",
        "件",
        applications_received,
        "/placenames/applications/",
        chart="bar",
        order=30,
    ),
]
