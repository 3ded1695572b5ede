"""Drafts from department data: a death in the cremation feed (殡葬火化) or the hukou feed (户籍 死亡注销)
becomes a 身后一件事 draft for the deceased's town, before the family comes to any window.

Each delivered snapshot holds every record the department has, so only deaths within the last
`RECENT_DAYS` of the snapshot's date draft anything (an old death is settled business). A record is
identified by (feed, identity number, date): `event_from_record` is idempotent on it, and the second
feed's record of the same death attaches to the first one's event — two records, one case.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import polars as pl
from django.utils import timezone

from minzheng.registry.models import Person

log = logging.getLogger(__name__)
RECENT_DAYS = 90  # a death older than this in a snapshot is not drafted again (system default)
FEEDS = {
    # feed: (date column, extra filter, facts)
    "cremation": ("died_on", None, ("died_on", "cremated_on")),
    "hukou": ("cancelled_on", ("status", "死亡注销"), ("cancelled_on",)),
}


def _rows(feed: str, as_of: dt.date) -> list[dict[str, Any]]:
    from minzheng.rules.inputs_db import feed_store_root
    from minzheng.verification.engine.store import FeedStore

    snap = FeedStore(feed_store_root()).latest(feed, as_of)
    if snap is None:
        return []
    column, where, facts = FEEDS[feed]
    frame = snap.scan()
    if where is not None:
        frame = frame.filter(pl.col(where[0]) == where[1])
    since = as_of - dt.timedelta(days=RECENT_DAYS)
    frame = frame.filter(pl.col(column).is_not_null() & (pl.col(column) >= since) & (pl.col(column) <= as_of))
    return frame.select("id_number", *facts).collect().to_dicts()


def drafts_from_feeds(as_of: dt.date | None = None) -> dict[str, int]:
    """Every recent death in the newest cremation and hukou snapshots → its event (drafted once)."""
    from minzheng.lifeevents.services import LifeEventError, event_from_record

    as_of = as_of or timezone.localdate()
    counts = {"records": 0, "unknown_person": 0, "events": 0, "refused": 0}
    events: set[int] = set()
    for feed in FEEDS:
        rows = _rows(feed, as_of)
        people = {p.id_number: p for p in Person.objects.filter(id_number__in=[r["id_number"] for r in rows])}
        for row in rows:
            counts["records"] += 1
            person = people.get(row["id_number"])
            if person is None:
                counts["unknown_person"] += 1
                continue
            day = row.get("died_on") or row.get("cancelled_on")
            facts = {"died_on": day, **{k: v for k, v in row.items() if k != "id_number"}}
            try:
                event = event_from_record(
                    kind="death", person=person, source=feed, source_ref=f"{row['id_number']}:{day}", facts=facts
                )
            except LifeEventError as exc:
                log.warning("draft from %s refused for %s: %s", feed, person.pk, exc)
                counts["refused"] += 1
                continue
            if event is not None:
                events.add(event.pk)
    counts["events"] = len(events)
    return counts


def after_batch(run: Any) -> None:
    """After a verification batch (the feeds it read were just delivered): draft the same day."""
    try:
        drafts_from_feeds(max(run.as_of, timezone.localdate()))
    except Exception:  # the batch succeeded; the daily schedule drafts again
        log.exception("lifeevents drafts after batch %s failed", getattr(run, "pk", None))
