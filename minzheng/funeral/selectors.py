"""Reads for the funeral pages and for other apps: scoped through access.py, masked in lists.

`burial_of(person)` and `cremation_of(person)` are the functions the life-event part (L1) reads for the
零证明 of the funeral items; `funeral_facts(ids)` fills the rules engine's 死亡日期, 火化日期, 安葬方式.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q

from minzheng.core.jurisdiction import prefix_q
from minzheng.core.masking import mask_id_number, mask_name, mask_phone
from minzheng.funeral import access
from minzheng.funeral.models import Assistant, Award, Burial, Cemetery, Cremation, Plot
from minzheng.registry.models import Person

CHUNK = 5000  # below SQLite's bound-parameter limit


def burial_of(person: Person) -> Burial | None:
    return Burial.objects.filter(person=person).select_related("cemetery", "plot").first()


def cremation_of(person: Person) -> Cremation | None:
    return Cremation.objects.filter(person=person).select_related("home").first()


def funeral_facts(person_ids: Iterable[str]) -> dict[str, tuple[dt.date | None, dt.date | None, str | None]]:
    """person id (text) → (死亡日期, 火化日期, 安葬方式) for those with a cremation or a burial recorded."""
    ids = [int(p) for p in person_ids]
    out: dict[str, tuple[dt.date | None, dt.date | None, str | None]] = {}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        for pid, died, burnt in Cremation.objects.filter(person_id__in=chunk).values_list(
            "person_id", "died_on", "cremated_on"
        ):
            out[str(pid)] = (died, burnt, None)
        for pid, kind in Burial.objects.filter(person_id__in=chunk).values_list("person_id", "burial_type"):
            known = out.get(str(pid), (None, None, None))
            out[str(pid)] = (known[0], known[1], kind)
    return out


def _person_row(person: Person) -> dict[str, str]:
    return {"name": mask_name(person.name), "id_number": mask_id_number(person.id_number)}


def cremation_rows(user: Any, q: str = "") -> list[dict[str, Any]]:
    qs = access.cremations_visible_to(user).select_related("person", "home", "burial")
    if q:
        qs = qs.filter(Q(person__name=q) | Q(person__id_number=q.upper()) | Q(certificate_no=q))
    return [
        {"c": c, **_person_row(c.person), "buried": hasattr(c, "burial")}
        for c in qs.order_by("-cremated_on", "-pk")[:300]
    ]


def burial_rows(user: Any, burial_type: str = "") -> list[dict[str, Any]]:
    qs = access.burials_visible_to(user).select_related("person", "cemetery", "plot")
    if burial_type:
        qs = qs.filter(burial_type=burial_type)
    burials = list(qs.order_by("-buried_on", "-pk")[:300])
    awards: dict[int, list[Award]] = {}
    for a in Award.objects.filter(person_id__in=[b.person_id for b in burials]).order_by("programme"):
        awards.setdefault(a.person_id, []).append(a)
    return [{"b": b, **_person_row(b.person), "awards": awards.get(b.person_id, [])} for b in burials]


def awards_of(person: Person) -> list[Award]:
    return list(Award.objects.filter(person=person).select_related("entitlement").order_by("programme"))


def cemetery_rows(user: Any) -> list[dict[str, Any]]:
    """Cemeteries of the jurisdiction with their plots counted by state."""
    qs = Cemetery.objects.filter(prefix_q("division_code", user.jurisdiction[:6])).order_by("division_code", "pk")
    counts: dict[int, Counter[str]] = {}
    rows = Plot.objects.filter(cemetery__in=qs).values_list("cemetery_id", "state").annotate(n=Count("id"))
    for cid, state, n in rows:
        counts.setdefault(cid, Counter())[state] = n
    return [
        {"c": c, "cells": [(label, counts.get(c.pk, Counter())[state]) for state, label in Plot.State.choices]}
        for c in qs
    ]


def assistant_rows(user: Any) -> list[dict[str, Any]]:
    qs = Assistant.objects.filter(prefix_q("division_code", user.jurisdiction), ended_on__isnull=True)
    from minzheng.divisions.models import Division

    assistants = list(qs.order_by("division_code"))
    names = dict(Division.objects.filter(code__in=[a.division_code for a in assistants]).values_list("code", "name"))
    return [
        {"a": a, "village": names.get(a.division_code, a.division_code), "phone": mask_phone(a.phone)}
        for a in assistants
    ]


def villages_without_assistant(user: Any) -> list[tuple[str, str]]:
    from minzheng.divisions.models import Division

    have = set(Assistant.objects.filter(ended_on__isnull=True).values_list("division_code", flat=True))
    villages = Division.objects.filter(prefix_q("code", user.jurisdiction), level=5).order_by("code")
    return [(d.code, d.name) for d in villages if d.code not in have][:200]
