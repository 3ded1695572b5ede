"""Builders shared by this app's tests and demo: the parameters, a canteen, elders of several ages."""

from __future__ import annotations

from pathlib import Path

from minzheng.eldercare.testing import id_number
from minzheng.registry.models import Person
from minzheng.registry.services import household_create, person_create
from minzheng.testing import VILLAGE_A

PARAMS = Path(__file__).with_name("data") / "params.yaml"


def load_params() -> None:
    from minzheng.rules.services import params_import

    params_import(actor=None, path=PARAMS)


def make_person(name: str, birth: str, serial: str, tags: str = "", division: str = VILLAGE_A) -> Person:
    household = household_create(actor=None, household_no=f"ZC-{birth}-{serial}", division_code=division)
    return person_create(
        actor=None, household=household, name=name, id_number=id_number(birth, serial), relation="户主", tags=tags
    )
