"""老年助餐: reads, always scoped to the actor's jurisdiction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from minzheng.accounts.types import Actor
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.masking import mask_id_number
from minzheng.meals import access
from minzheng.meals.models import Canteen, Meal, MealOrder, Menu, Settlement


def canteens(user: Any) -> QuerySet[Canteen]:
    return access.canteens_visible_to(user).filter(active=True).order_by("division_code", "name")


def week_of(day: dt.date) -> list[dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return [monday + dt.timedelta(days=k) for k in range(7)]


def week_menus(canteen: Canteen, day: dt.date) -> list[tuple[dt.date, list[Menu]]]:
    days = week_of(day)
    menus = Menu.objects.filter(canteen=canteen, date__gte=days[0], date__lte=days[-1])
    meals = list(Meal.values)
    by_day: dict[dt.date, list[Menu]] = {d: [] for d in days}
    for m in sorted(menus, key=lambda m: (m.date, meals.index(m.meal))):
        by_day[m.date].append(m)
    return list(by_day.items())


@dataclass
class OrderRow:
    order: MealOrder
    name: str
    id_masked: str


def day_orders(user: Any, canteen: Canteen, day: dt.date) -> list[OrderRow]:
    orders = (
        access.orders_visible_to(user)
        .filter(menu__canteen=canteen, menu__date=day)
        .select_related("menu", "person")
        .order_by("person__name", "pk")
    )
    meals = list(Meal.values)  # 早餐, 午餐, 晚餐 in the day's order, not alphabetically
    ordered = sorted(orders, key=lambda o: meals.index(o.menu.meal))
    return [OrderRow(o, o.person.name, mask_id_number(o.person.id_number)) for o in ordered]


def settlements(user: Any) -> QuerySet[Settlement]:
    return access.settlements_visible_to(user).select_related("canteen").order_by("-month", "canteen__name")


# Audited reads: a page that shows who eats where, or what a canteen is paid for whom, leaves a
# row per view (ARCHITECTURE: every read of personal data is audited). The Excel export audits itself.


def canteens_view(*, actor: Actor, client_ip: str = "") -> list[Canteen]:
    rows = list(canteens(actor))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type="meals_canteen",
        summary=f"查看助餐点列表（{len(rows)} 个）",
        client_ip=client_ip,
        data={"count": len(rows)},
    )
    return rows


def day_orders_view(*, actor: Actor, canteen: Canteen, day: dt.date, client_ip: str = "") -> list[OrderRow]:
    rows = day_orders(actor, canteen, day)
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type="meals_canteen",
        object_id=canteen.pk,
        summary=f"查看 {canteen.name} {day:%Y-%m-%d} 订餐名单（{len(rows)} 份）",
        client_ip=client_ip,
        data={"day": day.isoformat(), "orders": len(rows)},
    )
    return rows


def settlements_view(*, actor: Actor, client_ip: str = "") -> list[Settlement]:
    rows = list(settlements(actor))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type="meals_settlement",
        summary=f"查看助餐结算单列表（{len(rows)} 张）",
        client_ip=client_ip,
        data={"count": len(rows)},
    )
    return rows


def settlement_view(*, actor: Actor, settlement: Settlement, client_ip: str = "") -> Settlement:
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW,
        object_type="meals_settlement",
        object_id=settlement.pk,
        summary=f"查看 {settlement.canteen.name} {settlement.month:%Y年%m月} 助餐结算（{settlement.persons} 人）",
        client_ip=client_ip,
    )
    return settlement
