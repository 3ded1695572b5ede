"""政策目录与资格判定: what the demo county gets (called by minzheng.demo.build after residents and feeds)."""

from __future__ import annotations

from typing import Any

# Above this many residents the demo skips the batch (a benchmark-sized county runs it on demand).
BATCH_LIMIT = 200_000


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    from minzheng.registry.models import Household
    from minzheng.rules.engine import DEFAULT_PARAMS
    from minzheng.rules.services import params_import

    step("导入政策参数")
    for path in DEFAULT_PARAMS:  # the apps' files too: homecare and meal policies read their keys
        params_import(actor=None, path=path)
    residents = getattr(built.import_result, "accepted", 0)
    first = Household.objects.order_by("division_id").values_list("division_id", flat=True).first()
    if first is None or residents > BATCH_LIMIT:
        return
    step("批量资格判定（应享未享、不应享而享清单）")
    demo_batch(as_of=built.as_of, county=first[:6])


def demo_batch(*, as_of: Any, county: str) -> Any:
    """One batch over the demo county as the system, run in this process; returns the finished job."""
    from minzheng.jobs.services import job_run_now
    from minzheng.rules.services import eligibility_batch_start

    _, job = eligibility_batch_start(actor=None, as_of=as_of, region_code=county, engine="polars")
    return job_run_now(job)
