"""The engine's inputs from the registry and the verification feeds (the seam to issue 3)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from minzheng.registry.models import Person
from minzheng.registry.services import person_update
from minzheng.rules.inputs_db import engine_inputs, feed_store_root
from minzheng.testing import make_household

AS_OF = dt.date(2026, 7, 1)


def ingest(feed_id: str, tmp_path: Path, header: str, rows: list[str]) -> None:
    from minzheng.verification.engine.ingest import ingest_file
    from minzheng.verification.engine.store import FeedStore

    path = tmp_path / f"{feed_id}.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    ingest_file(feed_id, path, AS_OF, FeedStore(feed_store_root()), today=AS_OF)


@pytest.fixture
def family(county: None) -> list[Person]:
    _, people = make_household()
    person_update(actor=None, person=people[0], changes={"tags_text": "低保对象"})
    from minzheng.payments.tags import tags_to_entitlements

    tags_to_entitlements()  # enrolment is the household's entitlement (an old tag becomes one)
    return people


def test_registry_columns_and_enrolment(family: list[Person]) -> None:
    inputs = engine_inputs(Person.objects.all(), AS_OF)
    p = {r["name"]: r for r in inputs.persons.iter_rows(named=True)}
    assert (p["李秀英"]["disability_category"], p["李秀英"]["disability_grade"]) == ("肢体", 2)
    assert p["张小明"]["is_left_behind_child"] and not p["张建国"]["is_left_behind_child"]
    assert p["张建国"]["enrolled"] == ["dibao"] and p["李秀英"]["enrolled"] == ["dibao"]  # a household programme
    assert p["张建国"]["relation"] == "02" and p["张建国"]["region_code"] == "330212100201"
    [household] = inputs.households.iter_rows(named=True)
    assert household["enrolled"] == ["dibao"] and household["region_code"] == "330212100201"
    assert inputs.verified == set()  # no feed delivered yet: nothing verified


def test_verification_income_and_assets(family: list[Person], tmp_path: Path) -> None:
    ingest(
        "pension",
        tmp_path,
        "公民身份号码,姓名,险种,月发放金额,发放年月",
        [
            f"330212197803154412,张建国,城乡居民养老保险,{amount},2026-0{m}"
            for m, amount in ((4, 200), (5, 200), (6, 260))
        ],
    )
    ingest(
        "deposit",
        tmp_path,
        "身份号码,姓名,机构名称,余额,查询日期",
        ["330212198004226023,李秀英,鄞州银行,12345.67,2026-06-30"],
    )
    inputs = engine_inputs(Person.objects.all(), AS_OF)
    p = {r["name"]: r for r in inputs.persons.iter_rows(named=True)}
    assert p["张建国"]["income_pension_fen"] == 22000  # (200 + 200 + 260) / 3 months with data
    assert p["李秀英"]["deposits_fen"] == 1234567
    # Issue 9 item 6 (was 0): no income feed mentions 张小明, so his income is unknown, not zero;
    # a received asset feed that does not list him is a known "none".
    assert p["张小明"]["income_pension_fen"] is None
    assert p["张小明"]["deposits_fen"] == 0
    assert p["张建国"]["income_wage_fen"] == 0  # found in one income feed: the others' absence is a zero
    assert inputs.verified == {str(family[0].household_id)}


def test_point_lookups_and_county_scan_agree(
    family: list[Person], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from minzheng.rules import inputs_db

    ingest(
        "pension",
        tmp_path,
        "公民身份号码,姓名,险种,月发放金额,发放年月",
        ["330212197803154412,张建国,城乡居民养老保险,300,2026-06"],
    )
    ingest(
        "vehicle",
        tmp_path,
        "公民身份号码,姓名,号牌号码,车辆类型,初次登记日期,车辆价值",
        ["330212198004226023,李秀英,浙B1,小型轿车,2020-01-01,5000"],
    )
    lookups = engine_inputs(Person.objects.order_by("pk"), AS_OF).persons
    monkeypatch.setattr(inputs_db, "POINT_LOOKUP_MEMBERS", 0)  # the path a county of many households takes
    scanned = engine_inputs(Person.objects.order_by("pk"), AS_OF).persons
    assert scanned.equals(lookups)
    assert lookups["income_pension_fen"].to_list()[0] == 30000 and lookups["vehicle_value_fen"].to_list()[1] == 500000


def test_stored_verification_batch_gives_the_same_inputs(family: list[Person], tmp_path: Path) -> None:
    from minzheng.jobs.services import job_run_now
    from minzheng.verification.models import BatchRun
    from minzheng.verification.services import batch_run_start

    ingest(
        "pension",
        tmp_path,
        "公民身份号码,姓名,险种,月发放金额,发放年月",
        ["330212197803154412,张建国,城乡居民养老保险,300,2026-06"],
    )
    live = engine_inputs(Person.objects.order_by("pk"), AS_OF).persons
    run = batch_run_start(actor=None, as_of=AS_OF, scope=BatchRun.Scope.ALL, jurisdiction="330212")
    job_run_now(run.job)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.DONE
    from minzheng.rules.inputs_db import _stored_batch_persons, members_table, registry_persons

    members = members_table(registry_persons(Person.objects.order_by("pk")))
    assert _stored_batch_persons(members, AS_OF) is not None  # the stored path is the one taken now
    stored = engine_inputs(Person.objects.order_by("pk"), AS_OF).persons
    assert stored.select(live.columns).equals(live)
