"""Reads for the marriage pages, scoped through access.py; names and identity numbers masked in lists."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q

from minzheng.core.masking import mask_id_number, mask_name
from minzheng.marriage import access
from minzheng.marriage.models import Appointment, Registration


def couple(obj: Appointment | Registration) -> dict[str, str]:
    return {
        "name_a": mask_name(obj.name_a),
        "id_a": mask_id_number(obj.id_number_a),
        "name_b": mask_name(obj.name_b),
        "id_b": mask_id_number(obj.id_number_b),
    }


def appointment_rows(user: Any, day: dt.date | None = None, status: str = "booked") -> list[dict[str, Any]]:
    qs = access.appointments_visible_to(user)
    if day is not None:
        qs = qs.filter(on=day)
    if status:
        qs = qs.filter(status=status)
    return [{"a": a, **couple(a)} for a in qs.order_by("on", "slot", "pk")[:300]]


def registration_rows(user: Any, kind: str = "", q: str = "") -> list[dict[str, Any]]:
    qs = access.registrations_visible_to(user)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        q = q.strip().upper()
        qs = qs.filter(Q(certificate_no=q) | Q(id_number_a=q) | Q(id_number_b=q))
    return [{"r": r, **couple(r)} for r in qs.order_by("-registered_on", "-pk")[:300]]


def adoption_rows(user: Any) -> list[dict[str, Any]]:
    qs = access.adoptions_visible_to(user).order_by("-registered_on", "-pk")[:300]
    return [
        {
            "x": x,
            "child": mask_name(x.child_name),
            "adopter": mask_name(x.adopter_name),
            "adopter_id": mask_id_number(x.adopter_id_number),
        }
        for x in qs
    ]


def registration_of(person_id_number: str) -> Registration | None:
    """The latest registration naming this identity number (for other apps' 零证明: 婚姻状况)."""
    qs = Registration.objects.filter(Q(id_number_a=person_id_number) | Q(id_number_b=person_id_number))
    return qs.order_by("-registered_on", "-pk").first()
