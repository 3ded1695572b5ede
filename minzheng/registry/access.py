"""The only way views, the API and commands obtain a person or household.

Out of role or out of jurisdiction, the answer is 404: the caller cannot tell
a person elsewhere from no person at all.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.access import can_read_registry, can_write_registry
from minzheng.accounts.models import User
from minzheng.core.jurisdiction import prefix_q
from minzheng.registry.models import Household, Person


def persons_visible_to(user: User) -> QuerySet[Person]:
    if not can_read_registry(user):
        return Person.objects.none()
    return Person.objects.filter(prefix_q("division_code", user.jurisdiction))


def households_visible_to(user: User) -> QuerySet[Household]:
    if not can_read_registry(user):
        return Household.objects.none()
    return Household.objects.filter(prefix_q("division_id", user.jurisdiction))


def access_person(user: User, person_id: int, *, write: bool = False) -> Person:
    if write and not can_write_registry(user):
        raise Http404("居民不存在")
    person = persons_visible_to(user).select_related("household", "household__division").filter(pk=person_id).first()
    if person is None:
        raise Http404("居民不存在")
    return person


def access_household(user: User, household_id: int, *, write: bool = False) -> Household:
    if write and not can_write_registry(user):
        raise Http404("户不存在")
    household = households_visible_to(user).select_related("division").filter(pk=household_id).first()
    if household is None:
        raise Http404("户不存在")
    return household


def access_household_by_no(user: User, household_no: str) -> Household:
    if "\x00" in household_no:  # PostgreSQL refuses NUL in text; no 户编号 holds one
        raise Http404("户不存在")
    household = households_visible_to(user).filter(household_no=household_no).first()
    if household is None:
        raise Http404("户不存在")
    return household
