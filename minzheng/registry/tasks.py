"""Job handlers of the registry app."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from minzheng.jobs.services import JobContext, job_handler
from minzheng.registry.importing import residents_import


@job_handler("registry.import_residents")
def import_residents(ctx: JobContext) -> dict[str, Any]:
    """Runs the import; each chunk's checkpoint commits with the chunk, so a re-claimed job resumes."""
    result = residents_import(
        path=Path(ctx.params["path"]),
        actor=ctx.job.created_by,
        original_name=ctx.params.get("original_name"),
        checkpoint=ctx.checkpoint,
        progress=lambda done, total: ctx.progress(done, total),
        on_chunk=lambda checkpoint: ctx.progress(checkpoint["applied"], None, checkpoint=checkpoint),
    )
    return result.as_dict()
