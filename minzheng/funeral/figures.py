"""Dashboard figures of 殡葬 (counted per village of the deceased's address; no personal data)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Count, Sum

from minzheng.core.figures import Figure, Rows
from minzheng.funeral.models import Award, Burial, BurialType, CleanupSite, Cremation


def _year(as_of: dt.date) -> dt.date:
    return as_of.replace(month=1, day=1)


def cremations_by_month(as_of: dt.date) -> Rows:
    rows = Cremation.objects.filter(cremated_on__gte=_year(as_of), cremated_on__lte=as_of)
    counts = Counter((code, f"{day:%Y-%m}") for code, day in rows.values_list("division_code", "cremated_on"))
    return [(code, bucket, n) for (code, bucket), n in counts.items()]


def burials_by_type(as_of: dt.date) -> Rows:
    rows = Burial.objects.filter(buried_on__gte=_year(as_of), buried_on__lte=as_of)
    yield from rows.values_list("division_code", "burial_type").annotate(n=Count("id"))


def awards_paid(as_of: dt.date) -> Rows:
    rows = Award.objects.filter(outcome=Award.Outcome.PAID, decided_on__gte=_year(as_of), decided_on__lte=as_of)
    for code, programme, fen in rows.values_list("division_code", "programme").annotate(s=Sum("amount_fen")):
        yield code, programme, int(fen or 0)


def graves_cleared(as_of: dt.date) -> Rows:
    done = CleanupSite.objects.exclude(action=CleanupSite.Action.PENDING).filter(done_on__lte=as_of)
    for code, n in done.values_list("division_code").annotate(s=Sum("graves")):
        yield code, "", int(n or 0)


FIGURES = [
    Figure(
        "funeral.cremations",
        "火化（本年）",
        "殡葬",
        "例",
        cremations_by_month,
        link="/funeral/",
        chart="line",
        order=10,
    ),
    Figure(
        "funeral.burials",
        "安葬方式（本年）",
        "殡葬",
        "例",
        burials_by_type,
        link="/funeral/burials/",
        chart="pie",
        order=20,
        bucket_labels=dict(BurialType.choices),
    ),
    Figure(
        "funeral.awards",
        "殡葬补助与生态安葬奖励（本年）",
        "殡葬",
        "元",
        awards_paid,
        link="/funeral/burials/",
        chart="bar",
        money=True,
        order=30,
        bucket_labels=dict(Award.Programme.choices),
    ),
    Figure("funeral.graves_cleared", "已整治坟墓", "殡葬", "穴", graves_cleared, link="/funeral/cleanup/", order=40),
]
