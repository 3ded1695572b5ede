"""一键核对（家庭经济状况核对）: background job handlers (registered with jobs.services.job_handler)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.jobs.services import JobContext, job_handler

# --- Identity matching (身份匹配): v4_matching ------------------------------------------------------
MATCH_KIND = "verification.match"


@job_handler(MATCH_KIND)
def match_feed(ctx: JobContext) -> dict[str, Any]:
    """Match one snapshot (params: feed_id, as_of). One transaction, and idempotent: a re-claimed
    job simply runs again without duplicating or resetting candidates."""
    from minzheng.verification.services_matching import matching_run

    as_of = dt.date.fromisoformat(ctx.params["as_of"])
    ctx.progress(0, 1)
    result = matching_run(actor=ctx.job.created_by, feed_id=ctx.params["feed_id"], as_of=as_of)
    ctx.progress(1, 1)
    return result


# --- Batch re-check (批量复核): v3_batch -----------------------------------------------------------
BATCH_KIND = "verification.batch"
# Called with the BatchRun once it is done (payments.stops suspends what the new results say must stop).
AFTER_BATCH: list[Any] = []


@job_handler(BATCH_KIND, heavy=True)
def batch_run(ctx: JobContext) -> dict[str, Any]:
    """Run or resume a BatchRun (params: run_id). One transaction per partition, with the checkpoint,
    so a re-claimed job goes on after the last stored partition; see batchrun.batch_execute."""
    from django.utils import timezone

    from minzheng.verification.batchrun import batch_execute
    from minzheng.verification.models import BatchRun

    run = BatchRun.objects.get(pk=ctx.params["run_id"])
    checkpoint = {**ctx.checkpoint}
    for key in ("income_ratio", "income_min_fen"):
        if key in ctx.params and key not in checkpoint:
            checkpoint[key] = ctx.params[key]
    try:
        return batch_execute(
            run, checkpoint=checkpoint, save=lambda done, total, cp: ctx.progress(done, total, checkpoint=cp)
        )
    except Exception as exc:
        BatchRun.objects.filter(pk=run.pk).update(
            status=BatchRun.Status.FAILED, error=(str(exc) or exc.__class__.__name__)[:2000], finished_at=timezone.now()
        )
        raise


# --- Department feed ingestion (部门数据导入): v1_feeds ----------------------------------------------
FEED_INGEST_KIND = "verification.feed_ingest"


@job_handler(FEED_INGEST_KIND, heavy=True)
def feed_ingest_job(ctx: JobContext) -> dict[str, Any]:
    """Ingest one uploaded feed file (params: feed_id, path, as_of, replace, original_name).

    Idempotent, so a re-claimed job simply runs again: the snapshot is renamed into place whole,
    and the same file found in the store is "unchanged" (its delivery row is then made if missing).
    Progress counts the steps of engine.ingest.STEPS; the step's name goes into the checkpoint.
    """
    from pathlib import Path

    from minzheng.verification.services import feed_ingest

    params = ctx.params
    delivery = feed_ingest(
        actor=ctx.job.created_by,
        feed_id=params["feed_id"],
        path=Path(params["path"]),
        as_of=dt.date.fromisoformat(params["as_of"]),
        replace=bool(params.get("replace")),
        original_name=params.get("original_name"),
        progress=lambda label, done, total: ctx.progress(done, total, checkpoint={"step": label}),
    )
    return {
        "delivery_id": delivery.pk,
        "feed": delivery.feed_id,
        "as_of": delivery.as_of.isoformat(),
        "rows": delivery.rows,
        "accepted": delivery.accepted,
        "rejected": delivery.rejected,
        "snapshot": delivery.snapshot_path,
        "rejects_file": delivery.rejects_path or None,
        "unchanged": delivery.unchanged,
    }
