"""老年助餐: who may see or change what. The only place this app's role decisions are made.

- canteens (create): 乡镇 / 县 staff and 系统管理员, inside their jurisdiction;
- menus and handing out meals: the canteen's own staff (服务商 accounts linked to it) and the above;
- ordering for a resident (by phone, at the counter, on a visit): 村 / 乡镇 workers, 12349 坐席, 系统管理员;
- settlement: 乡镇 / 县 staff build it, 县级审批 or 系统管理员 approve it; the canteen's staff read theirs.
Out of role or out of jurisdiction = 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.meals.models import Canteen, MealOrder, Settlement

ADMIN = {Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.SYSADMIN}
ORDER = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.HOTLINE_OPERATOR, Role.SYSADMIN}
APPROVE = {Role.COUNTY_APPROVER, Role.SYSADMIN}
STAFF = {Role.PROVIDER}


def require(allowed: bool) -> None:
    if not allowed:
        raise Http404("无权访问或对象不存在")


def can_admin_canteens(user: Any) -> bool:
    return _has(user, ADMIN)


def can_order(user: Any) -> bool:
    return _has(user, ORDER)


def can_approve(user: Any) -> bool:
    return _has(user, APPROVE)


def can_use_meals(user: Any) -> bool:
    return _has(user, ADMIN | ORDER | STAFF)


def canteens_visible_to(user: Any) -> QuerySet[Canteen]:
    if _has(user, STAFF):
        return Canteen.objects.filter(staff=user)
    if _has(user, ADMIN | ORDER):
        # Residents may eat at a canteen of the next village: 村 workers see their town's canteens.
        scope = user.jurisdiction[:9] if user.role == Role.VILLAGE_WORKER else user.jurisdiction
        return Canteen.objects.filter(prefix_q("division_code", scope))
    return Canteen.objects.none()


def can_manage(user: Any, canteen: Canteen) -> bool:
    """Menus and handing out meals: the canteen's staff, or an administrator over it."""
    if _has(user, STAFF):
        return canteen.staff.filter(pk=user.pk).exists()
    return can_admin_canteens(user) and canteen.division_code.startswith(user.jurisdiction)


def access_canteen(user: Any, canteen_id: int) -> Canteen:
    canteen = canteens_visible_to(user).filter(pk=canteen_id).first()
    if canteen is None:
        raise Http404("助餐点不存在")
    return canteen


def orders_visible_to(user: Any) -> QuerySet[MealOrder]:
    """Staff see their canteen's orders; others the orders of residents in their jurisdiction."""
    if _has(user, STAFF):
        return MealOrder.objects.filter(menu__canteen__staff=user)
    if _has(user, ADMIN | ORDER):
        return MealOrder.objects.filter(prefix_q("division_code", user.jurisdiction))
    return MealOrder.objects.none()


def access_order(user: Any, order_id: int) -> MealOrder:
    order = orders_visible_to(user).select_related("menu__canteen", "person").filter(pk=order_id).first()
    if order is None:
        raise Http404("订单不存在")
    return order


def settlements_visible_to(user: Any) -> QuerySet[Settlement]:
    if _has(user, STAFF):
        return Settlement.objects.filter(canteen__staff=user)
    if _has(user, ADMIN):
        return Settlement.objects.filter(prefix_q("canteen__division_code", user.jurisdiction))
    return Settlement.objects.none()


def access_settlement(user: Any, settlement_id: int) -> Settlement:
    found = settlements_visible_to(user).select_related("canteen").filter(pk=settlement_id).first()
    if found is None:
        raise Http404("结算单不存在")
    return found


def can_build_settlement(user: Any, canteen: Canteen) -> bool:
    return can_admin_canteens(user) and canteen.division_code.startswith(user.jurisdiction)


def nav_entries(user: Any) -> list[tuple[str, str]]:
    return [("老年助餐", reverse("meals:canteens"))] if can_use_meals(user) else []
