"""Running a batch re-check inside the app: population → engine partitions → stored results + worklist.

The engine (`engine.batch`, `engine.spark`) computes; this module feeds it the population from the
registry and stores what it returns, one partition per transaction together with the job's
checkpoint. Killed mid-run, the job resumes after the last stored partition with the same feed
snapshots (they are fixed in the checkpoint). Storing is idempotent: a household's result is stored
only when its content hash differs from the household's latest stored result, and a worklist item
only when its fingerprint is new — so running the same as-of twice stores nothing the second time.

Population: households with a beneficiary tag (`BENEFICIARY_TAGS`; an enrolment table will join
them when the assistance issue lands), or every household with scope `all`; always inside the
run's jurisdiction prefix.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import prefix_q
from minzheng.registry.models import Household, Person, PersonTag
from minzheng.verification.engine import batch as engine
from minzheng.verification.engine.diff import IncomeThreshold, household_changes, record_of
from minzheng.verification.models import BatchHouseholdResult, BatchRun, WorklistItem
from minzheng.verification.selectors import confirmed_links

BENEFICIARY_TAGS = (
    PersonTag.Kind.DIBAO,
    PersonTag.Kind.DIBAO_EDGE,
    PersonTag.Kind.TEKUN,
    PersonTag.Kind.ORPHAN,
    PersonTag.Kind.UNSUPPORTED_CHILD,
    PersonTag.Kind.DISTRESSED_CHILD,
    PersonTag.Kind.RIGID_EXPENSE,
)
IN_BATCH = 5000  # ids per IN (...) list: far below SQLite's and PostgreSQL's parameter limits


def income_threshold(ratio: float | None = None, min_fen: int | None = None) -> IncomeThreshold:
    """The run's income-change threshold: explicit values, else settings, else the engine's defaults."""
    default = IncomeThreshold()
    return IncomeThreshold(
        ratio=ratio if ratio is not None else getattr(settings, "VERIFICATION_INCOME_CHANGE_RATIO", default.ratio),
        min_fen=min_fen
        if min_fen is not None
        else getattr(settings, "VERIFICATION_INCOME_CHANGE_MIN_FEN", default.min_fen),
    )


def digest_key() -> bytes | None:
    """The HMAC-SM3 key agreed with departments that deliver 身份号码摘要 (None: digest feeds stay unmatched)."""
    key = getattr(settings, "FEED_DIGEST_KEY", None)  # the same key as ingestion, matching and 一键核对
    return key.encode() if isinstance(key, str) else key


def chunk_households() -> int:
    return int(getattr(settings, "VERIFICATION_BATCH_CHUNK_HOUSEHOLDS", engine.CHUNK_HOUSEHOLDS))


def store_root() -> Any:
    return settings.FEEDS_DIR / "store"


# --- population ----------------------------------------------------------------------------------


@dataclass
class Population:
    members: pa.Table  # engine.MEMBER_SCHEMA + county, chunk
    household_ids: dict[str, int]
    person_ids: dict[str, int]

    @property
    def households(self) -> int:
        return len(self.household_ids)


def population(*, scope: str, jurisdiction: str) -> Population:
    households = Household.objects.filter(prefix_q("division_id", jurisdiction))
    if scope != BatchRun.Scope.ALL:
        tagged = PersonTag.objects.filter(kind__in=BENEFICIARY_TAGS).values("person__household_id")
        households = households.filter(pk__in=tagged)
    rows = (
        Person.objects.filter(household__in=households)
        .order_by("household__household_no", "id_number")
        .values_list(
            "id_number", "name", "household__household_no", "household__division_id", "birth_date", "household_id", "pk"
        )
    )
    cols: dict[str, list[Any]] = {k: [] for k in ("id_number", "name", "household_no", "division_code", "birth_date")}
    household_ids: dict[str, int] = {}
    person_ids: dict[str, int] = {}
    for number, name, household_no, division, born, household_id, person_id in rows.iterator(chunk_size=20000):
        for key, value in zip(cols, (number, name, household_no, division, born), strict=True):
            cols[key].append(value)
        household_ids[household_no] = household_id
        person_ids[number] = person_id
    members = pa.Table.from_pydict(cols, schema=engine.MEMBER_SCHEMA)
    return Population(engine.assign_chunks(members, chunk_households()), household_ids, person_ids)


# --- storing one partition --------------------------------------------------------------------------


def _chunks(values: list[Any], size: int = IN_BATCH) -> Iterable[list[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def latest_results(household_ids: list[int]) -> dict[int, BatchHouseholdResult]:
    """Each household's latest stored result (any run), by household id."""
    out: dict[int, BatchHouseholdResult] = {}
    for ids in _chunks(household_ids):
        last = BatchHouseholdResult.objects.filter(household_id__in=ids).values("household_id").annotate(m=Max("id"))
        for r in BatchHouseholdResult.objects.filter(pk__in=[row["m"] for row in last]):
            out[r.household_id] = r
    return out


def _record(result: BatchHouseholdResult, household_no: str) -> dict[str, Any]:
    return {
        "household_no": household_no,
        "per_capita_income_fen": result.per_capita_income_fen,
        "totals": result.totals,
        "persons": result.persons,
    }


@dataclass
class Stored:
    results: int = 0
    items: dict[str, int] = field(default_factory=dict)


def store_partition(*, run: BatchRun, pop: Population, table: pa.Table, threshold: IncomeThreshold) -> Stored:
    """Store one partition's changed results and the worklist items they make (call inside a transaction)."""
    rows = table.to_pylist()
    ids = [pop.household_ids[r["household_no"]] for r in rows]
    latest = latest_results(ids)
    stored, items = Stored(), []
    new_results = []
    for row, household_id in zip(rows, ids, strict=True):
        before = latest.get(household_id)
        if before is not None and before.content_hash == row["content_hash"]:
            continue
        after = record_of(row)
        new_results.append(_result(run, household_id, row, after))
        earlier = _record(before, row["household_no"]) if before is not None else None
        for change in household_changes(earlier, after, as_of=run.as_of, threshold=threshold):
            items.append((change, household_id, row["division_code"]))
    BatchHouseholdResult.objects.bulk_create(new_results, batch_size=2000, ignore_conflicts=True)
    stored.results = len(new_results)
    stored.items = _store_items(run, pop, items)
    return stored


def _result(run: BatchRun, household_id: int, row: dict[str, Any], record: dict[str, Any]) -> BatchHouseholdResult:
    return BatchHouseholdResult(
        run=run,
        household_id=household_id,
        division_code=row["division_code"],
        members=row["members"],
        per_capita_income_fen=row["per_capita_income_fen"],
        flags=[f for f in row["flags"].split(",") if f],
        totals=record["totals"],
        persons=record["persons"],
        content_hash=row["content_hash"],
    )


def _store_items(run: BatchRun, pop: Population, items: list[tuple[Any, int, str]]) -> dict[str, int]:
    prints = [c.fingerprint for c, _, _ in items]
    known: set[str] = set()
    for chunk in _chunks(prints):
        known.update(WorklistItem.objects.filter(fingerprint__in=chunk).values_list("fingerprint", flat=True))
    new, counts = [], {}
    for change, household_id, division in items:
        if change.fingerprint in known:
            continue
        known.add(change.fingerprint)
        new.append(
            WorklistItem(
                run=run,
                kind=change.kind,
                household_id=household_id,
                person_id=pop.person_ids.get(change.id_number or ""),
                division_code=division,
                detail=change.detail,
                fingerprint=change.fingerprint,
            )
        )
        counts[change.kind] = counts.get(change.kind, 0) + 1
    WorklistItem.objects.bulk_create(new, batch_size=2000)
    from minzheng.verification.items import sync_new

    sync_new(run, new)  # the new findings appear on the 待办 of the towns concerned
    return counts


# --- the whole run ----------------------------------------------------------------------------------

Checkpoint = dict[str, Any]
SaveCheckpoint = Callable[[int, int, Checkpoint], None]


def batch_execute(
    run: BatchRun,
    *,
    checkpoint: Checkpoint,
    save: SaveCheckpoint,
    threshold: IncomeThreshold | None = None,
) -> dict[str, Any]:
    """Run (or resume) `run`. `save(done, total, checkpoint)` is called inside each partition's transaction."""
    started = time.perf_counter()
    threshold = threshold or income_threshold(checkpoint.get("income_ratio"), checkpoint.get("income_min_fen"))
    pop = population(scope=run.scope, jurisdiction=run.jurisdiction)
    spec_json = checkpoint.get("spec") or engine.spec_for(store_root(), run.as_of).to_json()
    spec = engine.BatchSpec.from_json(spec_json, digest_key=digest_key())
    keys = engine.partition_keys(pop.members) if pop.members.num_rows else []
    cp: Checkpoint = {
        "spec": spec_json,
        "done": list(checkpoint.get("done", [])),
        "stored": int(checkpoint.get("stored", 0)),
        "counts": dict(checkpoint.get("counts", {})),
        "income_ratio": threshold.ratio,
        "income_min_fen": threshold.min_fen,
        "seconds": float(checkpoint.get("seconds", 0.0)),
    }
    BatchRun.objects.filter(pk=run.pk).update(
        status=BatchRun.Status.RUNNING,
        started_at=run.started_at or timezone.now(),
        households=pop.households,
        persons=pop.members.num_rows,
        partitions_total=len(keys),
        partitions_done=len([k for k in keys if k in cp["done"]]),
    )
    save(len(cp["done"]), len(keys), cp)
    for key, table in _partitions(run, pop, spec, skip=set(cp["done"])):
        with transaction.atomic():
            stored = store_partition(run=run, pop=pop, table=table, threshold=threshold)
            cp["done"].append(key)
            cp["stored"] += stored.results
            for kind, n in stored.items.items():
                cp["counts"][kind] = cp["counts"].get(kind, 0) + n
            cp["seconds"] = float(checkpoint.get("seconds", 0.0)) + time.perf_counter() - started
            BatchRun.objects.filter(pk=run.pk).update(
                partitions_done=len(cp["done"]), stored=cp["stored"], counts=cp["counts"]
            )
            save(len(cp["done"]), len(keys), cp)
    return _finish(run, pop, cp, time.perf_counter() - started + float(checkpoint.get("seconds", 0.0)))


def _partitions(
    run: BatchRun, pop: Population, spec: engine.BatchSpec, skip: set[str]
) -> Iterable[tuple[str, pa.Table]]:
    if pop.members.num_rows == 0:
        return []
    links = confirmed_links(list(spec.snapshots), run.as_of)
    if run.engine == BatchRun.Engine.SPARK:
        from minzheng.verification.engine.spark import run_spark

        done = run_spark(pop.members, spec, skip=skip, links=links)
        return sorted(done.items())
    return engine.run_local(pop.members, spec, skip=skip, links=links)


def _finish(run: BatchRun, pop: Population, cp: Checkpoint, seconds: float) -> dict[str, Any]:
    with transaction.atomic():
        BatchRun.objects.filter(pk=run.pk).update(
            status=BatchRun.Status.DONE, finished_at=timezone.now(), seconds=round(seconds, 3), error=""
        )
        run.refresh_from_db()
        audit_record(
            actor=run.created_by,
            action=AuditEvent.Action.UPDATE,
            object_type="batch_run",
            object_id=run.pk,
            summary=f"批量复核 {run.pk}（数据时点 {run.as_of}）完成：{run.households} 户 {run.persons} 人，"
            f"新存结果 {run.stored} 户，新增清单 {sum(run.counts.values())} 条",
            data={"counts": run.counts, "stored": run.stored},
        )
    from minzheng.verification.tasks import AFTER_BATCH

    for hook in AFTER_BATCH:
        hook(run)
    return summary(run)


def summary(run: BatchRun) -> dict[str, Any]:
    """The `--json` summary: run id, households, persons, seconds, worklist counts by kind."""
    from minzheng.verification.engine.diff import KIND_LABELS

    return {
        "run": run.pk,
        "as_of": run.as_of.isoformat() if isinstance(run.as_of, dt.date) else run.as_of,
        "engine": run.engine,
        "scope": run.scope,
        "households": run.households,
        "persons": run.persons,
        "partitions": run.partitions_total,
        "stored": run.stored,
        "seconds": run.seconds,
        "worklist": {kind: run.counts.get(kind, 0) for kind in KIND_LABELS},
    }


def batch_job_for(
    *, as_of: dt.date, engine: str, scope: str, income_ratio: float | None = None, income_min_fen: int | None = None
) -> tuple[BatchRun | None, bool]:
    """The CLI's run: an interrupted one for the same date, engine and scope resumes, else a new one.

    Returns (run, resumed); run is None when another process is running it right now.
    """
    from minzheng.jobs.models import Job
    from minzheng.registry.tasks import job_claim_possible
    from minzheng.verification.services import batch_run_resume, batch_run_start

    unfinished = (
        BatchRun.objects.filter(as_of=as_of, engine=engine, scope=scope, jurisdiction="", job__isnull=False)
        .exclude(status=BatchRun.Status.DONE)
        .select_related("job")
        .order_by("-created_at")
        .first()
    )
    if unfinished is None or unfinished.job.status == Job.Status.DONE:
        run = batch_run_start(
            actor=None,
            as_of=as_of,
            engine=engine,
            scope=scope,
            income_ratio=income_ratio,
            income_min_fen=income_min_fen,
        )
        return run, False
    if unfinished.job.status == Job.Status.FAILED:
        return batch_run_resume(actor=None, run=unfinished), True
    return (unfinished, True) if job_claim_possible(unfinished.job) else (None, False)
