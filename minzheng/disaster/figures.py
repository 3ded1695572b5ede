"""Dashboard figures of 灾害救助 (core.figures, group 灾害救助): per village, no personal data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Sum

from minzheng.core.figures import Figure, register
from minzheng.disaster.models import Assessment, Call, Kind, ReliefPayment, StockMovement

GROUP = "灾害救助"
HOUSES = (("houses_collapsed", "倒塌"), ("houses_severe", "严重损坏"), ("houses_general", "一般损坏"))


def _year(as_of: dt.date) -> dict[str, object]:
    """This year's events (the dashboard shows the current year's disasters)."""
    return {"event__started_on__year": as_of.year, "event__started_on__lte": as_of}


def affected(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    rows = Assessment.objects.filter(**_year(as_of)).values("division_code").annotate(n=Sum("affected_persons"))
    for r in rows:
        yield r["division_code"], "", int(r["n"] or 0)


def relocated(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    rows = Assessment.objects.filter(**_year(as_of)).values("division_code").annotate(n=Sum("relocated_persons"))
    for r in rows:
        yield r["division_code"], "", int(r["n"] or 0)


def houses(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    rows = Assessment.objects.filter(**_year(as_of)).values("division_code")
    for r in rows.annotate(**{k: Sum(k) for k, _ in HOUSES}):
        for key, label in HOUSES:
            yield r["division_code"], label, int(r[key] or 0)


def relief_money(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    rows = ReliefPayment.objects.filter(**_year(as_of)).values("division_code", "kind").annotate(n=Sum("amount_fen"))
    for r in rows:
        yield r["division_code"], Kind(r["kind"]).label, int(r["n"] or 0)


def relief_households(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    rows = ReliefPayment.objects.filter(**_year(as_of)).values("division_code", "kind").annotate(n=Count("pk"))
    for r in rows:
        yield r["division_code"], Kind(r["kind"]).label, int(r["n"])


def materials_issued(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    moves = StockMovement.objects.filter(kind="issue", at__year=as_of.year, distribution__isnull=False)
    rows = moves.values("distribution__division_code", "lot__item__name").annotate(n=Sum("quantity"))
    for r in rows:
        yield r["distribution__division_code"], r["lot__item__name"], int(r["n"] or 0)


def calls_unanswered(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    rows = Call.objects.filter(answered_at__isnull=True, warning__issued_at__year=as_of.year)
    for r in rows.values("division_code").annotate(n=Count("pk")):
        yield r["division_code"], "", int(r["n"])


def register_all() -> None:
    link = "/disaster/"
    for fig in (
        Figure("disaster.affected", "受灾人口", GROUP, "人", affected, link, order=10),
        Figure("disaster.relocated", "紧急转移安置人口", GROUP, "人", relocated, link, order=20),
        Figure("disaster.houses", "倒损房屋", GROUP, "间", houses, link, chart="bar", order=30),
        Figure(
            "disaster.relief_money", "灾害救助金", GROUP, "元", relief_money, link, chart="pie", money=True, order=40
        ),
        Figure(
            "disaster.relief_households", "灾害救助户数", GROUP, "户", relief_households, link, chart="bar", order=50
        ),
        Figure(
            "disaster.materials",
            "救灾物资发放",
            GROUP,
            "件",
            materials_issued,
            "/disaster/stock/",
            chart="bar",
            order=60,
        ),
        Figure(
            "disaster.calls_unanswered", "预警未叫应", GROUP, "人", calls_unanswered, "/disaster/warnings/", order=70
        ),
    ):
        register(fig)
