"""The household facts the relief policies read (rules.inputs_db.register_household_facts).

A household's facts are those of its newest relief claim still in progress, of each kind (else its
newest claim of that kind): the case being decided is the one screened. Only the few claims of the
households asked about are read; a county batch reads the (small) claims table once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from minzheng.disaster.models import HouseDamage, Kind
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


@dataclass(frozen=True, slots=True)
class _Claim:
    household_id: int
    kind: str
    house_damage: str
    no_livelihood: bool
    transition_persons: int
    winter_hardship: bool
    winter_persons: int
    created_at: Any  # a datetime on PostgreSQL, its ISO text on SQLite: only compared with its own kind
    pk: int
    status: str


# Raw SQL: this runs on every household page's eligibility panel, and composing the ORM query cost
# more than the database's answer (docs/notes/s19_rules.md §2). `created_at < the next local midnight`
# is `created_at__date <= as_of` without a per-row time-zone conversion.
CLAIMS_SQL = (
    "SELECT c.household_id, c.kind, c.house_damage, c.no_livelihood, c.transition_persons, c.winter_hardship,"
    " c.winter_persons, c.created_at, c.id, k.status FROM disaster_reliefclaim c"
    " JOIN cases_case k ON k.id = c.case_id WHERE c.created_at < %s"
)


def _claims(household_pks: list[int], as_of: dt.date) -> list[_Claim]:
    wanted = set(household_pks)
    before = timezone.make_aware(dt.datetime.combine(as_of + dt.timedelta(days=1), dt.time()))
    sql, params = CLAIMS_SQL, [before]
    if len(wanted) <= CHUNK:
        sql += f" AND c.household_id IN ({', '.join(['%s'] * len(wanted))})" if wanted else " AND 1 = 0"
        params += sorted(wanted)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        _Claim(h, k, d or "", bool(n), t, bool(w), wp, at, pk, st)
        for h, k, d, n, t, w, wp, at, pk, st in rows
        if h in wanted
    ]


def _rank(claim: _Claim) -> tuple[bool, Any, int]:
    return (claim.status not in FINAL, claim.created_at, claim.pk)


def relief_facts(household_pks: list[int], as_of: dt.date) -> dict[int, dict[str, Any]]:
    best: dict[tuple[int, str], _Claim] = {}
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
