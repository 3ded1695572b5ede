"""Funeral fixtures: the county's standards set through the reviewed path, a funeral home, a cemetery."""

from __future__ import annotations

import datetime as dt

import pytest

from minzheng.funeral import localparams, services
from minzheng.funeral.models import Cemetery, FuneralHome
from minzheng.registry.models import Person
from minzheng.testing import COUNTY, Cast, make_household

LOCAL = {"funeral.basic.amount": 1800, "eco_burial.lawn": 15000, "eco_burial.sea": 20000}


@pytest.fixture(autouse=True)
def shipped(db: None) -> None:
    """The shipped parameter files (national values: 0 = not set locally, claim periods)."""
    from minzheng.rules.services import params_load_shipped

    params_load_shipped(actor=None)


@pytest.fixture
def standards(cast: Cast) -> None:
    localparams.set_local(
        region=COUNTY, values=LOCAL, effective_from=dt.date(2020, 1, 1),
        reference="测试：参照金华武义县标准（seed 002）", maker=cast.county_approver, checker=cast.sysadmin,
    )  # fmt: skip


@pytest.fixture
def family(cast: Cast) -> list[Person]:
    return make_household()[1]  # 张建国 (户主), 李秀英 (配偶), 张小明


@pytest.fixture
def home(cast: Cast) -> FuneralHome:
    return services.home_create(code="BYG001", name="鄞州区殡仪馆", division_code=COUNTY, actor=cast.funeral_officer)


@pytest.fixture
def cemetery(cast: Cast) -> Cemetery:
    c = services.cemetery_create(
        name="瞻岐镇公益性公墓", kind="welfare", division_code="330212100000", actor=cast.funeral_officer
    )
    services.plots_add(c, prefix="C1", count=3, kind="草坪葬", actor=cast.funeral_officer)
    return c
