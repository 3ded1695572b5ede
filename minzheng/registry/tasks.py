"""Job handlers of the registry app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minzheng.jobs.models import Job
from minzheng.jobs.services import JobContext, job_enqueue, job_handler, job_is_claimable
from minzheng.registry.importing import file_sha256, residents_import

KIND = "registry.import_residents"


@job_handler(KIND, heavy=True)
def import_residents(ctx: JobContext) -> dict[str, Any]:
    """Runs the import; each chunk's checkpoint commits with the chunk, so a re-claimed job resumes.

    The checkpoint holds the staging file, the last committed row and the running counts
    (created, updated, applied), so the final result is exact however often the job resumed;
    rejected rows stay in the staging file until the rejects file is written at the end.
    """
    result = residents_import(
        path=Path(ctx.params["path"]),
        actor=ctx.job.created_by,
        original_name=ctx.params.get("original_name"),
        checkpoint=ctx.checkpoint,
        progress=lambda done, total: ctx.progress(done, total),
        # Before the first chunk (no "applied" yet) the rows-read count stays on show.
        on_chunk=lambda checkpoint: ctx.progress(
            checkpoint.get("applied", ctx.job.progress_done), None, checkpoint=checkpoint
        ),
    )
    return result.as_dict()


def import_job_for_file(path: Path) -> tuple[Job | None, bool]:
    """The CLI's job for this file: an interrupted one for the same content resumes, else a new one.

    Returns (job, resumed); job is None when another process is running this file right now.
    """
    path = path.resolve()
    sha = file_sha256(path)
    unfinished = (
        Job.objects.filter(kind=KIND, params__sha256=sha, params__path=str(path))
        .exclude(status=Job.Status.DONE)
        .order_by("-created_at")
        .first()
    )
    if unfinished is None:
        return job_enqueue(kind=KIND, params={"path": str(path), "original_name": path.name, "sha256": sha}), False
    if unfinished.status == Job.Status.FAILED:
        # Run again on the user's word: a cancel or two crashes stopped it, the user starts it afresh.
        Job.objects.filter(pk=unfinished.pk, status=Job.Status.FAILED).update(
            status=Job.Status.QUEUED, error="", crashes=0, cancelled_at=None
        )
        unfinished.refresh_from_db()
        return unfinished, True
    # A run whose process is gone (killed, crashed) resumes at once, not after the heartbeat lease.
    return (unfinished, True) if job_is_claimable(unfinished) else (None, False)


# The name verification.batchrun (and older callers) use; jobs.services decides.
job_claim_possible = job_is_claimable
