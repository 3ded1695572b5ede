"""Batch re-check on a small generated county: finds the dead, stores nothing twice, resumes, engines agree."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import shutil

import pytest
from typer.testing import CliRunner

from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.demo.feeds import feed_path
from minzheng.registry.models import Person, PersonTag
from minzheng.verification import batchrun
from minzheng.verification.engine import batch as engine
from minzheng.verification.engine.diff import NEW_DEATH, NEW_VEHICLE, diff_runs
from minzheng.verification.engine.ingest import ingest_file
from minzheng.verification.engine.store import FeedStore
from minzheng.verification.models import BatchHouseholdResult, BatchRun, WorklistItem
from minzheng.verification.services import batch_run_start
from minzheng.verification.tests.batch_fixtures import AS_OF, CHUNK, LATER, County, county_files, registry

__all__ = ["county_files", "registry"]  # fixtures


def run_batch(as_of: dt.date = AS_OF, *, scope: str = BatchRun.Scope.BENEFICIARIES, save=None) -> BatchRun:  # type: ignore[no-untyped-def]
    run = batch_run_start(actor=None, as_of=as_of, scope=scope)
    batchrun.batch_execute(run, checkpoint={}, save=save or (lambda done, total, cp: None))
    run.refresh_from_db()
    return run


def dead_in_feeds(county: County) -> set[str]:
    """Identity numbers the death, cremation and 户籍 feeds name as dead (read from the delivered files)."""
    out = set()
    for feed, column in (("death", "公民身份号码"), ("cremation", "公民身份号码")):
        with feed_path(county.root / "feeds", feed, AS_OF).open(encoding="utf-8-sig", newline="") as fh:
            out |= {r[column] for r in csv.DictReader(fh)}
    with feed_path(county.root / "feeds", "hukou", AS_OF).open(encoding="gb18030", newline="") as fh:
        out |= {r["公民身份号码"] for r in csv.DictReader(fh) if r["户籍状态"] == "死亡注销"}
    return out


def test_batch_finds_the_deceased_beneficiaries(registry: County) -> None:
    run = run_batch()
    assert run.status == BatchRun.Status.DONE and run.partitions_done == run.partitions_total > 1
    beneficiaries = set(
        Person.objects.filter(tags__kind__in=batchrun.BENEFICIARY_TAGS).values_list("id_number", flat=True)
    )
    dead_beneficiaries = beneficiaries & dead_in_feeds(registry)
    assert dead_beneficiaries, "the demo feeds always kill a few 低保/特困 elders"
    found = set(WorklistItem.objects.filter(kind=NEW_DEATH).values_list("person__id_number", flat=True))
    assert dead_beneficiaries <= found
    item = WorklistItem.objects.filter(kind=NEW_DEATH, person__id_number__in=dead_beneficiaries).first()
    assert item is not None and "死亡日期" in item.detail and "数据时点 2026-11-01" in item.detail
    # Only households with a beneficiary tag were checked.
    tagged = set(
        PersonTag.objects.filter(kind__in=batchrun.BENEFICIARY_TAGS).values_list("person__household", flat=True)
    )
    assert set(BatchHouseholdResult.objects.values_list("household", flat=True)) == tagged
    assert (
        run.households == len(tagged) and run.counts[NEW_DEATH] == WorklistItem.objects.filter(kind=NEW_DEATH).count()
    )


def test_second_run_for_the_same_date_changes_nothing(registry: County) -> None:
    first = run_batch()
    results, items = BatchHouseholdResult.objects.count(), set(WorklistItem.objects.values_list("fingerprint", "kind"))
    second = run_batch()
    assert second.pk != first.pk and second.status == BatchRun.Status.DONE
    assert second.stored == 0 and sum(second.counts.values()) == 0
    assert BatchHouseholdResult.objects.count() == results
    assert set(WorklistItem.objects.values_list("fingerprint", "kind")) == items


def _later_delivery(county: County, dead: Person, driver: Person) -> None:
    """Deliveries for LATER: the death feed names one more person, the vehicle feed one more car."""
    store = FeedStore(county.feeds_dir / "store")
    out = county.root / "later"
    out.mkdir(exist_ok=True)
    death = feed_path(out, "death", LATER)
    shutil.copy(feed_path(county.root / "feeds", "death", AS_OF), death)
    with death.open("a", encoding="utf-8-sig", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerow([dead.id_number, dead.name, "2026-11-01"])
    vehicle = feed_path(out, "vehicle", LATER)
    shutil.copy(feed_path(county.root / "feeds", "vehicle", AS_OF), vehicle)
    with vehicle.open("a", encoding="gb18030", newline="") as fh:
        row = [driver.id_number, driver.name, "浙B9Z999", "小型轿车", "2026-10-30", "98000.00"]
        csv.writer(fh, lineterminator="\r\n").writerow(row)
    ingest_file("death", death, LATER, store)
    ingest_file("vehicle", vehicle, LATER, store)


def test_a_later_date_adds_exactly_the_new_facts(registry: County) -> None:
    run_batch()
    before = set(WorklistItem.objects.values_list("fingerprint", flat=True))
    alive = Person.objects.filter(tags__kind=PersonTag.Kind.DIBAO).exclude(
        id_number__in=WorklistItem.objects.filter(kind=NEW_DEATH).values("person__id_number")
    )
    dead, driver = alive.order_by("id_number")[0], alive.order_by("-id_number")[0]
    _later_delivery(registry, dead, driver)
    try:
        later = run_batch(LATER)
    finally:
        for feed in ("death", "vehicle"):
            shutil.rmtree(registry.feeds_dir / "store" / feed / LATER.isoformat())
    new = WorklistItem.objects.exclude(fingerprint__in=before)
    assert sorted((i.kind, i.person.id_number) for i in new) == sorted(
        [(NEW_DEATH, dead.id_number), (NEW_VEHICLE, driver.id_number)]
    )
    assert all(i.run_id == later.pk for i in new)
    assert "浙B9Z999" in new.get(kind=NEW_VEHICLE).detail
    assert later.counts == {NEW_DEATH: 1, NEW_VEHICLE: 1}


class Killed(Exception):
    pass


def test_killed_mid_run_resumes_to_the_same_result(registry: County) -> None:
    saved: dict = {}

    def save_then_die(done: int, total: int, cp: dict) -> None:
        # Killed while committing the second partition: it rolls back with its checkpoint,
        # so the job row holds the checkpoint of the first.
        if done == 2:
            raise Killed
        saved.clear()
        saved.update(json.loads(json.dumps(cp)))

    run = batch_run_start(actor=None, as_of=AS_OF)
    with pytest.raises(Killed):
        batchrun.batch_execute(run, checkpoint={}, save=save_then_die)
    assert len(saved["done"]) == 1 and BatchHouseholdResult.objects.filter(run=run).count() > 0
    partial = BatchHouseholdResult.objects.count()
    batchrun.batch_execute(run, checkpoint=saved, save=lambda done, total, cp: None)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.DONE and run.partitions_done == run.partitions_total
    assert BatchHouseholdResult.objects.count() > partial

    # The same as an uninterrupted run, computed by the engine alone.
    pop = batchrun.population(scope=BatchRun.Scope.BENEFICIARIES, jurisdiction="")
    spec = engine.spec_for(registry.feeds_dir / "store", AS_OF, digest_key=DIGEST_KEY)
    straight = engine.run_all(pop.members, spec, chunk_households=CHUNK).to_pylist()
    stored = {
        r.household.household_no: r.content_hash for r in BatchHouseholdResult.objects.select_related("household")
    }
    assert stored == {r["household_no"]: r["content_hash"] for r in straight}
    expected = {c.fingerprint for c in diff_runs([], straight, as_of=AS_OF)}
    assert set(WorklistItem.objects.values_list("fingerprint", flat=True)) == expected
    assert sum(run.counts.values()) == len(expected)


def test_the_job_handler_runs_the_batch_and_the_cli_prints_json(registry: County) -> None:
    from minzheng import cli_extra  # noqa: F401 - registers the domain commands
    from minzheng.cli import app

    result = CliRunner().invoke(app, ["verify", "batch", "--as-of", "2026-11-01", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output.strip().splitlines()[-1])
    run = BatchRun.objects.get(pk=summary["run"])
    assert run.status == BatchRun.Status.DONE and run.job.status == "done"
    assert summary["households"] == run.households and summary["persons"] == run.persons
    assert summary["worklist"]["new_death"] == WorklistItem.objects.filter(kind=NEW_DEATH).count() > 0
    again = json.loads(CliRunner().invoke(app, ["verify", "batch", "--as-of", "2026-11-01", "--json"]).output)
    assert again["stored"] == 0 and sum(again["worklist"].values()) == 0


@pytest.fixture(scope="session")
def spark():  # type: ignore[no-untyped-def]
    from minzheng.verification.engine.spark import spark_session, spark_stop

    session = spark_session()
    yield session
    spark_stop()


@pytest.mark.spark
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="engine-only: runs once, in the SQLite pass"
)
def test_duckdb_and_spark_give_identical_results(county_files: County, spark: object) -> None:
    from minzheng.verification.engine.spark import run_all_spark

    spec = engine.spec_for(county_files.feeds_dir / "store", AS_OF, digest_key=DIGEST_KEY)
    local = engine.run_all(county_files.members, spec, chunk_households=50)
    distributed = run_all_spark(county_files.members, spec, chunk_households=50)
    assert local.num_rows == len(set(county_files.members["household_no"].to_pylist())) > 300
    assert distributed.schema == local.schema
    assert distributed.equals(local)
    assert sum("deceased" in f for f in local["flags"].to_pylist()) > 0


def test_batch_rows_equal_the_one_household_path(county_files: County) -> None:
    """Batch and 一键核对 read the same snapshots and call the same evaluation: same facts, same hash."""
    import pyarrow.compute as pc

    from minzheng.verification.engine.household import verify

    store = FeedStore(county_files.feeds_dir / "store")
    spec = engine.spec_for(store.root, AS_OF, digest_key=DIGEST_KEY)
    members = engine.assign_chunks(county_files.members, 50)
    batch_rows = {
        r["household_no"]: r for r in engine.run_all(county_files.members, spec, chunk_households=50).to_pylist()
    }
    sample = sorted(batch_rows)[::37]
    for household_no in sample:
        one = members.filter(pc.equal(members["household_no"], household_no))
        result = verify(
            store,
            one.select(["id_number", "name", "household_no", "division_code", "birth_date"]),
            AS_OF,
            digest_key=DIGEST_KEY,
        )
        row = engine.summarise(one, result).to_pylist()[0]
        assert row == batch_rows[household_no]


@pytest.mark.spark
@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("postgres"), reason="Spark runs once, in the SQLite pass"
)
def test_a_spark_run_stores_what_a_duckdb_run_would(registry: County, spark: object) -> None:
    run = batch_run_start(actor=None, as_of=AS_OF, engine=BatchRun.Engine.SPARK)
    batchrun.batch_execute(run, checkpoint={}, save=lambda done, total, cp: None)
    run.refresh_from_db()
    assert run.status == BatchRun.Status.DONE and run.engine == "spark" and run.partitions_done > 1
    pop = batchrun.population(scope=BatchRun.Scope.BENEFICIARIES, jurisdiction="")
    spec = engine.spec_for(registry.feeds_dir / "store", AS_OF, digest_key=DIGEST_KEY)
    local = engine.run_all(pop.members, spec, chunk_households=CHUNK).to_pylist()
    stored = {
        r.household.household_no: r.content_hash for r in BatchHouseholdResult.objects.select_related("household")
    }
    assert stored == {r["household_no"]: r["content_hash"] for r in local}
    assert run.counts[NEW_DEATH] > 0


def _record(pc_income: int, **person: object) -> dict:
    base = {"id_number": "330212195302245448", "name": "黄梅云", "flags": [], "vehicle_count": 0}
    return {"household_no": "H1", "per_capita_income_fen": pc_income, "totals": {}, "persons": [{**base, **person}]}


def test_diff_kinds_threshold_and_fingerprints() -> None:
    from minzheng.verification.engine.diff import INCOME_CHANGE, IncomeThreshold, household_changes

    day = dt.date(2026, 11, 1)
    assert household_changes(_record(100000), _record(100000), as_of=day) == []
    # 20% and at least 100 元: 1000 → 1150 元 is 15%; 1000 → 1250 元 is 25%; 0 → 50 元 is under 100 元.
    assert household_changes(_record(100000), _record(115000), as_of=day) == []
    (up,) = household_changes(_record(100000), _record(125000), as_of=day)
    assert up.kind == INCOME_CHANGE and up.detail == "家庭月人均收入由 1,000.00 元变为 1,250.00 元（变化 250.00 元）"
    assert household_changes(_record(0), _record(5000), as_of=day) == []
    strict = IncomeThreshold(ratio=0.1, min_fen=1000)
    assert [c.kind for c in household_changes(_record(100000), _record(115000), as_of=day, threshold=strict)] == [
        INCOME_CHANGE
    ]
    car = _record(100000, vehicle_count=1, evidence=[{"feed": "vehicle", "text": "公安车辆：名下小型轿车 浙B1"}])
    (new,) = household_changes(_record(100000), car, as_of=day)
    assert (
        new.kind == NEW_VEHICLE
        and new.detail == "黄梅云（3302**********5448）名下车辆由 0 辆增至 1 辆；依据：公安车辆：名下小型轿车 浙B1"
    )
    # The same fact found again on a later date is the same item.
    assert household_changes(_record(100000), car, as_of=dt.date(2026, 12, 1))[0].fingerprint == new.fingerprint
    # First time checked: no earlier income to compare, every present fact is new.
    dead = _record(0, died_on="2026-09-24", death_sources=["death"], flags=["deceased", "prison"])
    kinds = sorted(c.kind for c in household_changes(None, dead, as_of=day))
    assert kinds == [NEW_DEATH, "prison"]


def test_the_cli_resumes_an_interrupted_run(registry: County) -> None:
    from minzheng import cli_extra  # noqa: F401 - registers the domain commands
    from minzheng.cli import app
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import JobContext, job_claim

    run = batch_run_start(actor=None, as_of=AS_OF)
    ctx = JobContext(job_claim(run.job_id))  # type: ignore[arg-type]

    def save(done: int, total: int, cp: dict) -> None:
        if done == 2:
            raise Killed
        ctx.progress(done, total, checkpoint=cp)

    with pytest.raises(Killed):
        batchrun.batch_execute(run, checkpoint={}, save=save)
    Job.objects.filter(pk=run.job_id).update(status=Job.Status.FAILED, error="已中断")
    output = CliRunner().invoke(app, ["verify", "batch", "--as-of", "2026-11-01", "--json"]).output
    summary = json.loads(output.strip().splitlines()[-1])
    assert summary["run"] == run.pk and BatchRun.objects.count() == 1
    run.refresh_from_db()
    assert run.status == BatchRun.Status.DONE and run.partitions_done == run.partitions_total
    assert sum(summary["worklist"].values()) == WorklistItem.objects.count() > 0
