"""The lookup index (engine.lookup) returns exactly what the DuckDB point lookups return.

Real demo feeds ingested into a real store: every feed, digest rows (securities), the marriage feed's
女方 column, rows without a number reached through confirmed links, a monthly feed delivered twice,
and a `--replace` that must invalidate the index.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.demo.feeds import HEADERS, feed_path, write_feeds
from minzheng.demo.generator import write_residents_file
from minzheng.verification.engine import evaluate as ev
from minzheng.verification.engine import household as engine
from minzheng.verification.engine import lookup
from minzheng.verification.engine.ingest import ingest_file
from minzheng.verification.engine.store import FeedStore

AS_OF = dt.date(2026, 12, 1)
EARLIER = dt.date(2026, 11, 1)


@pytest.fixture(scope="module", autouse=True)
def small_batches() -> Iterator[None]:
    """Batches of 16 rows, so the demo feeds span many batches and a person's monthly rows cross them."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lookup, "BATCH", 16)
        yield


@pytest.fixture(scope="module")
def county(
    tmp_path_factory: pytest.TempPathFactory, small_batches: None
) -> tuple[FeedStore, dict[str, list[dict[str, str]]], Path]:
    root = tmp_path_factory.mktemp("lookup")
    residents = root / "residents.csv"
    write_residents_file(residents, persons=600, seed=11)
    write_feeds(residents, root / "feeds", as_of=AS_OF, seed=11)
    store = FeedStore(root / "store")
    for feed_id in HEADERS:
        ingest_file(feed_id, feed_path(root / "feeds", feed_id, AS_OF), AS_OF, store)
    # A monthly feed delivered twice: the earlier snapshot still covers the income window.
    ingest_file("social_insurance", feed_path(root / "feeds", "social_insurance", AS_OF), EARLIER, store)
    households: dict[str, list[dict[str, str]]] = {}
    with residents.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            households.setdefault(row["户编号"], []).append(row)
    return store, households, root / "feeds"


def _members(rows: list[dict[str, str]], number: str) -> pa.Table:
    return pa.table(
        {
            "id_number": [r["公民身份号码"] for r in rows],
            "name": [r["姓名"] for r in rows],
            "household_no": [number] * len(rows),
        }
    )


def _links(store: FeedStore, id_number: str) -> pa.Table:
    """Confirmed links (selectors.confirmed_links' shape) from every row without a number to one member."""
    feed, day, rows = [], [], []
    for feed_id in store.feed_ids():
        snap = store.latest(feed_id, AS_OF)
        assert snap is not None
        table = snap.read(["_row", "id_number"])
        orphans = table.filter(pc.is_null(table.column("id_number"))).column("_row").to_pylist()[:3]
        feed += [feed_id] * len(orphans)
        day += [snap.as_of] * len(orphans)
        rows += orphans
    return pa.table(
        {
            "feed": pa.array(feed, pa.string()),
            "feed_as_of": pa.array(day, pa.date32()),
            "as_of": pa.array(day, pa.date32()),
            "_row": pa.array(rows, pa.int64()),
            "id_number": pa.array([id_number] * len(rows), pa.string()),
            "match_weight": pa.array([9.5] * len(rows), pa.float64()),
        }
    )


def _ordered(table: pa.Table) -> pa.Table:
    return table.sort_by([("feed_as_of", "ascending"), ("_row", "ascending")])


def _assert_same_fetch(store: FeedStore, members: pa.Table, links: pa.Table | None) -> dict[str, pa.Table]:
    members = ev.with_digests(members, DIGEST_KEY)
    ids, digests = members.column("id_number").to_pylist(), members.column("id_digest").to_pylist()
    slow = engine.fetch_rows(store, ids, AS_OF, digests=digests, links=links, fast=False)
    fast = engine.fetch_rows(store, ids, AS_OF, digests=digests, links=links, fast=True)
    assert sorted(fast) == sorted(slow)
    for feed_id, table in fast.items():
        other = slow[feed_id]
        assert sorted(table.column_names) == sorted(other.column_names), feed_id
        a, b = _ordered(table), _ordered(other.select(table.column_names))
        assert a.schema == b.schema, feed_id
        assert a.equals(b), feed_id
    return fast


def _marriage_wife(store: FeedStore) -> str:
    snap = store.latest("marriage", AS_OF)
    assert snap is not None
    wives = snap.read(["spouse_id_number"]).column("spouse_id_number").drop_null().to_pylist()
    assert wives, "the demo marriage feed should name 女方"
    return wives[0]


def _household_of(households: dict[str, list[dict[str, str]]], number: str) -> pa.Table:
    key, rows = next((k, v) for k, v in households.items() if any(r["公民身份号码"] == number for r in v))
    return _members(rows, key)


def test_fast_path_returns_the_duckdb_rows(county: Any) -> None:
    store, households, _ = county
    chosen = list(households.items())[:12]
    seen: set[str] = set()
    for number, rows in chosen:
        seen |= set(_assert_same_fetch(store, _members(rows, number), None))
    # The wife alone (her husband, the row's id_number, not asked for): only 女方's column finds the row.
    number = _marriage_wife(store)
    wife = _household_of(households, number)
    alone = wife.filter(pc.equal(wife.column("id_number"), number))
    found = _assert_same_fetch(store, alone, None)
    assert number in found["marriage"].column("spouse_id_number").to_pylist()
    found = _assert_same_fetch(store, wife, None)
    assert {"social_insurance", "death"} <= seen | set(found)
    assert (store.snapshot("marriage", AS_OF).path / lookup.FOLDER / "meta.json").exists()  # type: ignore[union-attr]


def test_digest_rows_and_confirmed_links_are_found_the_same_way(county: Any) -> None:
    store, households, _ = county
    owners = {ev.with_digests(_members(r, k), DIGEST_KEY)["id_digest"][0].as_py(): k for k, r in households.items()}
    snap = store.latest("securities", AS_OF)
    assert snap is not None
    digests = snap.read(["id_digest"]).column("id_digest").drop_null().to_pylist()
    number = next(owners[d] for d in digests if d in owners)
    members = _members(households[number], number)
    links = _links(store, households[number][0]["公民身份号码"])
    assert links.num_rows
    found = _assert_same_fetch(store, members, links)
    assert "securities" in found
    linked = {(f, r) for f, r in zip(links["feed"].to_pylist(), links["_row"].to_pylist(), strict=True)}
    got = {(f, r) for f, t in found.items() for r in t.column("_row").to_pylist()}
    assert linked <= got


def test_verify_results_are_identical(county: Any) -> None:
    store, households, _ = county
    for number, rows in list(households.items())[:6]:
        members = _members(rows, number)
        links = _links(store, rows[0]["公民身份号码"])
        slow = engine.verify(store, members, AS_OF, digest_key=DIGEST_KEY, links=links, fast=False)
        fast = engine.verify(store, members, AS_OF, digest_key=DIGEST_KEY, links=links, fast=True)
        assert fast.persons.equals(slow.persons)
        assert fast.households.equals(slow.households)
        key = [("id_number", "ascending"), ("feed", "ascending"), ("feed_as_of", "ascending"), ("_row", "ascending")]
        assert fast.findings.sort_by(key).equals(slow.findings.sort_by(key))
        assert engine.to_json(fast, AS_OF) == engine.to_json(slow, AS_OF)


def test_the_order_rows_arrive_in_changes_nothing(county: Any) -> None:
    """The lookups may return a person's rows in any order (DuckDB runs in parallel); the result,
    its texts (employers listed in file order) and the match it reports must not depend on it."""
    store, households, _ = county
    mixed: list[str] = []
    for number, rows in list(households.items())[:40]:
        members = ev.with_digests(_members(rows, number), DIGEST_KEY)
        links = _links(store, rows[0]["公民身份号码"])
        ids, digests = members.column("id_number").to_pylist(), members.column("id_digest").to_pylist()
        feeds = engine.fetch_rows(store, ids, AS_OF, digests=digests, links=links, fast=True)
        reversed_feeds = {k: t.take(pa.array(range(t.num_rows - 1, -1, -1))) for k, t in feeds.items()}
        a = ev.evaluate(members, feeds, AS_OF, links)
        b = ev.evaluate(members, reversed_feeds, AS_OF, links)
        assert a.findings.equals(b.findings), number
        assert a.persons.equals(b.persons), number
        mixed += [e for e in a.findings.column("evidence").to_pylist() if '"rows":[' in e and '"confirmed"' in e]
    # Rows matched by number and rows linked by hand in one summary: the summary says "confirmed".
    assert mixed
    assert all('"match_weight":9.5' in e for e in mixed)


def test_a_replaced_snapshot_rebuilds_its_index(county: Any, tmp_path: Path) -> None:
    store, households, feeds = county
    number, rows = next(iter(households.items()))
    members = _members(rows, number)
    head = rows[0]["公民身份号码"]
    # Date the feed folder back, so its listing is cached (household._snapshots_cached) before the replace.
    folder = store.root / "public_payroll"
    os.utime(folder, ns=(folder.stat().st_atime_ns, folder.stat().st_mtime_ns - 10**10))
    before = _assert_same_fetch(store, members, None)
    assert any(k[0] == str(folder) for k in engine._listings)
    assert "public_payroll" not in before or head not in before["public_payroll"]["id_number"].to_pylist()
    original = feed_path(feeds, "public_payroll", AS_OF)
    path = tmp_path / original.name
    shutil.copy(original, path)
    with path.open("a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow([head, rows[0]["姓名"], "宁波某局", "公务员"])
    old = store.snapshot("public_payroll", AS_OF)
    assert old is not None and lookup.index_for(old) is not None
    ingest_file("public_payroll", path, AS_OF, store, replace=True)
    after = _assert_same_fetch(store, members, None)
    assert head in after["public_payroll"]["id_number"].to_pylist()
    new = store.snapshot("public_payroll", AS_OF)
    assert new is not None and new.sha256 != old.sha256
    assert lookup.index_for(new) is not None
    # The replaced delivery keeps its own index beside its data, still valid for it.
    (aside,) = new.replaced()
    assert (aside / lookup.FOLDER / "meta.json").exists()
