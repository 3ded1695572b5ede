"""婚姻登记: what the demo county gets, through the real services by the demo registrar (`hunyin`).

Two residents of the demo county marry (the certificate numbered, their 婚育户一件事 drafted), another couple
books for today, a divorce application waits in its 30-day 冷静期, and one adoption is registered. Idempotent:
nothing is added when registrations exist.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.marriage import services, services_adoption
from minzheng.marriage.models import Registration
from minzheng.registry.models import Person


def _adults(sex: str, lo: int, hi: int, n: int, skip: set[int]) -> list[Person]:
    today = timezone.localdate()
    qs = Person.objects.filter(
        sex=sex, birth_date__lte=today.replace(year=today.year - lo), birth_date__gt=today.replace(year=today.year - hi)
    ).exclude(pk__in=skip)
    return list(qs.order_by("-household__household_no", "pk")[:n])


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    step("婚姻收养登记：结婚登记（婚育户一件事）、预约、离婚冷静期、收养登记")
    registrar = User.objects.filter(username="hunyin").first()
    if registrar is None or Registration.objects.exists():
        return
    men, women = _adults("M", 24, 34, 2, set()), _adults("F", 22, 32, 2, set())
    if len(men) < 2 or len(women) < 2:
        return
    today, office = timezone.localdate(), registrar.jurisdiction
    couples = [services.Couple(m.name, m.id_number, w.name, w.id_number) for m, w in zip(men, women, strict=True)]
    first = services.book(couples[0], kind="marry", on=today, slot="09:00-10:00", office=office, actor=registrar)
    services.register(first, actor=registrar)
    services.book(
        couples[1], kind="marry", on=today + dt.timedelta(days=3), slot="10:00-11:00", office=office, actor=registrar
    )
    older = _adults("M", 40, 50, 1, set()), _adults("F", 38, 48, 1, set())
    if older[0] and older[1]:
        pair = services.Couple(older[0][0].name, older[0][0].id_number, older[1][0].name, older[1][0].id_number)
        services.book(pair, kind="divorce", on=today, slot="14:00-15:00", office=office, actor=registrar)
    adopter = _adults("F", 35, 45, 1, {w.pk for w in women})
    if adopter:
        data = services_adoption.AdoptionData(
            child_name="福利院儿童", child_id_number="330212202201150020", adopter_name=adopter[0].name,
            adopter_id_number=adopter[0].id_number, registered_on=today - dt.timedelta(days=12),
            origin="鄞州区社会福利院", children_before=0,
        )  # fmt: skip
        services_adoption.adoption_register(data, office=office, actor=registrar)
