"""Small builders for the sources tests (sources, tags, allowances, standards, re-checks)."""

from __future__ import annotations

import datetime as dt
from itertools import count

from minzheng.core.idnumber import check_digit
from minzheng.registry.models import Household, Person
from minzheng.registry.services import household_create, person_create
from minzheng.testing import VILLAGE_A

_serial = count(101)


def id_number(birth: dt.date, division: str = VILLAGE_A) -> str:
    first17 = f"{division[:6]}{birth:%Y%m%d}{next(_serial) % 1000:03d}"
    return first17 + check_digit(first17)


def family(
    no: str, members: list[tuple[str, dt.date, str]], division: str = VILLAGE_A
) -> tuple[Household, list[Person]]:
    """A household of (name, birth date, relation) rows; the first is 户主."""
    household = household_create(actor=None, household_no=no, division_code=division)
    people = [
        person_create(actor=None, household=household, name=name, id_number=id_number(birth), relation=relation)
        for name, birth, relation in members
    ]
    return household, people
