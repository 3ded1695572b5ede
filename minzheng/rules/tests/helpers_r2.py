"""Households, feeds and batch runs shared by the rules app's Django-side tests (r2)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from minzheng.core.idnumber import check_digit
from minzheng.registry.models import Household
from minzheng.registry.services import household_create, person_create
from minzheng.rules.engine import DEFAULT_PARAMS
from minzheng.rules.models import EligibilityRun
from minzheng.rules.services import (
    eligibility_batch_start,
    param_change_approve,
    param_change_propose,
    params_import,
)
from minzheng.testing import TOWN_B, VILLAGE_A, Cast

AS_OF = dt.date(2026, 7, 1)


def number(birth: str, serial: int) -> str:
    first17 = f"330212{birth}{serial:03d}"
    return first17 + check_digit(first17)


def family(no: str, division: str, members: list[tuple[str, str, str, str]]) -> Household:
    """members: (name, birth YYYYMMDD, relation, tags)."""
    household = household_create(actor=None, household_no=no, division_code=division)
    for i, (name, birth, relation, tags) in enumerate(members):
        serial = (int(no[-3:]) * 10 + i) % 1000
        person_create(
            actor=None, household=household, name=name, id_number=number(birth, serial), relation=relation, tags=tags
        )
    return household


@pytest.fixture(name="world")
def world_fixture(cast: Cast) -> dict[str, Household]:
    """Town A: a poor family and a 低保 family (with a car once `with_car` delivers it); town B: one elder."""
    for path in DEFAULT_PARAMS:
        params_import(actor=None, path=path)
    poor = family(
        "HQ-001",
        VILLAGE_A,
        [
            ("张建国", "19780315", "户主", ""),
            ("李秀英", "19800422", "配偶", "残疾:肢体二级"),
            ("张小明", "20150910", "子", "留守儿童"),
        ],
    )
    car = family("HQ-002", VILLAGE_A, [("王富", "19700101", "户主", "低保对象"), ("赵丽", "19720202", "配偶", "")])
    # 56 years old: under 60, so 特困 (which would need 无法定义务人, recorded nowhere) cannot take
    # 低保's place and 低保 is decided on the data alone (issue 9: an elder alone would be 待核对).
    other = family("HQ-003", TOWN_B + "200", [("钱多", "19700101", "户主", "")])
    # 低保 is enrolled by an entitlement (payments); the old roll's tag becomes one, as on migration.
    from minzheng.payments.tags import tags_to_entitlements

    tags_to_entitlements()
    return {"poor": poor, "car": car, "other": other}


def ingest(feed_id: str, tmp_path: Path, header: str, rows: list[str]) -> None:
    from minzheng.rules.inputs_db import feed_store_root
    from minzheng.verification.engine.ingest import ingest_file
    from minzheng.verification.engine.store import FeedStore

    path = tmp_path / f"{feed_id}.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    ingest_file(feed_id, path, AS_OF, FeedStore(feed_store_root()), today=AS_OF)


@pytest.fixture(name="with_car")
def with_car_fixture(world: dict[str, Household], tmp_path: Path) -> dict[str, Household]:
    owner = world["car"].members.get(name="王富")
    ingest(
        "vehicle",
        tmp_path,
        "公民身份号码,姓名,号牌号码,车辆类型,初次登记日期,车辆价值",
        [f"{owner.id_number},王富,浙B12345,小型轿车,2020-05-01,80000"],
    )
    return world


def run_batch(region: str = "330212", engine: str = "polars") -> EligibilityRun:
    from minzheng.jobs.services import job_run_now

    run, job = eligibility_batch_start(actor=None, as_of=AS_OF, region_code=region, engine=engine)
    finished = job_run_now(job)
    assert finished is not None and finished.status == "done", finished and finished.error
    run.refresh_from_db()
    return run


def new_dibao_standard(cast: Cast, value: str = "1300") -> Callable[[], object]:
    """A proposed change of the county's 低保 standard from January of AS_OF's year, and its approval to call."""
    data = {
        "key": "dibao.standard",
        "region_code": "330212",
        "effective_from": AS_OF.replace(month=1),
        "value": value,
        "reference": "甬民发〔2026〕1号",
        "reason": "年度调整",
    }
    change = param_change_propose(actor=cast.county_approver, data=data)
    return lambda: param_change_approve(actor=cast.sysadmin, change=change, note="同意")
