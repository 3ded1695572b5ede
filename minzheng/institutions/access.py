"""Who may see what in 养老机构: county and town officers supervise the institutions and facilities of
their jurisdiction; an institution's operator account (`User.unit` = the institution's code) sees and
works its own institution only. Outside the role, the jurisdiction or the unit the answer is 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.institutions.models import Facility, Inspection, Institution, Resident, SubsidyMonth

COUNTY = {Role.COUNTY_APPROVER}
SUPERVISE = {Role.COUNTY_APPROVER, Role.TOWN_OFFICER}  # inspections, facilities
READ = SUPERVISE | {Role.AUDITOR}
OPERATOR = {Role.INSTITUTION_OPERATOR}


def is_operator(user: Any) -> bool:
    return _has(user, OPERATOR) and bool(getattr(user, "unit", ""))


def can_read(user: Any) -> bool:
    return _has(user, READ) or is_operator(user)


def can_supervise(user: Any) -> bool:
    return _has(user, SUPERVISE)


def can_register(user: Any) -> bool:
    """Register institutions, rate them, compute and approve subsidies: the county bureau."""
    return _has(user, COUNTY)


def can_read_facilities(user: Any) -> bool:
    return _has(user, READ)


def institutions_visible_to(user: Any) -> QuerySet[Institution]:
    if not can_read(user):
        return Institution.objects.none()
    scoped = Institution.objects.filter(prefix_q("division_code", user.jurisdiction))
    return scoped.filter(code=user.unit) if is_operator(user) else scoped


def access_institution(user: Any, pk: int, *, write: bool = False) -> Institution:
    """The institution, or 404. `write`: the operator of this institution (its own residents)."""
    inst = institutions_visible_to(user).filter(pk=pk).first()
    if inst is None or (write and not is_operator(user)):
        raise Http404("养老机构不存在")
    return inst


def own_institution(user: Any) -> Institution | None:
    return institutions_visible_to(user).first() if is_operator(user) else None


def residents_visible_to(user: Any) -> QuerySet[Resident]:
    return Resident.objects.filter(institution__in=institutions_visible_to(user))


def access_resident(user: Any, pk: int) -> Resident:
    row = residents_visible_to(user).select_related("person", "institution").filter(pk=pk).first()
    if row is None:
        raise Http404("入住记录不存在")
    return row


def inspections_visible_to(user: Any) -> QuerySet[Inspection]:
    return Inspection.objects.filter(institution__in=institutions_visible_to(user))


def access_inspection(user: Any, pk: int) -> Inspection:
    row = inspections_visible_to(user).select_related("institution").filter(pk=pk).first()
    if row is None:
        raise Http404("检查记录不存在")
    return row


def subsidies_visible_to(user: Any) -> QuerySet[SubsidyMonth]:
    return SubsidyMonth.objects.filter(institution__in=institutions_visible_to(user))


def facilities_visible_to(user: Any) -> QuerySet[Facility]:
    if not can_read_facilities(user):
        return Facility.objects.none()
    return Facility.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_facility(user: Any, pk: int) -> Facility:
    row = facilities_visible_to(user).filter(pk=pk).first()
    if row is None or not can_supervise(user):
        raise Http404("设施不存在")
    return row


def open_q() -> Q:
    return Q(discharged_on__isnull=True)


def nav_entries(user: Any) -> list[tuple[str, str]]:
    from django.urls import reverse

    entries: list[tuple[str, str]] = []
    if is_operator(user):
        entries.append(("本机构", reverse("institutions:mine")))
    elif can_read(user):
        entries.append(("养老机构", reverse("institutions:list")))
    if can_read_facilities(user):
        entries.append(("养老服务圈", reverse("institutions:coverage")))
    return entries
