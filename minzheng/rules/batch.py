"""Batch eligibility inside the app: registry + verification → engine per county → Parquet, summary, worklists.

The unit of work is a county (the 6-digit division prefix, cut by the run's region): its decisions
are written as `DATA_DIR/rules/runs/<as_of>-<run id>/county=<code>/decisions.parquet` and its
summary rows and worklist items replace, in one transaction, whatever an interrupted attempt left
for that county. The job's checkpoint lists the finished counties, so a killed run resumes after the
last one, and re-running a county changes nothing.

应享未享 = screened 可能符合 (nothing missing) and not enrolled; 不应享而享 = enrolled and screened
不符合; undecided (待核对) decisions are counted, never listed. Only policies whose
enrolment the registry records (`inputs_db.TAG_POLICIES`) can be compared; the others still have
decisions and a summary.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings
from django.db import transaction
from django.db.models.functions import Substr
from django.utils import timezone

from minzheng.core.jurisdiction import prefix_q
from minzheng.registry.models import Household, Person
from minzheng.rules import eligibility
from minzheng.rules.inputs_db import TAG_POLICIES, engine_inputs
from minzheng.rules.items import sync_county as items_sync_county
from minzheng.rules.models import EligibilityRun, EligibilitySummary, WorklistItem

ENROLMENT_POLICIES = set(TAG_POLICIES.values())
Progress = Callable[[int, int, dict[str, Any]], None]


def runs_root() -> Path:
    return Path(settings.DATA_DIR) / "rules" / "runs"


def run_dir(run: EligibilityRun) -> Path:
    return runs_root() / f"{run.as_of.isoformat()}-{run.pk}"


def counties_of(region_code: str) -> list[str]:
    """The counties with households inside the region (a region below county level is its own county)."""
    households = Household.objects.filter(prefix_q("division_id", region_code))
    return sorted(set(households.annotate(c=Substr("division_id", 1, 6)).values_list("c", flat=True)))


def county_persons(run: EligibilityRun, county: str) -> Any:
    scope = prefix_q("division_code", county) & prefix_q("division_code", run.region_code)
    return Person.objects.filter(scope).order_by("household_id", "pk")


def county_decisions(run: EligibilityRun, county: str, *, source: Any = None) -> pl.DataFrame:
    """The county's decision table (eligibility.DECISION_COLUMNS) on the run's date and engine."""
    inputs = engine_inputs(county_persons(run, county), run.as_of)
    return eligibility.decide_batch(inputs, run.as_of, engine=run.engine, source=source)


def write_county(run: EligibilityRun, county: str, decisions: pl.DataFrame) -> Path:
    target = run_dir(run) / f"county={county}"
    target.mkdir(parents=True, exist_ok=True)
    path = target / "decisions.parquet"
    tmp = target / "decisions.parquet.tmp"
    decisions.drop("county", strict=False).write_parquet(tmp)
    tmp.replace(path)  # atomic: a killed run never leaves half a file
    return path


def summarise(decisions: pl.DataFrame, population: dict[str, int] | None = None) -> pl.DataFrame:
    """Per policy of the catalogue: decided (persons or households evaluated), eligible, enrolled,
    missing, undue and the amount of the eligible (per the policy's period)."""
    comparable = pl.col("policy_id").is_in(sorted(ENROLMENT_POLICIES))
    policies = eligibility.catalogue().policies.values()
    population = population or {}
    base = pl.DataFrame(
        {
            "policy_id": [p.id for p in policies],
            "policy_name": [p.name for p in policies],
            "decided": [population.get(p.entity, 0) for p in policies],
        },
        schema={"policy_id": pl.String(), "policy_name": pl.String(), "decided": pl.Int64()},
    )
    eligible, refused = pl.col("eligible").eq_missing(True), pl.col("eligible").eq_missing(False)
    counted = decisions.group_by("policy_id").agg(
        eligible=eligible.sum(),
        enrolled=pl.col("enrolled").sum(),
        missing=(eligible & ~pl.col("enrolled") & comparable).sum(),
        undue=(refused & pl.col("enrolled") & comparable).sum(),
        undecided=pl.col("eligible").is_null().sum(),
        amount_fen=pl.when(eligible).then(pl.col("amount_fen")).otherwise(0).sum(),
    )
    zero = ["eligible", "enrolled", "missing", "undue", "undecided", "amount_fen"]
    joined = base.join(counted, on="policy_id", how="left").with_columns(pl.col(zero).fill_null(0))
    return joined.sort("policy_id")


def worklist_rows(decisions: pl.DataFrame) -> pl.DataFrame:
    comparable = pl.col("policy_id").is_in(sorted(ENROLMENT_POLICIES))
    # 应享未享 takes only screenings decided 可能符合 (an undecided one waits for 待核对, never listed as
    # eligible); 不应享而享 only those decided 不符合.
    missing = comparable & pl.col("eligible").eq_missing(True) & ~pl.col("enrolled")
    undue = comparable & pl.col("eligible").eq_missing(False) & pl.col("enrolled")
    return decisions.filter(missing | undue).with_columns(
        kind=pl.when(missing)
        .then(pl.lit(WorklistItem.Kind.MISSING.value))
        .otherwise(pl.lit(WorklistItem.Kind.UNDUE.value))
    )


def household_heads(household_ids: list[str]) -> dict[str, int]:
    """household id → its 户主's person id (the first member when no 户主 is recorded)."""
    heads: dict[str, int] = {}
    ids = [int(h) for h in household_ids]
    for start in range(0, len(ids), 5000):
        rows = Person.objects.filter(household_id__in=ids[start : start + 5000]).order_by(
            "household_id", "relation", "pk"
        )
        for household_id, pk in rows.values_list("household_id", "pk"):
            heads.setdefault(str(household_id), pk)
    return heads


@transaction.atomic
def store_county(run: EligibilityRun, county: str, decisions: pl.DataFrame) -> dict[str, int]:
    """Replace the county's summary and findings of this run and bring its 待办 up to date (idempotent)."""
    EligibilitySummary.objects.filter(run=run, county_code=county).delete()
    WorklistItem.objects.filter(run=run, division_code__startswith=county).delete()
    scope = prefix_q("division_code", county) & prefix_q("division_code", run.region_code)
    population = {
        "person": Person.objects.filter(scope).count(),
        "household": Household.objects.filter(
            prefix_q("division_id", county) & prefix_q("division_id", run.region_code)
        ).count(),
    }
    summary = summarise(decisions, population)
    EligibilitySummary.objects.bulk_create(
        EligibilitySummary(run=run, county_code=county, **row) for row in summary.iter_rows(named=True)
    )
    work = worklist_rows(decisions)
    heads = household_heads(work["household_id"].unique().to_list() if work.height else [])
    items = [
        WorklistItem(
            run=run,
            kind=r["kind"],
            policy_id=r["policy_id"],
            policy_name=r["policy_name"],
            household_id=int(r["household_id"]),
            person_id=int(r["person_id"]) if r["person_id"] else heads.get(r["household_id"]),
            entity="person" if r["person_id"] else "household",
            division_code=r["region_code"],
            amount_fen=r["amount_fen"] or 0,
            reason=(r["reason"] or "")[:500],
        )
        for r in work.iter_rows(named=True)
    ]
    WorklistItem.objects.bulk_create(items, batch_size=2000)
    # In the same transaction: the towns' 待办 always agree with the findings stored.
    items_sync_county(run, county, items)
    return {
        "decisions": decisions.height,
        "missing": int((work["kind"] == WorklistItem.Kind.MISSING).sum()) if work.height else 0,
        "undue": int((work["kind"] == WorklistItem.Kind.UNDUE).sum()) if work.height else 0,
        "undecided": int(decisions["eligible"].is_null().sum()) if decisions.height else 0,
    }


def run_start(*, actor: Any, as_of: dt.date, region_code: str, engine: str) -> EligibilityRun:
    run = EligibilityRun.objects.create(
        as_of=as_of,
        region_code=region_code,
        engine=engine,
        started_by=actor if getattr(actor, "is_authenticated", False) else None,
        catalogue_hash=eligibility.catalogue().digest,
    )
    EligibilityRun.objects.filter(pk=run.pk).update(output_dir=str(run_dir(run)))
    run.refresh_from_db()
    return run


def run_execute(run: EligibilityRun, *, checkpoint: dict[str, Any], progress: Progress | None = None) -> dict[str, Any]:
    """Every county not yet in the checkpoint; returns the run's totals."""
    started = time.perf_counter()
    EligibilityRun.objects.filter(pk=run.pk).update(status=EligibilityRun.Status.RUNNING)
    counties = counties_of(run.region_code)
    done: dict[str, dict[str, int]] = dict(checkpoint.get("counties", {}))
    tick = progress or (lambda d, t, c: None)
    tick(len(done), len(counties), {"counties": done})
    for county in counties:
        if county in done:
            continue
        decisions = county_decisions(run, county)
        write_county(run, county, decisions)
        done[county] = store_county(run, county, decisions)
        tick(len(done), len(counties), {"counties": done})
    # `undecided` (待核对) is absent from checkpoints written before it was counted: 0 there.
    totals = {k: sum(c.get(k, 0) for c in done.values()) for k in ("decisions", "missing", "undue", "undecided")}
    # Every household and person of the region was decided (decision rows exist only for the
    # eligible, the excluded and the enrolled).
    totals["households"] = Household.objects.filter(prefix_q("division_id", run.region_code)).count()
    persons = Person.objects.filter(prefix_q("division_code", run.region_code)).count()
    EligibilityRun.objects.filter(pk=run.pk).update(
        status=EligibilityRun.Status.DONE,
        finished_at=timezone.now(),
        households=totals["households"],
        persons=persons,
        decisions=totals["decisions"],
        seconds=round(float(checkpoint.get("seconds", 0)) + time.perf_counter() - started, 3),
    )
    run.refresh_from_db()
    return {
        "run": run.pk,
        "as_of": run.as_of.isoformat(),
        "region": run.region_code,
        "engine": run.engine,
        "counties": len(counties),
        "output_dir": run.output_dir,
        **totals,
    }
