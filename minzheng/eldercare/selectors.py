"""居家养老: reads, always scoped to the actor's jurisdiction (through access.py's querysets)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from minzheng.core.jurisdiction import text_prefix_q, within
from minzheng.core.masking import mask_phone
from minzheng.divisions.selectors import division_full_name
from minzheng.eldercare import access
from minzheng.eldercare.entitlements import DONE, Entitlement, entitlement, month_range
from minzheng.eldercare.models import Elder, FraudFlag, Order, OrderStatus, ServiceItem, Statement

LIST_LIMIT = 200


def normalise_phone(raw: str) -> str:
    """Caller ids arrive as +86 138..., 0086..., with spaces or dashes."""
    digits = "".join(ch for ch in raw if ch.isdigit())
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def elder_by_phone(user: Any, phone: str) -> Elder | None:
    """The hotline pop-up: the elder whose phone, or whose emergency contact's phone, is calling."""
    number = normalise_phone(phone)
    if len(number) < 7:
        return None
    scoped = access.elders_visible_to(user).select_related("person", "person__household")
    found = scoped.filter(Q(phone=number) | Q(person__phone=number)).order_by("pk").first()
    if found:
        return found
    # Family calling on the elder's behalf: JSON search differs per database, so filter in Python
    # over the candidates whose contacts mention the number as text.
    for elder in scoped.filter(emergency_contacts__icontains=number).order_by("pk")[:5]:
        if any(normalise_phone(c.get("phone", "")) == number for c in elder.emergency_contacts):
            return elder
    return None


def elder_search(user: Any, q: str = "") -> QuerySet[Elder]:
    elders = access.elders_visible_to(user).select_related("person")
    if q:
        elders = elders.filter(text_prefix_q("person__name", q))
    return elders.order_by("division_code", "person__name")[:LIST_LIMIT]


def reassessments_due(user: Any, on: dt.date) -> QuerySet[Elder]:
    due = Q(reassess_due__lte=on) | Q(ability_level__isnull=True) | Q(condition_changed=True)
    return (
        access.elders_visible_to(user)
        .filter(due, active=True)
        .select_related("person")
        .order_by("reassess_due", "person__name")
    )


def recent_orders(elder: Elder, limit: int = 5) -> QuerySet[Order]:
    return elder.orders.select_related("caregiver").prefetch_related("lines__item").order_by("-window_start")[:limit]


def orders_list(user: Any, status: str = "", division: str = "") -> QuerySet[Order]:
    orders = access.orders_visible_to(user).select_related("elder__person", "caregiver")
    orders = orders.filter(within("division_code", division))  # a dashboard link's division
    if status:
        orders = orders.filter(status=status)
    return orders.order_by("-window_start")[:LIST_LIMIT]


def my_orders(user: Any, today: dt.date) -> QuerySet[Order]:
    """A caregiver's orders from today on, plus anything still open from earlier days."""
    start, _ = month_range(today)
    day = dt.datetime.combine(today, dt.time(), tzinfo=start.tzinfo)
    open_states = (OrderStatus.DISPATCHED, OrderStatus.ACCEPTED, OrderStatus.CHECKED_IN, OrderStatus.IN_SERVICE)
    return (
        access.orders_visible_to(user)
        .filter(Q(window_start__gte=day) | Q(status__in=open_states))
        .select_related("elder__person")
        .prefetch_related("lines__item")
        .order_by("window_start")[:LIST_LIMIT]
    )


def flags_list(user: Any, *, open_only: bool = True) -> QuerySet[FraudFlag]:
    flags = access.flags_visible_to(user).select_related("order__elder__person", "order__caregiver")
    if open_only:
        flags = flags.filter(open=True)
    return flags.order_by("-created_at")[:LIST_LIMIT]


def statements_list(user: Any) -> QuerySet[Statement]:
    return access.statements_visible_to(user).select_related("provider").order_by("-month", "provider__name")


def catalogue() -> QuerySet[ServiceItem]:
    return ServiceItem.objects.filter(active=True).order_by("category", "code")


@dataclass
class ElderProfile:
    """What the hotline pop-up, the elder page and the family page show."""

    elder: Elder
    address: str
    phone_masked: str
    entitlement: Entitlement
    recent: list[Order]
    age: int


def elder_profile(elder: Elder, today: dt.date | None = None) -> ElderProfile:
    today = today or timezone.localdate()
    person = elder.person
    born = person.birth_date
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    address = division_full_name(person.household.division_id) + " " + (elder.address or person.household.grid_address)
    return ElderProfile(
        elder, address, mask_phone(elder.phone), entitlement(elder, today), list(recent_orders(elder)), age
    )


@dataclass
class Bill:
    elder: Elder
    month: dt.date
    orders: list[Order]
    price_fen: int
    subsidy_fen: int
    copay_fen: int


def elder_bill(elder: Elder, month: dt.date) -> Bill:
    """The elder's monthly bill: finished orders of the month, subsidy and co-payment."""
    start, end = month_range(month)
    orders = elder.orders.filter(status__in=DONE, window_start__gte=start, window_start__lt=end).order_by(
        "window_start"
    )
    sums = orders.aggregate(p=Sum("price_fen"), s=Sum("subsidy_fen"), c=Sum("copay_fen"))
    return Bill(
        elder,
        month.replace(day=1),
        list(orders.prefetch_related("lines__item")),
        sums["p"] or 0,
        sums["s"] or 0,
        sums["c"] or 0,
    )


def dispatch_choices(user: Any, order: Order) -> list[Any]:
    """Caregivers an operator may pick by hand: active, of an active provider serving the elder's
    village and visible to the user, holding the order's qualification. Busy ones are still listed
    (the operator may know better); the lifecycle and the fraud checks still apply."""
    from minzheng.eldercare.models import Caregiver
    from minzheng.eldercare.orders import order_required_qualification

    needed = order_required_qualification(order)
    providers = access.providers_for(user) if access.is_provider(user) else None
    pool = Caregiver.objects.filter(active=True, provider__active=True).select_related("provider")
    if providers is not None:
        pool = pool.filter(provider__in=providers)
    chosen = [
        c for c in pool.order_by("provider__name", "name") if c.provider.serves(order.division_code) and c.has(needed)
    ]
    _annotate_day(chosen, order)
    return chosen


def _annotate_day(caregivers: list[Any], order: Order) -> None:
    """What the operator needs to choose well: does the caregiver work that weekday, how many visits already."""
    from minzheng.eldercare.orders import BUSY

    local = timezone.localtime(order.window_start)
    day_start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    counts = dict(
        Order.objects.filter(
            caregiver__in=caregivers,
            status__in=BUSY,
            window_start__gte=day_start,
            window_start__lt=day_start + dt.timedelta(days=1),
        )
        .values_list("caregiver")
        .annotate(n=Count("pk"))
        .values_list("caregiver", "n")
    )
    for c in caregivers:
        works = local.weekday() in (c.work_days or range(7))
        booked = counts.get(c.pk, 0)
        c.day_note = (f"当日已派 {booked} 单" if booked else "当日无派单") + ("" if works else "，当日不上班")
