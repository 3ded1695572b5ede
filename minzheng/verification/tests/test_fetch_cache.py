"""The one-household fetch keeps the store's feed list between households (household._feed_ids_cached):
a feed delivered for the first time afterwards is still read at once."""

from __future__ import annotations

import csv
import datetime as dt
import os
from pathlib import Path

from minzheng.demo.feeds import HEADERS, feed_path, write_feeds
from minzheng.demo.generator import write_residents_file
from minzheng.verification.engine import household
from minzheng.verification.engine.ingest import ingest_file
from minzheng.verification.engine.store import FeedStore

AS_OF = dt.date(2026, 12, 1)
LATE = "disability"


def test_a_feed_delivered_after_the_list_was_cached_is_read(tmp_path: Path) -> None:
    residents = tmp_path / "residents.csv"
    write_residents_file(residents, persons=300, seed=5)
    write_feeds(residents, tmp_path / "feeds", as_of=AS_OF, seed=5)
    store = FeedStore(tmp_path / "store")
    for feed_id in HEADERS:
        if feed_id != LATE:
            ingest_file(feed_id, feed_path(tmp_path / "feeds", feed_id, AS_OF), AS_OF, store)
    with feed_path(tmp_path / "feeds", LATE, AS_OF).open(encoding="utf-8-sig", newline="") as fh:
        number = list(csv.reader(fh))[1][0]
    # Date the store folder back, so its feed list is cached (not within the same timestamp tick).
    root = store.root
    os.utime(root, ns=(root.stat().st_atime_ns, root.stat().st_mtime_ns - 10**10))
    before = household.fetch_rows(store, [number], AS_OF)
    assert LATE not in before
    assert any(k[0] == str(root) for k in household._feed_lists)
    ingest_file(LATE, feed_path(tmp_path / "feeds", LATE, AS_OF), AS_OF, store)
    after = household.fetch_rows(store, [number], AS_OF)
    assert number in after[LATE]["id_number"].to_pylist()
    assert after.keys() == household.fetch_rows(store, [number], AS_OF, fast=False).keys()
