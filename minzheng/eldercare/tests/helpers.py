"""Driving an order through its lifecycle in tests, through the real services."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from minzheng.eldercare import orders
from minzheng.eldercare.models import Order
from minzheng.eldercare.testing import HOME

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa75\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    """An aware local time in 2026 (before today's date of 2026-12-01 in the test machine's clock)."""
    return dt.datetime(2026, month, day, hour, minute, tzinfo=timezone.get_current_timezone())


def photo(kind: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{kind}.png", PNG, content_type="image/png")


def place(cast: Any, elder: Any, codes: list[str], start: dt.datetime) -> Order:
    return orders.order_place(
        actor=cast.hotline_operator, elder=elder, item_codes=codes, window_start=start, channel="hotline"
    )


def to_service(
    cast: Any,
    order: Order,
    caregiver: Any = None,
    *,
    checkin_at: dt.datetime | None = None,
    where: tuple[float, float] = HOME,
) -> Order:
    """下单 → 派单 → 接单 → 签到 (at the door, at the phone's time) → 服务中, with both photos."""
    orders.order_dispatch(actor=cast.hotline_operator, order=order, caregiver=caregiver)
    orders.order_accept(actor=cast.caregiver, order=order)
    orders.order_check_in(actor=cast.caregiver, order=order, lat=where[0], lng=where[1], client_at=checkin_at)
    orders.order_photo_add(actor=cast.caregiver, order=order, kind="before", upload=photo("before"))
    orders.order_start(actor=cast.caregiver, order=order)
    orders.order_photo_add(actor=cast.caregiver, order=order, kind="after", upload=photo("after"))
    return order


def finish(
    cast: Any,
    order: Order,
    caregiver: Any = None,
    *,
    checkin_at: dt.datetime | None = None,
    checkout_at: dt.datetime | None = None,
    where: tuple[float, float] = HOME,
) -> Order:
    """… → 签退 with every line done and the elder's confirmation."""
    to_service(cast, order, caregiver, checkin_at=checkin_at, where=where)
    orders.order_check_out(
        actor=cast.caregiver,
        order=order,
        lat=where[0],
        lng=where[1],
        done_line_ids=list(order.lines.values_list("pk", flat=True)),
        confirmed_by="周阿婆",
        client_at=checkout_at,
    )
    order.refresh_from_db()
    return order
