"""The cremation feed (民政 殡葬, DATA_CONTRACTS §2) linked to the cremation records.

The newest `cremation` snapshot on or before the as-of date is read from the feed store (files, never
copied into the database whole). Each row whose identity number is a resident's:
- with a cremation already recorded at the funeral home: the record is marked as seen in the feed
  (`feed_as_of`), nothing else changes;
- without one: a cremation record is made from the feed (source 火化数据) and the deceased's 身后一件事
  is started through the life-event part, exactly as a record made at the home would.
Rows without an identity number (a digest, a homophone name) are left to the verification's 匹配复核;
they act here only once confirmed there and delivered again with the number. Running twice changes
nothing the second time.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.funeral.models import AshesEvent, Cremation
from minzheng.registry.models import Person

FEED = "cremation"


def _snapshot(as_of: dt.date) -> Any:
    from minzheng.verification.batchrun import store_root
    from minzheng.verification.engine.store import FeedStore

    return FeedStore(store_root()).latest(FEED, as_of)


def feed_rows(as_of: dt.date) -> tuple[dt.date | None, list[tuple[str, dt.date, dt.date | None]]]:
    """(snapshot date, [(id_number, died_on, cremated_on)]) of the newest snapshot ≤ as_of."""
    snap = _snapshot(as_of)
    if snap is None:
        return None, []
    frame = snap.scan().select("id_number", "died_on", "cremated_on").collect()
    frame = frame.filter(pl.col("id_number").is_not_null() & pl.col("died_on").is_not_null())
    return snap.as_of, [(r[0], r[1], r[2]) for r in frame.iter_rows()]


def link_feed(as_of: dt.date | None = None, *, actor: Actor | None = None) -> dict[str, int]:
    """Link the cremation feed to the records: {'seen': confirmed, 'created': new, 'unmatched': no resident}."""
    from minzheng.funeral.services import _death_event

    day = as_of or timezone.localdate()
    snap_day, rows = feed_rows(day)
    counts = {"seen": 0, "created": 0, "unmatched": 0}
    if snap_day is None:
        return counts
    people = {p.id_number: p for p in Person.objects.filter(id_number__in=[r[0] for r in rows])}
    have = {c.person_id: c for c in Cremation.objects.filter(person__in=list(people.values()))}
    for id_number, died, burnt in rows:
        person = people.get(id_number)
        if person is None:
            counts["unmatched"] += 1
            continue
        with transaction.atomic():
            found = have.get(person.pk)
            if found is not None:
                if found.feed_as_of != snap_day:
                    Cremation.objects.filter(pk=found.pk).update(feed_as_of=snap_day)
                    counts["seen"] += 1
                continue
            cremated = burnt or died  # a row without 火化日期 still proves the cremation of that death
            made = Cremation.objects.create(
                person=person, division_code=person.division_code, died_on=died, cremated_on=cremated,
                source=Cremation.Source.FEED, feed_as_of=snap_day, ashes_since=cremated,
            )  # fmt: skip
            AshesEvent.objects.create(cremation=made, state=Cremation.Ashes.STORED, on=cremated, place="（火化数据）")
            have[person.pk] = made
            _death_event(made, actor)
            audit_record(
                actor=actor, action="create", object_type="funeral_cremation", object_id=made.pk,
                summary=f"火化数据（{snap_day}）生成火化记录", data={"feed": FEED, "as_of": snap_day.isoformat()},
            )  # fmt: skip
            counts["created"] += 1
    return counts
