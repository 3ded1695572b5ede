"""Dashboard figures (core.figures): stations, social workers (持证), volunteers, service hours by month,
time-bank balances. Only codes, buckets and numbers leave these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Sum
from django.db.models.functions import TruncMonth

from minzheng.core import figures
from minzheng.core.figures import Figure

Rows = Iterator[tuple[str, str, int]]


def stations(as_of: dt.date) -> Rows:
    from minzheng.volunteers.models import Station

    for code in Station.objects.values_list("town_code", flat=True):
        yield code, "", 1


def social_workers(as_of: dt.date) -> Rows:
    """Active social workers by certificate (bucket: 持证 / 未持证), at their station's town."""
    from minzheng.volunteers.models import Certificate, SocialWorker

    rows = SocialWorker.objects.filter(active=True).values_list("station__town_code", "certificate")
    for code, cert, n in rows.annotate(n=Count("id")).order_by():
        yield code, "未持证" if cert == Certificate.NONE else "持证", n


def volunteers(as_of: dt.date) -> Rows:
    from minzheng.volunteers.models import Volunteer

    rows = Volunteer.objects.filter(active=True, registered_on__lte=as_of).values_list("division_code")
    for code, n in rows.annotate(n=Count("id")).order_by():
        yield code, "", n


def service_minutes(as_of: dt.date) -> Rows:
    """Confirmed service minutes by month of the activity, at the activity's place."""
    from minzheng.volunteers.models import Attendance

    since = dt.date(as_of.year - 1, as_of.month, 1)
    done = Attendance.objects.filter(
        status=Attendance.Status.CONFIRMED, activity__starts_at__date__gte=since, activity__starts_at__date__lte=as_of
    )
    rows = done.annotate(m=TruncMonth("activity__starts_at")).values_list("activity__division_code", "m")
    for code, month, n in rows.annotate(n=Sum("confirmed_minutes")).order_by():
        yield code, f"{month:%Y-%m}", int(n or 0)


def timebank_balance(as_of: dt.date) -> Rows:
    from minzheng.volunteers.models import Account

    for code, n in Account.objects.values_list("division_code").annotate(n=Sum("balance_minutes")).order_by():
        yield code, "", int(n or 0)


FIGURES = [
    Figure("volunteers.stations", "社工站", "社工与志愿服务", "个", stations, link="/volunteers/", order=10),
    Figure("volunteers.social_workers", "社工（持证/未持证）", "社工与志愿服务", "人", social_workers,
           link="/volunteers/", chart="pie", order=20),
    Figure("volunteers.volunteers", "注册志愿者", "社工与志愿服务", "人", volunteers, link="/volunteers/list/",
           order=30),
    Figure("volunteers.service_minutes", "志愿服务时长（按月）", "社工与志愿服务", "分钟", service_minutes,
           link="/volunteers/activities/", chart="line", order=40),
    Figure("volunteers.timebank_balance", "时间银行余额", "社工与志愿服务", "分钟", timebank_balance,
           link="/volunteers/timebank/", order=50),
]  # fmt: skip


def register_all() -> None:
    for f in FIGURES:
        figures.register(f)
