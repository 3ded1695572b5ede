"""一键核对（家庭经济状况核对）: what the demo county gets (called by minzheng.demo.build after residents and feeds)."""

from __future__ import annotations

from typing import Any

from django.conf import settings


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    demo_feeds_ingest(built, step)
    demo_feeds_match(built, step)
    demo_batch(built, step)


def demo_feeds_ingest(built: Any, step: Any) -> dict[str, Any]:
    """Ingest every demo feed file in `built.feeds_dir` for `built.as_of` (v1_feeds); returns deliveries by feed.

    Runs as the system (actor None), like the CLI; the same files again change nothing. A rebuilt
    demo (fresh database, same data directory) with another seed or size writes different files:
    they replace the store's snapshots (the old ones are kept under replaced-<UTC>/, as always).
    """
    from minzheng.demo.feeds import feed_path
    from minzheng.verification.engine.catalogue import FEEDS
    from minzheng.verification.services import feed_ingest

    step("导入部门核对数据")
    deliveries = {}
    for feed_id in FEEDS:
        path = feed_path(built.feeds_dir, feed_id, built.as_of)
        if path.exists():
            deliveries[feed_id] = feed_ingest(actor=None, feed_id=feed_id, path=path, as_of=built.as_of, replace=True)
    return deliveries


def demo_feeds_match(built: Any, step: Any) -> dict[str, dict[str, Any]]:
    """Match every ingested demo feed to the registry (v4_matching), so 匹配复核 has its queue."""
    from minzheng.verification.engine.store import FeedStore
    from minzheng.verification.services_matching import matching_run, registry_persons

    step("身份匹配（部门数据 → 居民库）")
    registry = registry_persons()
    store = FeedStore(settings.FEEDS_DIR)
    return {
        feed_id: matching_run(actor=None, feed_id=feed_id, as_of=built.as_of, registry=registry)
        for feed_id in store.feed_ids()
        if store.snapshot(feed_id, built.as_of) is not None
    }


def demo_batch(built: Any, step: Any) -> dict[str, Any]:
    """A first batch re-check of the beneficiary households (v3_batch): the 核对工作清单 then lists the
    deceased still on the rolls, and the vehicles, property, companies and public salaries found."""
    from minzheng.jobs.services import job_run_now
    from minzheng.verification.batchrun import summary
    from minzheng.verification.services import batch_run_start

    step("批量复核保障对象家庭")
    run = batch_run_start(actor=None, as_of=built.as_of)
    job_run_now(run.job)
    run.refresh_from_db()
    return summary(run)
