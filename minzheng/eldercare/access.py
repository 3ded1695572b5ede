"""居家养老: who may see or change what. The only place this app's role decisions are made.

Staff see elders, orders and flags inside their jurisdiction (division-code prefix). A provider's
staff see the orders of their own organisation; a caregiver sees only the orders assigned to them.
Out of role or out of jurisdiction answers 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.eldercare.models import Caregiver, Elder, FraudFlag, Order, Provider, Statement

ELDER_READ = {
    Role.HOTLINE_OPERATOR,
    Role.VILLAGE_WORKER,
    Role.TOWN_OFFICER,
    Role.COUNTY_APPROVER,
    Role.SYSADMIN,
}
ELDER_WRITE = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.SYSADMIN}  # enrol, contacts, location
ASSESS = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.COUNTY_APPROVER}
ORDER_PLACE = {Role.HOTLINE_OPERATOR, Role.VILLAGE_WORKER, Role.TOWN_OFFICER}
ORDER_DISPATCH = {Role.HOTLINE_OPERATOR, Role.PROVIDER, Role.TOWN_OFFICER}
ORDER_FOLLOW_UP = {Role.HOTLINE_OPERATOR, Role.PROVIDER}
ORDER_CANCEL = {Role.HOTLINE_OPERATOR, Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.PROVIDER}
SUPERVISE = {Role.TOWN_OFFICER, Role.COUNTY_APPROVER}
STATEMENT_READ = {Role.PROVIDER, Role.COUNTY_APPROVER}
STATEMENT_APPROVE = {Role.COUNTY_APPROVER}
CATALOGUE_READ = ELDER_READ | {Role.PROVIDER, Role.CAREGIVER}


def require(allowed: bool) -> None:
    if not allowed:
        raise Http404("无权访问或对象不存在")


def can_read_elders(user: Any) -> bool:
    return _has(user, ELDER_READ)


def can_write_elders(user: Any) -> bool:
    return _has(user, ELDER_WRITE)


def can_assess(user: Any) -> bool:
    return _has(user, ASSESS)


def can_place_orders(user: Any) -> bool:
    return _has(user, ORDER_PLACE)


def can_use_hotline(user: Any) -> bool:
    return _has(user, {Role.HOTLINE_OPERATOR})


def can_dispatch(user: Any) -> bool:
    return _has(user, ORDER_DISPATCH)


def can_plan(user: Any) -> bool:
    return _has(user, {Role.PROVIDER, Role.TOWN_OFFICER})


def can_follow_up(user: Any) -> bool:
    return _has(user, ORDER_FOLLOW_UP)


def can_cancel(user: Any) -> bool:
    return _has(user, ORDER_CANCEL)


def can_read_orders(user: Any) -> bool:
    return _has(user, ELDER_READ | {Role.PROVIDER, Role.CAREGIVER})


def is_provider(user: Any) -> bool:
    return _has(user, {Role.PROVIDER})


def is_caregiver(user: Any) -> bool:
    return _has(user, {Role.CAREGIVER})


def can_supervise(user: Any) -> bool:
    return _has(user, SUPERVISE)


def can_read_statements(user: Any) -> bool:
    return _has(user, STATEMENT_READ)


def can_approve_statements(user: Any) -> bool:
    return _has(user, STATEMENT_APPROVE)


def can_read_providers(user: Any) -> bool:
    return _has(user, {Role.PROVIDER, Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.SYSADMIN})


def can_manage_caregivers(user: Any) -> bool:
    """A provider's staff register their own organisation's caregivers."""
    return _has(user, {Role.PROVIDER})


def can_read_catalogue(user: Any) -> bool:
    return _has(user, CATALOGUE_READ)


# ------------------------------------------------------------------ scoped querysets


def elders_visible_to(user: Any) -> QuerySet[Elder]:
    if not can_read_elders(user):
        return Elder.objects.none()
    return Elder.objects.filter(prefix_q("division_code", user.jurisdiction))


def providers_of(user: Any) -> QuerySet[Provider]:
    """The organisations a provider-role user works for."""
    return Provider.objects.filter(staff=user) if _has(user, {Role.PROVIDER}) else Provider.objects.none()


def providers_for(user: Any) -> QuerySet[Provider]:
    """Providers a page may offer: a provider's own organisations, or those inside a staff jurisdiction."""
    if _has(user, {Role.PROVIDER}):
        return providers_of(user)
    if _has(user, {Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.SYSADMIN}):
        return Provider.objects.filter(prefix_q("division_code", user.jurisdiction))
    return Provider.objects.none()


def orders_visible_to(user: Any) -> QuerySet[Order]:
    if _has(user, {Role.CAREGIVER}):
        return Order.objects.filter(caregiver__user=user)
    if _has(user, {Role.PROVIDER}):
        return Order.objects.filter(provider__staff=user).filter(prefix_q("division_code", user.jurisdiction))
    if can_read_elders(user):
        return Order.objects.filter(prefix_q("division_code", user.jurisdiction))
    return Order.objects.none()


def flags_visible_to(user: Any) -> QuerySet[FraudFlag]:
    if not can_supervise(user):
        return FraudFlag.objects.none()
    return FraudFlag.objects.filter(prefix_q("division_code", user.jurisdiction))


def statements_visible_to(user: Any) -> QuerySet[Statement]:
    if _has(user, {Role.PROVIDER}):
        return Statement.objects.filter(provider__staff=user)
    if can_read_statements(user):
        return Statement.objects.filter(prefix_q("provider__division_code", user.jurisdiction))
    return Statement.objects.none()


def caregivers_visible_to(user: Any) -> QuerySet[Caregiver]:
    if _has(user, {Role.PROVIDER}):
        return Caregiver.objects.filter(provider__staff=user)
    if can_read_elders(user) or can_supervise(user):
        return Caregiver.objects.filter(
            prefix_q("division_code", user.jurisdiction) | prefix_q("provider__division_code", user.jurisdiction)
        )
    return Caregiver.objects.none()


# ------------------------------------------------------------------ single objects (or 404)


def access_elder(user: Any, elder_id: int) -> Elder:
    elder = elders_visible_to(user).select_related("person", "person__household").filter(pk=elder_id).first()
    if elder is None:
        raise Http404("服务对象不存在")
    return elder


def access_order(user: Any, order_id: int) -> Order:
    order = (
        orders_visible_to(user)
        .select_related("elder", "elder__person", "caregiver", "provider")
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise Http404("订单不存在")
    return order


def access_caregiver_order(user: Any, order_id: int) -> Order:
    """A caregiver acting at the door: only their own orders."""
    require(is_caregiver(user))
    return access_order(user, order_id)


def access_flag(user: Any, flag_id: int) -> FraudFlag:
    flag = flags_visible_to(user).filter(pk=flag_id).first()
    if flag is None:
        raise Http404("疑点不存在")
    return flag


def access_statement(user: Any, statement_id: int) -> Statement:
    statement = statements_visible_to(user).select_related("provider").filter(pk=statement_id).first()
    if statement is None:
        raise Http404("结算单不存在")
    return statement


class FamilyLinkExpired(Exception):
    """The family link was right but has expired: the page says so (and whom to ask), without data."""


def family_link_expired(elder: Elder, now: dt.datetime | None = None) -> bool:
    expires = elder.family_token_expires_at
    return expires is None or expires <= (now or timezone.now())


def access_family(token: str) -> Elder:
    """The family page: the link's token is the only key (no account); unknown token = 404, expired = refused."""
    elder = Elder.objects.select_related("person").filter(family_token=token, active=True).first() if token else None
    if elder is None:
        raise Http404("链接无效")
    if family_link_expired(elder):
        raise FamilyLinkExpired
    return elder


def nav_entries(user: Any) -> list[tuple[str, str]]:
    """(label, url) navigation entries this user's role may use; [] for none."""
    entries: list[tuple[str, str]] = []
    if can_use_hotline(user):
        entries.append(("12349 热线", reverse("eldercare:hotline")))
    if is_caregiver(user):
        entries.append(("我的上门服务", reverse("eldercare:my_orders")))
    if can_read_elders(user):
        entries.append(("居家养老", reverse("eldercare:elders")))
    if can_read_orders(user) and not is_caregiver(user):
        entries.append(("服务订单", reverse("eldercare:orders")))
    if can_plan(user):
        entries.append(("派单计划", reverse("eldercare:plan")))
    if can_read_providers(user):
        entries.append(("服务商", reverse("eldercare:providers")))
    if can_supervise(user):
        entries.append(("服务监管", reverse("eldercare:flags")))
    if can_read_statements(user):
        entries.append(("养老结算", reverse("eldercare:statements")))
    return entries
