"""老年助餐: every write (one transaction, keyword-only actor=, one audit row)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Count, Sum

from minzheng.accounts.types import Actor
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.eldercare.money import yuan
from minzheng.meals import approvals
from minzheng.meals.models import Canteen, CanteenKind, Meal, MealOrder, Menu, Mode, Settlement
from minzheng.meals.subsidy import meal_subsidy
from minzheng.registry.models import Person, PersonTag
from minzheng.rules.selectors import param_resolve

HANDED = (MealOrder.Status.SERVED, MealOrder.Status.DELIVERED)
FREE_LUNCH_KEY = "meals.free_lunch.min_age"


class MealsError(Exception):
    """A refused write; the message is Chinese and names the field."""


def _audit(
    actor: Actor | None, action: str, object_type: str, pk: Any, summary: str, client_ip: str = "", **data: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=pk,
        summary=summary,
        client_ip=client_ip,
        data=data,
    )


def _user(actor: Actor | None) -> Any:
    return actor if getattr(actor, "is_authenticated", False) else None


def age_on(person: Person, day: dt.date) -> int:
    born = person.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@transaction.atomic
def canteen_create(
    *,
    actor: Actor,
    name: str,
    division_code: str,
    kind: str = CanteenKind.CANTEEN,
    address: str = "",
    phone: str = "",
    delivers: bool = True,
    client_ip: str = "",
) -> Canteen:
    if not name.strip():
        raise MealsError("名称：不能为空")
    if kind not in CanteenKind.values:
        raise MealsError(f"类型：应为 {'、'.join(CanteenKind.labels)}")
    canteen = Canteen.objects.create(
        name=name.strip(), kind=kind, division_code=division_code, address=address, phone=phone, delivers=delivers
    )
    _audit(actor, AuditEvent.Action.CREATE, "meals_canteen", canteen.pk, f"新增助餐点 {canteen.name}", client_ip)
    return canteen


@transaction.atomic
def menu_publish(
    *, actor: Actor | None, canteen: Canteen, date: dt.date, meal: str, dishes: str, price_fen: int, client_ip: str = ""
) -> Menu:
    """Publish or change one meal of a day; the price is fixed once somebody has ordered it."""
    if meal not in Meal.values:
        raise MealsError(f"餐次：应为 {'、'.join(Meal.labels)}")
    if not dishes.strip():
        raise MealsError("菜品：不能为空")
    if price_fen <= 0:
        raise MealsError("价格：应大于 0")
    menu = Menu.objects.select_for_update().filter(canteen=canteen, date=date, meal=meal).first()
    if menu and menu.price_fen != price_fen and menu.orders.exclude(status=MealOrder.Status.CANCELLED).exists():
        raise MealsError(f"价格：{date} {Meal(meal).label}已有人订餐，不能再改价格")
    if menu is None:
        menu = Menu.objects.create(canteen=canteen, date=date, meal=meal, dishes=dishes.strip(), price_fen=price_fen)
    else:
        menu.dishes, menu.price_fen = dishes.strip(), price_fen
        menu.save(update_fields=["dishes", "price_fen"])
    summary = f"{canteen.name} 发布菜单 {date} {Meal(meal).label}：{menu.dishes}，{yuan(price_fen)} 元"
    _audit(actor, AuditEvent.Action.UPDATE, "meals_menu", menu.pk, summary, client_ip)
    return menu


def _statuses(person: Person) -> set[str]:
    kinds = {PersonTag.Kind.TEKUN, PersonTag.Kind.DIBAO, PersonTag.Kind.DIBAO_EDGE}
    return set(person.tags.filter(kind__in=kinds).values_list("kind", flat=True))


def _used_today(person: Person, day: dt.date) -> int:
    """Allowance already spent that day; a free lunch is outside the allowance."""
    live = MealOrder.objects.filter(person=person, menu__date=day).exclude(status=MealOrder.Status.CANCELLED)
    return sum(o.subsidy_fen for o in live if not is_free_lunch(o))


def is_free_lunch(order: MealOrder) -> bool:
    return any(b.get("key") == FREE_LUNCH_KEY for b in order.basis)


@transaction.atomic
def order_place(
    *, actor: Actor, menu: Menu, person: Person, mode: str, now: dt.datetime, client_ip: str = ""
) -> MealOrder:
    if mode not in Mode.values:
        raise MealsError(f"方式：应为 {'、'.join(Mode.labels)}")
    if mode == Mode.DELIVERY and not menu.canteen.delivers:
        raise MealsError(f"方式：{menu.canteen.name} 不提供送餐")
    Person.objects.select_for_update().filter(pk=person.pk).first()  # one order at a time per elder
    if MealOrder.objects.filter(menu=menu, person=person).exclude(status=MealOrder.Status.CANCELLED).exists():
        raise MealsError(f"{person.name} 已订 {menu.date} {menu.get_meal_display()}")
    got = meal_subsidy(
        age=age_on(person, menu.date),
        statuses=_statuses(person),
        meal=menu.meal,
        price_fen=menu.price_fen,
        used_today_fen=_used_today(person, menu.date),
        region=person.division_code,
        on=menu.date,
        resolve=param_resolve,
    )
    order = MealOrder.objects.create(
        menu=menu,
        person=person,
        division_code=person.division_code,
        mode=mode,
        price_fen=got.price_fen,
        subsidy_fen=got.subsidy_fen,
        pay_fen=got.pay_fen,
        basis=[b.as_dict() for b in got.basis],
        placed_by=_user(actor),
        placed_at=now,
    )
    summary = (
        f"{person.name} 订 {menu.canteen.name} {menu.date} {menu.get_meal_display()}（{Mode(mode).label}），"
        f"补贴 {yuan(got.subsidy_fen)} 元，自付 {yuan(got.pay_fen)} 元"
    )
    _audit(actor, AuditEvent.Action.CREATE, "meals_order", order.pk, summary, client_ip)
    return order


def _locked(order: MealOrder) -> MealOrder:
    return MealOrder.objects.select_for_update().select_related("menu__canteen", "person").get(pk=order.pk)


@transaction.atomic
def order_hand_over(*, actor: Actor | None, order: MealOrder, now: dt.datetime, client_ip: str = "") -> MealOrder:
    """堂食: the elder took the meal; 送餐: it was delivered at the door."""
    order = _locked(order)
    if order.status != MealOrder.Status.PLACED:
        raise MealsError(f"订单 #{order.pk} 状态为{order.get_status_display()}，不能再取餐或送达")
    order.status = MealOrder.Status.DELIVERED if order.mode == Mode.DELIVERY else MealOrder.Status.SERVED
    order.handed_at, order.handed_by = now, _user(actor)
    order.save(update_fields=["status", "handed_at", "handed_by"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        "meals_order",
        order.pk,
        f"{order.person.name} {order.get_status_display()}",
        client_ip,
    )
    return order


@transaction.atomic
def order_cancel(*, actor: Actor, order: MealOrder, reason: str, client_ip: str = "") -> MealOrder:
    order = _locked(order)
    if not reason.strip():
        raise MealsError("取消原因：不能为空")
    if order.status != MealOrder.Status.PLACED:
        raise MealsError(f"订单 #{order.pk} 状态为{order.get_status_display()}，不能取消")
    order.status, order.cancel_reason = MealOrder.Status.CANCELLED, reason.strip()[:200]
    order.save(update_fields=["status", "cancel_reason"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        "meals_order",
        order.pk,
        f"取消 {order.person.name} 的订餐：{reason}",
        client_ip,
    )
    return order


def month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    end = (start + dt.timedelta(days=32)).replace(day=1)
    return start, end


@transaction.atomic
def settlement_build(
    *, actor: Actor, canteen: Canteen, month: dt.date, now: dt.datetime, client_ip: str = ""
) -> Settlement:
    """Sum the month's meals handed out; rebuilding a draft refreshes it, an approved one is final."""
    start, end = month_range(month)
    existing = Settlement.objects.select_for_update().filter(canteen=canteen, month=start).first()
    if existing and existing.status == Settlement.Status.APPROVED:
        raise MealsError(f"{canteen.name} {start:%Y年%m月} 的结算已审核，不能重新生成")
    handed = MealOrder.objects.filter(
        menu__canteen=canteen, menu__date__gte=start, menu__date__lt=end, status__in=HANDED
    )
    sums = handed.aggregate(n=Count("pk"), p=Sum("price_fen"), s=Sum("subsidy_fen"), c=Sum("pay_fen"))
    values = {
        "meals": sums["n"],
        "persons": handed.values("person").distinct().count(),
        "price_fen": sums["p"] or 0,
        "subsidy_fen": sums["s"] or 0,
        "pay_fen": sums["c"] or 0,
        "built_by": _user(actor),
        "built_at": now,
    }
    settlement, _ = Settlement.objects.update_or_create(canteen=canteen, month=start, defaults=values)
    approvals.built(settlement, actor=actor, client_ip=client_ip)
    summary = f"{canteen.name} {start:%Y年%m月} 助餐结算：{settlement.meals} 餐，补贴 {yuan(settlement.subsidy_fen)} 元"
    _audit(actor, AuditEvent.Action.UPDATE, "meals_settlement", settlement.pk, summary, client_ip)
    return settlement


@transaction.atomic
def settlement_approve(*, actor: Actor, settlement: Settlement, now: dt.datetime, client_ip: str = "") -> Settlement:
    settlement = Settlement.objects.select_for_update().select_related("canteen").get(pk=settlement.pk)
    if settlement.status == Settlement.Status.APPROVED:
        raise MealsError("该结算单已审核")
    # Four eyes (kernel) and the builder's independence (guard): meals/approvals.py.
    approvals.approve(settlement, actor=_user(actor), now=now, client_ip=client_ip)
    _audit(actor, AuditEvent.Action.UPDATE, "meals_settlement", settlement.pk, f"审核 {settlement}", client_ip)
    return settlement
