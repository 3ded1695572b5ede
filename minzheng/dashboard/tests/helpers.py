"""Small residents for the dashboard tests: households with members of given birth dates, anywhere."""

from __future__ import annotations

import datetime as dt
import itertools

from minzheng.core.idnumber import check_digit
from minzheng.registry.models import Household, Person
from minzheng.registry.services import household_create, person_create

_seq = itertools.count(1)


def id_number(birth: dt.date, male: bool = True) -> str:
    n = next(_seq)
    order = f"{(n * 2 + (1 if male else 0)) % 1000:03d}"
    first17 = f"330212{birth:%Y%m%d}{order}"
    return first17 + check_digit(first17)


def household_with(division: str, births: list[dt.date], tags: str = "") -> tuple[Household, list[Person]]:
    """One 户 in `division`: the first birth date is the 户主, the others 子女; `tags` on the 户主."""
    n = next(_seq)
    household = household_create(actor=None, household_no=f"DB-{n:05d}", division_code=division, grid="一网格")
    people = []
    for i, birth in enumerate(births):
        people.append(
            person_create(
                actor=None, household=household, name=f"居民{n}{i}", id_number=id_number(birth),
                relation="户主" if i == 0 else "子", tags=tags if i == 0 else "",
            )
        )  # fmt: skip
    return household, people
