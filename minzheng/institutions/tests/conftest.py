"""Institutions tests: parameters in the database, the cast's institution (INSTITUTION_CODE) in 瞻岐镇
合一村, a second institution in 咸祥镇, and elderly persons of the registry."""

from __future__ import annotations

import datetime as dt
from itertools import count
from pathlib import Path

import pytest

from minzheng.accounts.units import INSTITUTION_CODE
from minzheng.core.idnumber import check_digit
from minzheng.institutions import services
from minzheng.institutions.models import Institution
from minzheng.registry.models import Person
from minzheng.registry.services import household_create, person_create
from minzheng.testing import VILLAGE_A

_SEQ = count(300)
VILLAGE_B = "330212101200"  # 咸祥镇 (other_town_officer's town)


@pytest.fixture
def params(db: None) -> None:
    from minzheng.rules import services as rules_services

    root = Path(rules_services.__file__).parents[1]
    for path in (root / "rules" / "data" / "params_default.yaml", root / "institutions" / "data" / "params.yaml"):
        rules_services.params_import(actor=None, path=path)


def elder(
    name: str = "陈阿婆", village: str = VILLAGE_A, born: dt.date = dt.date(1940, 5, 1), tags: str = ""
) -> Person:
    n = next(_SEQ)
    first17 = f"330212{born:%Y%m%d}{n % 1000:03d}"
    household = household_create(
        actor=None, household_no=f"YL-{n}", division_code=village, grid="", building="", unit="", room=""
    )
    return person_create(
        actor=None, household=household, name=name, id_number=first17 + check_digit(first17), relation="户主", tags=tags
    )


def make_institution(code: str = INSTITUTION_CODE, village: str = VILLAGE_A, **beds: int) -> Institution:
    data = services.InstitutionData(
        code=code, name="瞻岐镇颐养院" if code == INSTITUTION_CODE else "咸祥镇敬老院", kind="ppp",
        operator="宁波康乐养老服务有限公司", division_code=village, filing_no=f"BA-{code}",
        lat=29.7801, lng=121.7402, beds=beds or {"0": 2, "1": 2, "2": 2, "3": 2, "4": 2},
    )  # fmt: skip
    return services.institution_save(data, actor=None)


@pytest.fixture
def inst(cast: object, params: None) -> Institution:
    return make_institution()


@pytest.fixture
def other_inst(cast: object, params: None) -> Institution:
    return make_institution("YL330212101", VILLAGE_B)
