"""Dashboard figures of payments: caseload by programme, money paid by month and by programme (core.figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from minzheng.core.figures import Figure

PAID = ("issued", "paid")  # lines handed to the bank or confirmed by its return file
MONTHS = 12


def _first_month(as_of: dt.date) -> dt.date:
    month = as_of.year * 12 + as_of.month - 1 - (MONTHS - 1)
    return dt.date(month // 12, month % 12 + 1, 1)


def caseload(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    """Live entitlements (在保) per programme: 户 for household programmes, 人 for personal ones."""
    from minzheng.payments.models import Entitlement, Status

    live = Entitlement.objects.filter(status=Status.ACTIVE)
    yield from live.values_list("division_code", "programme").annotate(n=Count("id")).order_by()


def members(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    """Persons the live entitlements cover (保障人口), per programme."""
    from minzheng.payments.models import Entitlement, Status

    live = Entitlement.objects.filter(status=Status.ACTIVE)
    yield from live.values_list("division_code", "programme").annotate(n=Sum("members")).order_by()


def _lines(as_of: dt.date):  # type: ignore[no-untyped-def]
    from minzheng.payments.models import PayrollLine

    return PayrollLine.objects.filter(status__in=PAID, period__gte=_first_month(as_of), period__lte=as_of)


def paid_by_month(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    by_month = _lines(as_of).annotate(m=TruncMonth("period")).values_list("division_code", "m")
    rows = by_month.annotate(s=Sum("amount_fen"))
    for code, month, fen in rows.order_by():
        yield code, f"{month:%Y-%m}", fen


def paid_by_programme(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    yield from _lines(as_of).values_list("division_code", "run__programme").annotate(s=Sum("amount_fen")).order_by()


def _programme_labels() -> dict[str, str]:
    from minzheng.payments.programmes import programmes

    return {pid: p.name for pid, p in programmes().items()}


def _figure(key: str, label: str, unit: str, compute, **kw) -> Figure:  # type: ignore[no-untyped-def]
    return Figure(f"payments.{key}", label, "社会救助", unit, compute, chart="bar", **kw)


FIGURES = [
    _figure("caseload", "在保（按项目）", "户/人", caseload, link="/payments/?programme={bucket}&status=active",
            order=40, bucket_labels=_programme_labels),
    _figure("members", "保障人口（按项目）", "人", members, link="/payments/?programme={bucket}&status=active",
            order=45, bucket_labels=_programme_labels),
    Figure("payments.paid_month", "近 12 个月发放金额", "社会救助", "元", paid_by_month, link="/payments/runs/",
           chart="line", money=True, order=50),
    _figure("paid_programme", "近 12 个月发放金额（按项目）", "元", paid_by_programme,
            link="/payments/runs/?programme={bucket}", money=True, order=55, bucket_labels=_programme_labels),
]  # fmt: skip
