"""Service authenticity checks (居家养老上门服务工单真实性, research §2.4) → the supervision worklist.

1. 时空重叠: one caregiver on two orders whose service times overlap.
2. 不可能的行程: consecutive orders of one caregiver farther apart than the configured speed
   (`eldercare.max_speed_kmh`) allows in the time between leaving one and arriving at the next.
3. 超出应享时长: the elder's finished minutes this month exceed the entitlement.
4. 护理员无资质: the caregiver lacks the qualification an item needs.

Service time = from check-in to check-out as the phone recorded them (client time), so an
offline check-in sent later is judged by when it happened. Flags are one per (kind, order);
running the checks again adds nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.eldercare import dispatch
from minzheng.eldercare.entitlements import DONE, entitlement, minutes_in_month, param_int
from minzheng.eldercare.models import FraudFlag, Order

K = FraudFlag.Kind


def _interval(order: Order) -> tuple[dt.datetime, dt.datetime] | None:
    start = order.checkin_client_at or order.checkin_at
    end = order.checkout_client_at or order.checkout_at
    return (start, end) if start and end else None


def _point(order: Order, which: str) -> tuple[float, float] | None:
    lat, lng = getattr(order, f"{which}_lat"), getattr(order, f"{which}_lng")
    if lat is not None and lng is not None:
        return lat, lng
    if order.elder.lat is not None and order.elder.lng is not None:
        return order.elder.lat, order.elder.lng
    return None


def _flag(order: Order, kind: str, detail: str, other: Order | None = None) -> FraudFlag | None:
    if FraudFlag.objects.filter(kind=kind, order=order).exists():
        return None
    try:
        with transaction.atomic():
            flag = FraudFlag.objects.create(
                kind=kind, order=order, other_order=other, division_code=order.division_code, detail=detail[:300]
            )
    except IntegrityError:  # a concurrent run flagged it first
        return None
    audit_record(
        actor=None,
        action=AuditEvent.Action.CREATE,
        object_type="eldercare_flag",
        object_id=flag.pk,
        summary=f"订单 {order.pk} 疑点：{flag.get_kind_display()}",
        data={"detail": flag.detail},
    )
    return flag


def _hhmm(value: dt.datetime) -> str:
    return f"{timezone.localtime(value):%m-%d %H:%M}"


def _neighbours(order: Order) -> list[Order]:
    """The caregiver's other finished orders of the same local day."""
    if order.caregiver_id is None:
        return []
    day = timezone.localtime(order.window_start).replace(hour=0, minute=0, second=0, microsecond=0)
    return list(
        Order.objects.filter(
            caregiver_id=order.caregiver_id,
            status__in=DONE,
            window_start__gte=day - dt.timedelta(days=1),
            window_start__lt=day + dt.timedelta(days=2),
        )
        .exclude(pk=order.pk)
        .select_related("elder")
    )


def check_overlap(order: Order) -> FraudFlag | None:
    mine = _interval(order)
    if mine is None:
        return None
    for other in _neighbours(order):
        theirs = _interval(other)
        if theirs and mine[0] < theirs[1] and theirs[0] < mine[1]:
            detail = (
                f"护理员 {order.caregiver.name} 的订单 {order.pk}（{_hhmm(mine[0])}–{_hhmm(mine[1])}）与订单 "
                f"{other.pk}（{_hhmm(theirs[0])}–{_hhmm(theirs[1])}）服务时间重叠"
            )
            return _flag(order, K.OVERLAP, detail, other)
    return None


def _travel_problem(first: Order, second: Order, max_kmh: int) -> str | None:
    """The way from `first`'s check-out to `second`'s check-in, if faster than max_kmh."""
    a, b = _interval(first), _interval(second)
    p, q = _point(first, "checkout"), _point(second, "checkin")
    if not (a and b and p and q) or b[0] < a[1]:
        return None  # overlaps are the other check's business
    metres = dispatch.haversine_m(p[0], p[1], q[0], q[1])
    hours = (b[0] - a[1]).total_seconds() / 3600
    if metres < 500:  # next door: no journey to judge
        return None
    if hours <= 0 or metres / 1000 / hours > max_kmh:
        speed = "—" if hours <= 0 else f"{metres / 1000 / hours:.0f}"
        return (
            f"订单 {first.pk} 签退（{_hhmm(a[1])}）到订单 {second.pk} 签到（{_hhmm(b[0])}）"
            f"相距 {metres / 1000:.1f} 公里，"
            f"需时速 {speed} 公里，超过 {max_kmh} 公里/小时"
        )
    return None


def check_travel(order: Order) -> FraudFlag | None:
    mine = _interval(order)
    if mine is None:
        return None
    max_kmh = param_int("eldercare.max_speed_kmh", order.division_code, timezone.localtime(mine[0]).date()).value
    others = sorted((o for o in _neighbours(order) if _interval(o)), key=lambda o: _interval(o)[0])  # type: ignore[index]
    before = [o for o in others if _interval(o)[1] <= mine[0]]  # type: ignore[index]
    after = [o for o in others if _interval(o)[0] >= mine[1]]  # type: ignore[index]
    if before:
        problem = _travel_problem(before[-1], order, max_kmh)
        if problem:
            return _flag(order, K.TRAVEL, problem, before[-1])
    if after:
        problem = _travel_problem(order, after[0], max_kmh)
        if problem:
            return _flag(after[0], K.TRAVEL, problem, order)
    return None


def check_hours(order: Order) -> FraudFlag | None:
    ent = entitlement(order.elder, timezone.localtime(order.window_start).date())
    if ent.problem:
        return None
    done = minutes_in_month(order.elder, ent.month, DONE)
    if done <= ent.entitled_minutes:
        return None
    detail = (
        f"{order.elder.person.name} {ent.month:%Y年%m月} 已完成服务 {done} 分钟，超过应享 {ent.hours} 小时"
        f"（{ent.entitled_minutes} 分钟）"
    )
    return _flag(order, K.HOURS, detail)


def check_qualification(order: Order) -> FraudFlag | None:
    if order.caregiver is None:
        return None
    missing = sorted(
        {ln.qualification for ln in order.lines.all() if ln.qualification} - set(order.caregiver.qualifications)
    )
    if not missing:
        return None
    from minzheng.eldercare.models import Qualification

    names = "、".join(Qualification(q).label for q in missing)
    return _flag(order, K.QUALIFICATION, f"护理员 {order.caregiver.name} 无“{names}”资质，却完成了需要该资质的项目")


CHECKS = (check_overlap, check_travel, check_hours, check_qualification)


def checks_for_order(order: Order) -> list[FraudFlag]:
    """All four checks for one finished order (run at check-out and by the daily run)."""
    return [flag for check in CHECKS if (flag := check(order)) is not None]


@transaction.atomic
def checks_run(*, actor: Any, day: dt.date) -> list[FraudFlag]:
    """The daily run over every finished order of `day` (idempotent)."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(), tzinfo=tz)
    orders = Order.objects.filter(
        status__in=DONE, window_start__gte=start, window_start__lt=start + dt.timedelta(days=1)
    )
    flags: list[FraudFlag] = []
    for order in orders.select_related("elder", "elder__person", "caregiver").order_by("pk"):
        flags.extend(checks_for_order(order))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="eldercare_flag",
        object_id="",
        summary=f"服务真实性核查 {day}：{orders.count()} 单，新增疑点 {len(flags)} 条",
    )
    return flags
