"""Who may see what in 灾害救助: the county's disaster office runs events, reserves and warnings; the towns
and villages report, claim, call and sign within their own jurisdiction. Outside it the answer is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.disaster.models import Call, Distribution, Event, Warehouse, Warning

OFFICE = {Role.DISASTER_OFFICER}
LOCAL = {Role.TOWN_OFFICER, Role.VILLAGE_WORKER}
READ = OFFICE | LOCAL | {Role.COUNTY_APPROVER}


def can_read(user: Any) -> bool:
    return _has(user, READ)


def can_run(user: Any) -> bool:
    """Events, levels, warnings, reserves: the disaster office."""
    return _has(user, OFFICE)


def can_report(user: Any) -> bool:
    """Assessments, claims, calls, receipts: the office and the towns and villages for their area."""
    return _has(user, OFFICE | LOCAL)


def events_visible_to(user: Any) -> QuerySet[Event]:
    if not can_read(user):
        return Event.objects.none()
    # An event belongs to its county; a town or village sees those whose area touches it.
    events = Event.objects.filter(prefix_q("division_code", user.jurisdiction[:6]))
    if len(user.jurisdiction) <= 6:
        return events
    ids = [e.pk for e in events.only("pk", "areas") if touches(e.areas, user.jurisdiction)]
    return Event.objects.filter(pk__in=ids)


def touches(areas: list[str], prefix: str) -> bool:
    return any(a.startswith(prefix) or prefix.startswith(a) for a in areas)


def access_event(user: Any, pk: int) -> Event:
    event = events_visible_to(user).filter(pk=pk).first()
    if event is None:
        raise Http404("灾害事件不存在")
    return event


def warehouses_visible_to(user: Any) -> QuerySet[Warehouse]:
    if not can_read(user):
        return Warehouse.objects.none()
    return Warehouse.objects.filter(prefix_q("division_code", user.jurisdiction[:6]))


def access_warehouse(user: Any, pk: int) -> Warehouse:
    found = warehouses_visible_to(user).filter(pk=pk).first() if can_run(user) else None
    if found is None:
        raise Http404("储备库不存在")
    return found


def distributions_visible_to(user: Any) -> QuerySet[Distribution]:
    if not can_read(user):
        return Distribution.objects.none()
    return Distribution.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_distribution(user: Any, pk: int) -> Distribution:
    found = distributions_visible_to(user).select_related("warehouse", "event").filter(pk=pk).first()
    if found is None:
        raise Http404("发放记录不存在")
    return found


def warnings_visible_to(user: Any) -> QuerySet[Warning]:
    if not can_read(user):
        return Warning.objects.none()
    return Warning.objects.filter(prefix_q("division_code", user.jurisdiction[:6]))


def access_warning(user: Any, pk: int) -> Warning:
    found = warnings_visible_to(user).filter(pk=pk).first()
    if found is None or not (len(user.jurisdiction) <= 6 or touches(found.areas, user.jurisdiction)):
        raise Http404("预警不存在")
    return found


def calls_visible_to(user: Any) -> QuerySet[Call]:
    if not can_read(user):
        return Call.objects.none()
    return Call.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_call(user: Any, pk: int) -> Call:
    found = calls_visible_to(user).select_related("contact", "warning").filter(pk=pk).first()
    if found is None or not can_report(user):
        raise Http404("叫应记录不存在")
    return found


def nav_entries(user: Any) -> list[tuple[str, str]]:
    from django.urls import reverse

    if not can_read(user):
        return []
    entries = [("灾害事件", reverse("disaster:events")), ("预警叫应", reverse("disaster:warnings"))]
    if can_run(user):
        entries.append(("救灾物资", reverse("disaster:stock")))
    return entries
