"""一键通紧急呼叫: what the demo county gets (called by minzheng.demo.build after residents and feeds).

Terminals in the homes of a few elders of the demo 村, one false alarm closed yesterday, and one
open emergency (a button press a minute ago) waiting on the 12349 console, so the hotline
account sees a live incident and its timer, and the 村 account sees it in its list.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.eldercare.models import Elder
from minzheng.registry.models import Person

DEVICES = 5


def _elders(village: str) -> list[Elder]:
    """Elders of the demo village (enrolled by the eldercare demo; enrol the oldest if it did not)."""
    elders = list(Elder.objects.filter(division_code__startswith=village).select_related("person").order_by("pk"))
    if elders:
        return elders[:DEVICES]
    from minzheng.eldercare.services import elder_enrol

    oldest = Person.objects.filter(division_code__startswith=village).order_by("birth_date")[:DEVICES]
    out = []
    for person in oldest:
        family = person.household.members.exclude(pk=person.pk).exclude(phone="").order_by("birth_date")[:2]
        contacts = [{"name": p.name, "relation": p.get_relation_display(), "phone": p.phone} for p in family]
        out.append(elder_enrol(actor=None, person=person, status="other", emergency_contacts=contacts))
    return out


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    from minzheng.emergency import services

    step("一键通：终端与一起处置中的紧急呼叫")
    village = next(a.jurisdiction for a in built.accounts if a.username == "cun")  # the demo 村 account
    elders = _elders(village)
    if not elders:
        return
    devices = [
        services.device_register(
            actor=None,
            elder=elder,
            serial=f"YJT-{elder.division_code[-6:]}-{k:02d}",
            installed_on=built.as_of - dt.timedelta(days=90),
            sensors=["no_movement", "smoke", "gas"] if k % 2 == 0 else ["smoke"],
        )
        for k, elder in enumerate(elders, start=1)
    ]
    now = timezone.now()
    yesterday = now - dt.timedelta(days=1)
    closed = services.alarm_receive(actor=None, kind="button", device=devices[-1], now=yesterday).incident
    services.incident_close(
        actor=None,
        incident=closed,
        now=yesterday + dt.timedelta(minutes=2),
        outcome="false_alarm",
        note="老人误按，已回拨确认平安",
    )
    services.alarm_receive(actor=None, kind="button", device=devices[0], now=now - dt.timedelta(seconds=20))
