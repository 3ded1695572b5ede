"""政策目录与资格判定: background job handlers (registered with jobs.services.job_handler)."""

from __future__ import annotations

from typing import Any

from minzheng.jobs.services import JobContext, job_handler
from minzheng.rules.models import EligibilityRun

BATCH_KIND = "rules.eligibility_batch"


@job_handler(BATCH_KIND, heavy=True)
def eligibility_batch(ctx: JobContext) -> dict[str, Any]:
    """County by county; the checkpoint lists finished counties, so a re-claimed job resumes after them."""
    from minzheng.rules import batch

    run = EligibilityRun.objects.get(pk=ctx.params["run_id"])
    try:
        return batch.run_execute(
            run,
            checkpoint=ctx.checkpoint,
            progress=lambda done, total, checkpoint: ctx.progress(done, total, checkpoint=checkpoint),
        )
    except Exception:
        EligibilityRun.objects.filter(pk=run.pk).update(status=EligibilityRun.Status.FAILED)
        raise
