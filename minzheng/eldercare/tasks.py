"""居家养老: background job handlers (registered with jobs.services.job_handler).

`eldercare.fraud_checks`: the nightly authenticity run over the finished orders of one day (or of
several days, resumable: the checkpoint records the last day done). Idempotent: a flag exists
once per (kind, order), so a re-run adds nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.core.dates import parse_day
from minzheng.jobs.services import JobContext, job_handler

FRAUD_CHECKS = "eldercare.fraud_checks"


@job_handler(FRAUD_CHECKS)
def fraud_checks(ctx: JobContext) -> dict[str, Any]:
    """params: {"from": "YYYY-MM-DD", "to": "YYYY-MM-DD"} (inclusive)."""
    from minzheng.eldercare.fraud import checks_run

    first = parse_day(ctx.params["from"], "起始日期")
    last = parse_day(ctx.params.get("to") or ctx.params["from"], "截止日期")
    days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
    done_until = ctx.checkpoint.get("done_until")
    flagged = int(ctx.checkpoint.get("flagged", 0))
    for k, day in enumerate(days, start=1):
        if done_until and day.isoformat() <= done_until:
            continue
        flagged += len(checks_run(actor=ctx.job.created_by, day=day))
        ctx.progress(k, len(days), checkpoint={"done_until": day.isoformat(), "flagged": flagged})
    return {"days": len(days), "new_flags": flagged}
