"""Children tests: the shipped parameters in the database and a family of three in 合一村."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import pytest

from minzheng.children import services
from minzheng.children.models import ChildFile
from minzheng.core.idnumber import check_digit
from minzheng.registry.models import Household, Person
from minzheng.registry.services import household_create, person_create
from minzheng.testing import make_household

_SEQ = count(100)


@pytest.fixture
def params(db: None) -> None:
    from minzheng.rules import services as rules_services

    path = Path(rules_services.__file__).parent / "data" / "params_default.yaml"
    rules_services.params_import(actor=None, path=path)


@dataclass
class Family:
    household: Household
    father: Person
    mother: Person
    son: Person


@pytest.fixture
def family(cast: object, params: None) -> Family:
    """张建国 (父), 李秀英 (母, 肢体二级), 张小明 (子, born 2015-09-10, 留守儿童 tag)."""
    household, (father, mother, son) = make_household()
    return Family(household, father, mother, son)


def id_for(birth: dt.date, division: str = "330212") -> str:
    first17 = f"{division}{birth:%Y%m%d}{next(_SEQ) % 1000:03d}"
    return first17 + check_digit(first17)


def child_born(household: Household, birth: dt.date, name: str = "王小芳") -> Person:
    return person_create(actor=None, household=household, name=name, id_number=id_for(birth), relation="孙子女")


def household_in(division: str, household_no: str) -> Household:
    return household_create(
        actor=None, household_no=household_no, division_code=division, grid="", building="", unit="", room=""
    )


def open_file(person: Person) -> ChildFile:
    return services.child_file_open(person=person, actor=None)
