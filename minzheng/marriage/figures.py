"""Dashboard figures of 婚姻登记 (per registry office's county code; no personal data)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from minzheng.core.figures import Figure, Rows
from minzheng.marriage.models import Kind, Registration


def registrations_by_month(kind: str):  # type: ignore[no-untyped-def]
    def compute(as_of: dt.date) -> Rows:
        rows = Registration.objects.filter(
            kind=kind, registered_on__gte=as_of.replace(month=1, day=1), registered_on__lte=as_of
        ).values_list("division_code", "registered_on")
        counts = Counter((code, f"{day:%Y-%m}") for code, day in rows)
        return [(code, bucket, n) for (code, bucket), n in counts.items()]

    return compute


FIGURES = [
    Figure(
        "marriage.marry",
        "结婚登记（本年）",
        "婚姻收养",
        "对",
        registrations_by_month(Kind.MARRY),
        link="/marriage/registrations/",
        chart="line",
        order=10,
    ),
    Figure(
        "marriage.divorce",
        "离婚登记（本年）",
        "婚姻收养",
        "对",
        registrations_by_month(Kind.DIVORCE),
        link="/marriage/registrations/",
        chart="line",
        order=20,
    ),
]
