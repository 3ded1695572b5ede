"""一键通紧急呼叫: reads, always scoped to the actor's jurisdiction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from minzheng.core.masking import mask_phone
from minzheng.emergency import access
from minzheng.emergency.models import Device, Incident
from minzheng.emergency.services import rung_deadline

LIST_LIMIT = 100


@dataclass
class IncidentRow:
    """One line of the console: masked, with the seconds left on the current rung's timer."""

    incident: Incident
    name: str
    age: int
    phone_masked: str
    waited_s: int
    seconds_left: int | None  # None: answered, last rung, or closed

    @classmethod
    def of(cls, incident: Incident, now: dt.datetime) -> IncidentRow:
        person = incident.elder.person
        born, today = person.birth_date, now.date()
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        deadline = rung_deadline(incident)
        left = None if deadline is None else max(0, int((deadline - now).total_seconds()))
        waited = int(((incident.closed_at or now) - incident.opened_at).total_seconds())
        return cls(incident, person.name, age, mask_phone(incident.elder.phone), waited, left)


def open_incidents(user: Any, now: dt.datetime) -> list[IncidentRow]:
    rows = (
        access.incidents_visible_to(user)
        .filter(status=Incident.Status.OPEN)
        .select_related("elder__person")
        .order_by("opened_at", "pk")[:LIST_LIMIT]
    )
    return [IncidentRow.of(i, now) for i in rows]


def recent_closed(user: Any, now: dt.datetime, limit: int = 20) -> list[IncidentRow]:
    rows = (
        access.incidents_visible_to(user)
        .filter(status=Incident.Status.CLOSED)
        .select_related("elder__person")
        .order_by("-closed_at", "-pk")[:limit]
    )
    return [IncidentRow.of(i, now) for i in rows]


def devices_list(user: Any) -> QuerySet[Device]:
    return (
        access.devices_visible_to(user).select_related("elder__person").order_by("division_code", "serial")[:LIST_LIMIT]
    )
