"""Who may see what in 婚姻登记: the registrar of the county's registry office; records of their
jurisdiction only (the office's county). Outside the role or the jurisdiction the answer is 404."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.marriage.models import Adoption, Appointment, Registration

REGISTRAR = {Role.MARRIAGE_REGISTRAR}


def can_work(user: Any) -> bool:
    return _has(user, REGISTRAR)


def appointments_visible_to(user: Any) -> QuerySet[Appointment]:
    if not can_work(user):
        return Appointment.objects.none()
    return Appointment.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_appointment(user: Any, pk: int) -> Appointment:
    found = appointments_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("预约不存在")
    return found


def registrations_visible_to(user: Any) -> QuerySet[Registration]:
    if not can_work(user):
        return Registration.objects.none()
    return Registration.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_registration(user: Any, pk: int) -> Registration:
    found = registrations_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("登记记录不存在")
    return found


def adoptions_visible_to(user: Any) -> QuerySet[Adoption]:
    if not can_work(user):
        return Adoption.objects.none()
    return Adoption.objects.filter(prefix_q("division_code", user.jurisdiction))


def access_adoption(user: Any, pk: int) -> Adoption:
    found = adoptions_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise Http404("收养登记不存在")
    return found


def nav_entries(user: Any) -> list[tuple[str, str]]:
    from django.urls import reverse

    if not can_work(user):
        return []
    return [
        ("登记预约", reverse("marriage:appointments")),
        ("婚姻登记记录", reverse("marriage:registrations")),
        ("收养登记", reverse("marriage:adoptions")),
    ]
