"""The household facts the relief policies read (rules.inputs_db.register_household_facts).

A household's facts are those of its newest relief claim still in progress, of each kind (else its
newest claim of that kind): the case being decided is the one screened. Only the few claims of the
households asked about are read; a county batch reads the (small) claims table once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.disaster.models import HouseDamage, Kind, ReliefClaim
from minzheng.rules.inputs_db import register_household_facts

COLUMNS = (
    "disaster_house_damage",
    "disaster_no_livelihood",
    "disaster_transition_persons",
    "disaster_winter_hardship",
    "disaster_winter_persons",
)
DAMAGE_WORDS = {HouseDamage.COLLAPSED: "倒塌", HouseDamage.SEVERE: "严重损坏", HouseDamage.GENERAL: "一般损坏"}
FINAL = ("confirmed", "rejected", "withdrawn")
CHUNK = 5000


def _claims(household_pks: list[int], as_of: dt.date) -> list[ReliefClaim]:
    wanted = set(household_pks)
    base = ReliefClaim.objects.filter(created_at__date__lte=as_of).select_related("case")
    if len(wanted) <= CHUNK:
        return list(base.filter(household_id__in=wanted))
    return [c for c in base.iterator() if c.household_id in wanted]


def _rank(claim: ReliefClaim) -> tuple[bool, Any, int]:
    return (claim.case.status not in FINAL, claim.created_at, claim.pk)


def relief_facts(household_pks: list[int], as_of: dt.date) -> dict[int, dict[str, Any]]:
    best: dict[tuple[int, str], ReliefClaim] = {}
    for claim in _claims(household_pks, as_of):
        key = (claim.household_id, claim.kind)
        if key not in best or _rank(claim) > _rank(best[key]):
            best[key] = claim
    out: dict[int, dict[str, Any]] = {}
    for (pk, kind), c in best.items():
        values = out.setdefault(pk, {})
        if kind == Kind.TRANSITION:
            values.update(
                disaster_house_damage=DAMAGE_WORDS.get(HouseDamage(c.house_damage), ""),
                disaster_no_livelihood=c.no_livelihood,
                disaster_transition_persons=c.transition_persons,
            )
        else:
            values.update(disaster_winter_hardship=c.winter_hardship, disaster_winter_persons=c.winter_persons)
    return out


register_household_facts("disaster", COLUMNS, relief_facts)
