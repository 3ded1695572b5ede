"""Dashboard figures of home care: orders by status, service minutes delivered, response time (core.figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Sum

from minzheng.core.figures import Figure

# Orders whose caregiver came and left: their planned minutes are the service delivered.
DONE = ("checked_out", "visited_back", "settled")


def orders(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.eldercare.models import Order

    yield from Order.objects.values_list("division_code", "status").annotate(n=Count("id")).order_by()


def minutes(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.eldercare.models import Order

    done = Order.objects.filter(status__in=DONE)
    for code, n in done.values_list("division_code").annotate(n=Sum("minutes")).order_by():
        yield code, "", n or 0


def response_minutes(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    """One row per order with a check-in: minutes from the order to the caregiver at the door (window start
    if the order was booked ahead, since waiting for the booked time is not slowness)."""
    from minzheng.eldercare.models import Order

    came = Order.objects.filter(checkin_at__isnull=False)
    for code, created, start, checkin in came.values_list(
        "division_code", "created_at", "window_start", "checkin_at"
    ).iterator():
        since = max(created, start)
        yield code, "", max(int((checkin - since).total_seconds() // 60), 0)


def _status_labels() -> dict[str, str]:
    from minzheng.eldercare.models import OrderStatus

    return {s.value: str(s.label) for s in OrderStatus}


FIGURES = [
    Figure("eldercare.orders", "居家养老订单（按状态）", "养老服务", "单", orders,
           link="/eldercare/orders/?status={bucket}", chart="bar", order=10, bucket_labels=_status_labels),
    Figure("eldercare.minutes", "已完成服务时长", "养老服务", "分钟", minutes, link="/eldercare/orders/", order=20),
    Figure("eldercare.response", "下单到上门（中位数）", "养老服务", "分钟", response_minutes,
           link="/eldercare/orders/", combine="median", order=30),
]  # fmt: skip
