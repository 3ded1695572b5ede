"""The daily plan: a provider's not-yet-dispatched orders of one day through `dispatch.plan_day`.

`day_plan` only reads (what the plan page shows); `plan_apply` dispatches each planned visit to
its caregiver through `orders.order_dispatch`, so every assignment is a transition with its audit
row. The solver stops after a fixed number of improving solutions as well as a time limit, so the
plan shown and the plan applied are the same on any machine.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.eldercare import dispatch
from minzheng.eldercare.entitlements import param_int
from minzheng.eldercare.models import Caregiver, Order, OrderStatus, Provider, Qualification
from minzheng.eldercare.orders import BUSY, engine_caregiver, order_dispatch, order_required_qualification

TIME_LIMIT_S = 5.0
SOLUTION_LIMIT = 30


@dataclass
class DayPlan:
    provider: Provider
    day: dt.date
    plan: dispatch.Plan
    orders: dict[int, Order]
    caregivers: dict[int, Caregiver]
    unlocated: list[Order]  # orders whose elder has no coordinates: dispatch them by hand


def _day_range(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())
    return start, start + dt.timedelta(days=1)


def _visit(order: Order) -> dispatch.Visit:
    start, end = timezone.localtime(order.window_start), timezone.localtime(order.window_end)
    items = "、".join(ln.item.name for ln in order.lines.all())
    return dispatch.Visit(
        id=order.pk,
        lat=order.elder.lat,
        lng=order.elder.lng,
        window_start=start.time().replace(second=0, microsecond=0),
        window_end=max(start, end - dt.timedelta(minutes=order.minutes)).time().replace(second=0, microsecond=0),
        service_minutes=order.minutes,
        qualification=order_required_qualification(order),
        label=f"{order.elder.person.name} {items}",
    )


def day_plan(provider: Provider, day: dt.date, *, time_limit_s: float = TIME_LIMIT_S) -> DayPlan:
    """Plan the provider's placed orders of `day` (in its service area) over its active caregivers."""
    start, end = _day_range(day)
    pending = [
        o
        for o in Order.objects.filter(status=OrderStatus.PLACED, window_start__gte=start, window_start__lt=end)
        .select_related("elder__person")
        .prefetch_related("lines__item")
        .order_by("pk")
        if provider.serves(o.division_code)
    ]
    located = [o for o in pending if o.elder.lat is not None and o.elder.lng is not None]
    caregivers = list(provider.caregivers.filter(active=True).order_by("pk"))
    booked: dict[int, list[tuple[dt.datetime, dt.datetime]]] = {c.pk: [] for c in caregivers}
    for o in Order.objects.filter(
        caregiver__in=caregivers, status__in=BUSY, window_start__gte=start, window_start__lt=end
    ):
        s = timezone.localtime(o.window_start).replace(tzinfo=None)
        booked[o.caregiver_id].append((s, s + dt.timedelta(minutes=o.minutes)))
    speed = param_int("eldercare.max_speed_kmh", provider.division_code, day).value
    plan = dispatch.plan_day(
        [_visit(o) for o in located],
        [engine_caregiver(c, booked[c.pk]) for c in caregivers],
        time_limit_s=time_limit_s,
        day=day,
        speed_kmh=min(speed, 15),  # plan at e-bike speed; the configured maximum is for fraud checks
        solution_limit=SOLUTION_LIMIT,
        labels=dict(Qualification.choices),
    )
    return DayPlan(
        provider,
        day,
        plan,
        {o.pk: o for o in located},
        {c.pk: c for c in caregivers},
        [o for o in pending if o not in located],
    )


def _clashes(caregiver: Caregiver, day: dt.date, stop: dispatch.Stop) -> bool:
    """plan_day plans the whole day from scratch: a stop over an order already given to this caregiver is skipped."""
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(day, stop.start, tzinfo=tz)
    end = dt.datetime.combine(day, stop.end, tzinfo=tz)
    for other in Order.objects.filter(caregiver=caregiver, status__in=BUSY, window_start__date=day):
        other_start = other.window_start
        if other_start < end and start < other_start + dt.timedelta(minutes=other.minutes):
            return True
    return False


@transaction.atomic
def plan_apply(*, actor: Any, day_plan_: DayPlan, client_ip: str = "") -> tuple[int, list[int]]:
    """Dispatch every planned visit to its caregiver (each an audited transition).

    Returns (dispatched, order ids skipped because the caregiver already has an order at that time).
    """
    done, skipped = 0, []
    for route in day_plan_.plan.routes:
        caregiver = day_plan_.caregivers[int(route.caregiver_id)]
        for stop in route.stops:
            order = day_plan_.orders[int(stop.visit_id)]
            if _clashes(caregiver, day_plan_.day, stop):
                skipped.append(order.pk)
                continue
            order_dispatch(actor=actor, order=order, caregiver=caregiver, client_ip=client_ip)
            done += 1
    return done, skipped
