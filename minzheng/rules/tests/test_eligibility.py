"""Eligibility on registry households with the database's parameters: one household, the CLI JSON, the batch."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
from django.conf import settings
from typer.testing import CliRunner

from minzheng.audit.models import AuditEvent
from minzheng.cli import app
from minzheng.registry.models import Household
from minzheng.rules import batch
from minzheng.rules.eligibility import catalogue as eligibility_catalogue
from minzheng.rules.eligibility import household_result
from minzheng.rules.models import EligibilityRun, EligibilitySummary, WorklistItem
from minzheng.rules.services import eligibility_batch_start
from minzheng.rules.tests.helpers_r2 import AS_OF, run_batch, with_car_fixture, world_fixture  # noqa: F401
from minzheng.testing import Cast


def test_household_result_dibao_gap(world: dict[str, Household]) -> None:
    result = household_result(world["poor"], AS_OF)
    dibao = next(p for p in result["policies"] if p["policy_id"] == "dibao")
    # No income delivered: (1181.00 − 0) × 3 members = 3543.00 元 (鄞州区 2022 standard).
    assert (dibao["eligible"], dibao["amount_fen"], dibao["enrolled"]) == (True, 354300, False)
    assert result["household"] == "HQ-001" and result["as_of"] == "2026-07-01"


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
    from minzheng.rules.selectors import worklist_items

    run_batch()

    def seen(user: object) -> set[str]:
        return {i.data["household_no"] for i in worklist_items(user=user)}

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
        eligibility_catalogue().policies
    )


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
    assert data["households"] == 2 and data["missing"] >= 1 and data["undue"] >= 1
    dibao = WorklistItem.objects.filter(run_id=data["run"], policy_id="dibao")
    assert sorted(dibao.values_list("household__household_no", "kind")) == [("HQ-001", "missing"), ("HQ-002", "undue")]
    assert data["missing"] + data["undue"] == WorklistItem.objects.filter(run_id=data["run"]).count()
    assert Path(data["output_dir"], "county=330212", "decisions.parquet").is_file()


def test_spark_batch_equals_polars(with_car: dict[str, Household]) -> None:
    polars_run, spark_run = run_batch(engine="polars"), run_batch(engine="spark")
    keys = ["household_no", "policy_id", "person_id"]

    def table(run: EligibilityRun) -> pl.DataFrame:
        return pl.read_parquet(batch.run_dir(run) / "county=330212" / "decisions.parquet").sort(keys, nulls_last=True)

    assert table(spark_run).equals(table(polars_run))
    assert table(polars_run).height > 0


def test_explanations_name_values_parameter_region_and_date(with_car: dict[str, Household]) -> None:
    result = household_result(with_car["car"], AS_OF)
    dibao = next(p for p in result["policies"] if p["policy_id"] == "dibao")
    lines = {e["condition"]: e for e in dibao["explanation"]}
    assert lines["income"]["passed"] is True
    assert lines["income"]["text"] == "家庭月人均收入 0.00 元，低于当地低保标准 1181.00 元（鄞州区，2022-07-01 起）"
    assert lines["vehicle"]["passed"] is False and "80000.00 元" in lines["vehicle"]["text"]
    assert all(e["text"] for e in dibao["explanation"])


def test_summary_covers_every_policy_with_its_population(with_car: dict[str, Household]) -> None:
    run = run_batch()
    rows = {s.policy_id: s for s in EligibilitySummary.objects.filter(run=run)}
    assert set(rows) == set(eligibility_catalogue().policies)
    assert rows["dibao"].decided == 3 and rows["tekun"].decided == 6  # 3 households; 6 persons


def test_household_without_members_has_no_decisions(world: dict[str, Household]) -> None:
    from minzheng.registry.services import household_create

    empty = household_create(actor=None, household_no="HQ-EMPTY", division_code="330212100201")
    assert household_result(empty, AS_OF)["policies"] == []


def test_cli_batch_resumes_an_interrupted_run(with_car: dict[str, Household]) -> None:
    from minzheng import cli_extra  # noqa: F401
    from minzheng.jobs.models import Job

    run, job = eligibility_batch_start(actor=None, as_of=AS_OF, region_code="330212", engine="polars")
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error="已中断")  # Ctrl-C in an earlier CLI
    out = CliRunner().invoke(app, ["eligibility", "batch", "--as-of", "2026-07-01", "--region", "330212", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["run"] == run.pk
    assert EligibilityRun.objects.count() == 1 and Job.objects.get(pk=job.pk).status == Job.Status.DONE
