"""Who may do what in 地名管理. The county's 地名办 keeps the register and works applications; the county
approver records approvals; town and village staff read their area's names and check its signs in the
field. Names are public (the lookup page needs no login), but staff lists are still scoped."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.placenames.models import NamingApplication, PlaceName, Sign

OFFICE = {Role.PLACENAME_OFFICER}
APPROVERS = OFFICE | {Role.COUNTY_APPROVER}
FIELD = {Role.TOWN_OFFICER, Role.VILLAGE_WORKER}
READERS = APPROVERS | FIELD


def can_read(user: Any) -> bool:
    return _has(user, READERS)


def can_keep_register(user: Any) -> bool:
    return _has(user, OFFICE)


def can_work_applications(user: Any) -> bool:
    return _has(user, APPROVERS)


def can_check_signs(user: Any) -> bool:
    return _has(user, OFFICE | FIELD)


def places_visible_to(user: Any) -> QuerySet[PlaceName]:
    if not can_read(user):
        return PlaceName.objects.none()
    return PlaceName.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_place(user: Any, pk: int) -> PlaceName:
    place = places_visible_to(user).filter(pk=pk).first()
    if place is None:
        raise Http404("地名不存在")
    return place


def applications_visible_to(user: Any) -> QuerySet[NamingApplication]:
    if not can_work_applications(user):
        return NamingApplication.objects.none()
    return NamingApplication.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_application(user: Any, pk: int) -> NamingApplication:
    app = applications_visible_to(user).select_related("place").filter(pk=pk).first()
    if app is None:
        raise Http404("申请不存在")
    return app


def signs_visible_to(user: Any) -> QuerySet[Sign]:
    if not can_check_signs(user):
        return Sign.objects.none()
    return Sign.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_sign(user: Any, pk: int) -> Sign:
    sign = signs_visible_to(user).select_related("place").filter(pk=pk).first()
    if sign is None:
        raise Http404("地名标志不存在")
    return sign


def nav_entries(user: Any) -> list[tuple[str, str]]:
    from django.urls import reverse

    entries: list[tuple[str, str]] = []
    if can_read(user):
        entries.append(("地名", reverse("placenames:list")))
    if can_work_applications(user):
        entries.append(("地名申请", reverse("placenames:applications")))
    if can_check_signs(user):
        entries.append(("地名标志", reverse("placenames:signs")))
    return entries
