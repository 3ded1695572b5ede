"""Dashboard figures of 社会组织 (core.figures): the register by kind and status, 年报率, grades in force,
open 打非 leads, and 创投 money awarded and paid. Rows are (village code, bucket, value), no names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Sum

from minzheng.core.figures import Figure, register

Rows = Iterator[tuple[str, str, int]]


def by_kind(as_of: dt.date) -> Rows:
    from minzheng.socialorgs.selectors import registered_orgs

    yield from registered_orgs("").values_list("division_code", "kind").annotate(n=Count("id")).order_by()


def report_rate(as_of: dt.date) -> Rows:
    """Per village: organisations expected to report for last year, and those that did (buckets)."""
    from minzheng.socialorgs.models import AnnualReport
    from minzheng.socialorgs.selectors import registered_orgs

    year = as_of.year - 1
    expected = registered_orgs("").filter(registered_on__lt=dt.date(year + 1, 1, 1))
    yield from ((d, "应报", n) for d, n in expected.values_list("division_code").annotate(n=Count("id")).order_by())
    filed = AnnualReport.objects.filter(year=year, submitted_on__isnull=False, org__in=expected)
    yield from ((d, "已报", n) for d, n in filed.values_list("division_code").annotate(n=Count("id")).order_by())


def grades(as_of: dt.date) -> Rows:
    from minzheng.socialorgs.models import Rating

    live = Rating.objects.filter(rated_on__lte=as_of, expires_on__gte=as_of, revoked_on__isnull=True)
    yield from live.values_list("division_code", "grade").annotate(n=Count("id")).order_by()


def leads_open(as_of: dt.date) -> Rows:
    from minzheng.socialorgs.models import Lead

    rows = Lead.objects.filter(status__in=("received", "verifying")).values_list("division_code")
    yield from ((d, "", n) for d, n in rows.annotate(n=Count("id")).order_by())


def venture_money(as_of: dt.date) -> Rows:
    from minzheng.socialorgs.models_venture import Application, Instalment

    awarded = Application.objects.filter(status__in=("awarded", "closed", "failed"), round__year=as_of.year)
    rows = awarded.values_list("division_code").annotate(v=Sum("awarded_fen")).order_by()
    yield from ((d, "立项", int(v or 0)) for d, v in rows)
    paid = Instalment.objects.filter(status="paid", paid_on__year=as_of.year).values_list("division_code")
    yield from ((d, "已拨付", int(v or 0)) for d, v in paid.annotate(v=Sum("amount_fen")).order_by())


def _kinds() -> dict[str, str]:
    from minzheng.socialorgs.models import Kind

    return {k.value: str(k.label) for k in Kind}


FIGURES = [
    Figure("socialorgs.registered", "登记的社会组织（按类型）", "社会组织", "家", by_kind,
           link="/socialorgs/?kind={bucket}", chart="pie", order=10, bucket_labels=_kinds),
    Figure("socialorgs.report_rate", "上年度年报（应报 / 已报）", "社会组织", "家", report_rate,
           link="/socialorgs/reports/", chart="bar", order=20),
    Figure("socialorgs.grades", "有效评估等级", "社会组织", "家", grades, link="/socialorgs/?grade={bucket}",
           chart="bar", order=30),
    Figure("socialorgs.leads_open", "办理中的打非线索", "社会组织", "件", leads_open, link="/socialorgs/leads/",
           order=40),
    Figure("socialorgs.venture_money", "公益创投资金（本年立项 / 已拨付）", "社会组织", "元", venture_money,
           link="/socialorgs/ventures/", chart="bar", money=True, order=50),
]  # fmt: skip


def register_all() -> None:
    for figure in FIGURES:
        register(figure)
