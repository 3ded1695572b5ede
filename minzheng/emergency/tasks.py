"""一键通紧急呼叫: background job handlers (registered with jobs.services.job_handler)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.jobs.services import JobContext, job_handler


@job_handler("emergency.tick")
def tick_job(ctx: JobContext) -> dict[str, Any]:
    """Escalate timed-out rungs. Idempotent: a second run at the same time escalates nothing."""
    from minzheng.emergency.services import incident_tick

    taken = incident_tick(now=timezone.now())
    ctx.progress(1, 1)
    return {"escalated": taken}


def ladder_tick(*, now: dt.datetime) -> dict[str, Any]:
    """The scheduled ladder (every 10 s, registered in apps.py): climbs whatever timed out by `now`."""
    from minzheng.emergency.services import incident_tick

    return {"escalated": incident_tick(now=now)}
