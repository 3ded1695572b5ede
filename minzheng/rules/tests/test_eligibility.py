"""Eligibility on registry households with the database's parameters: one household, the CLI JSON, the batch."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from django.conf import settings
from typer.testing import CliRunner

from minzheng.audit.models import AuditEvent
from minzheng.cli import app
from minzheng.core.idnumber import check_digit
from minzheng.registry.models import Household
from minzheng.registry.services import household_create, person_create
from minzheng.rules import batch
from minzheng.rules.eligibility import household_result
from minzheng.rules.models import EligibilityRun, EligibilitySummary, WorklistItem
from minzheng.rules.services import eligibility_batch_start, params_import
from minzheng.testing import TOWN_B, VILLAGE_A, Cast

AS_OF = dt.date(2026, 7, 1)
DEFAULTS = Path(__file__).resolve().parents[1] / "data" / "params_default.yaml"


def number(birth: str, serial: int) -> str:
    first17 = f"330212{birth}{serial:03d}"
    return first17 + check_digit(first17)


def family(no: str, division: str, members: list[tuple[str, str, str, str]]) -> Household:
    """members: (name, birth YYYYMMDD, relation, tags)."""
    household = household_create(actor=None, household_no=no, division_code=division)
    for i, (name, birth, relation, tags) in enumerate(members):
        serial = int(no[-3:]) * 10 + i
        person_create(
            actor=None, household=household, name=name, id_number=number(birth, serial), relation=relation, tags=tags
        )
    return household


@pytest.fixture
def world(cast: Cast) -> dict[str, Household]:
    """Town A: a poor family, a 低保 family with a car (不应享而享), an orphan; town B: a poor family."""
    params_import(actor=None, path=DEFAULTS)
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
    other = family("HQ-003", TOWN_B + "200", [("钱多", "19600101", "户主", "")])
    return {"poor": poor, "car": car, "other": other}


def test_household_result_dibao_gap(world: dict[str, Household]) -> None:
    result = household_result(world["poor"], AS_OF)
    dibao = next(p for p in result["policies"] if p["policy_id"] == "dibao")
    # No income delivered: (1181.00 − 0) × 3 members = 3543.00 元 (鄞州区 2022 standard).
    assert (dibao["eligible"], dibao["amount_fen"], dibao["enrolled"]) == (True, 354300, False)
    assert result["household"] == "HQ-001" and result["as_of"] == "2026-07-01"


def ingest(feed_id: str, tmp_path: Path, header: str, rows: list[str]) -> None:
    from minzheng.rules.inputs_db import feed_store_root
    from minzheng.verification.engine.ingest import ingest_file
    from minzheng.verification.engine.store import FeedStore

    path = tmp_path / f"{feed_id}.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    ingest_file(feed_id, path, AS_OF, FeedStore(feed_store_root()), today=AS_OF)


@pytest.fixture
def with_car(world: dict[str, Household], tmp_path: Path) -> dict[str, Household]:
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


def test_batch_writes_parquet_summary_and_worklists(with_car: dict[str, Household], cast: Cast) -> None:
    run = run_batch()
    assert (run.status, run.households, run.engine) == ("done", 3, "polars")
    files = sorted(p.relative_to(batch.run_dir(run)).as_posix() for p in batch.run_dir(run).rglob("*.parquet"))
    assert files == ["county=330212/decisions.parquet"]
    assert Path(run.output_dir).is_relative_to(Path(settings.DATA_DIR) / "rules")
    table = pl.read_parquet(batch.run_dir(run) / "county=330212" / "decisions.parquet")
    dibao = table.filter(pl.col("policy_id") == "dibao").sort("household_no")
    assert dibao.select("household_no", "eligible", "amount_fen", "enrolled").rows() == [
        ("HQ-001", True, 354300, False),
        ("HQ-002", False, 0, True),
        ("HQ-003", True, 118100, False),
    ]
    assert dibao.filter(pl.col("household_no") == "HQ-002")["failed_conditions"].to_list() == [["vehicle"]]
    summary = EligibilitySummary.objects.get(run=run, policy_id="dibao")
    assert (summary.eligible, summary.enrolled, summary.missing, summary.undue) == (2, 1, 2, 1)
    assert summary.amount_fen == 354300 + 118100
    items = {(i.household.household_no, i.kind) for i in WorklistItem.objects.filter(run=run, policy_id="dibao")}
    assert items == {("HQ-001", "missing"), ("HQ-002", "undue"), ("HQ-003", "missing")}
    undue = WorklistItem.objects.get(run=run, kind="undue")
    assert "无机动车辆" in undue.reason


def test_worklist_scoped_by_jurisdiction(with_car: dict[str, Household], cast: Cast) -> None:
    from minzheng.rules.selectors import latest_run, worklist_items

    run_batch()

    def seen(user: object) -> set[str]:
        run = latest_run(user=user)
        return {i.household.household_no for i in worklist_items(user=user, run=run)}

    assert seen(cast.town_officer) == {"HQ-001", "HQ-002"}
    assert seen(cast.other_town_officer) == {"HQ-003"}
    assert seen(cast.county_approver) == {"HQ-001", "HQ-002", "HQ-003"}


def test_batch_resumes_and_rerun_changes_nothing(with_car: dict[str, Household]) -> None:
    from minzheng.jobs.services import job_run_now

    run, job = eligibility_batch_start(actor=None, as_of=AS_OF, region_code="330212", engine="polars")
    # A previous attempt finished the county and was killed before the job ended: nothing is redone.
    decisions = batch.county_decisions(run, "330212")
    batch.write_county(run, "330212", decisions)
    done = batch.store_county(run, "330212", decisions)
    job.checkpoint = {"counties": {"330212": done}}
    job.save(update_fields=["checkpoint"])
    before = set(WorklistItem.objects.filter(run=run).values_list("pk", flat=True))
    job_run_now(job)
    assert set(WorklistItem.objects.filter(run=run).values_list("pk", flat=True)) == before
    # Storing a county again replaces its rows with the same content.
    batch.store_county(run, "330212", decisions)
    assert WorklistItem.objects.filter(run=run).count() == len(before)
    assert EligibilitySummary.objects.filter(run=run, county_code="330212").count() == len(
        summarise_policies(decisions)
    )


def summarise_policies(decisions: pl.DataFrame) -> list[str]:
    return sorted(set(decisions["policy_id"].to_list()))


def test_cli_household_json(with_car: dict[str, Household]) -> None:
    from minzheng import cli_extra  # noqa: F401

    out = CliRunner().invoke(app, ["eligibility", "household", "HQ-002", "--as-of", "2026-07-01", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert {"household", "as_of", "policies"} <= set(data)
    dibao = next(p for p in data["policies"] if p["policy_id"] == "dibao")
    assert {"policy_id", "name", "eligible", "amount_fen", "excluded_by", "explanation"} <= set(dibao)
    assert (dibao["name"], dibao["eligible"], dibao["amount_fen"]) == ("最低生活保障", False, 0)
    assert AuditEvent.objects.filter(object_type="eligibility", object_id="HQ-002").exists()
    out = CliRunner().invoke(app, ["eligibility", "household", "NOPE", "--as-of", "2026-07-01"])
    assert out.exit_code == 1 and "户编号 NOPE 不存在" in out.stderr


def test_cli_batch_json(with_car: dict[str, Household]) -> None:
    from minzheng import cli_extra  # noqa: F401

    out = CliRunner().invoke(app, ["eligibility", "batch", "--as-of", "2026-07-01", "--region", "330212100", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert (data["households"], data["missing"], data["undue"]) == (2, 1, 1)
    assert Path(data["output_dir"], "county=330212", "decisions.parquet").is_file()
