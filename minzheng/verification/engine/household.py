"""One household (一键核对): fetch each feed's rows for the members from the store, then `evaluate`.

Point lookups with DuckDB on the snapshots' `data.parquet`, which the store keeps sorted by
`id_number` in row groups of ~100k rows: `WHERE id_number IN (...)` reads only the row groups whose
min/max can hold a member (one or two per feed), so a household costs a few milliseconds per feed
whatever the feed's size. Digest feeds (身份号码摘要) are looked up by the members' HMAC-SM3 digests,
marriage also by its second identity column, and rows linked by a confirmed match by their `_row`.
One in-process DuckDB database for the process; each call takes its own cursor (thread-safe).
Django-free: the caller passes the store, the members and the digest key.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from minzheng.verification.engine import evaluate as ev
from minzheng.verification.engine import lookup
from minzheng.verification.engine.store import FeedStore, Snapshot
from minzheng.verification.engine.texts import MONTHLY_FEEDS

_ID = re.compile(r"^[0-9]{17}[0-9X]$")
_HEX = re.compile(r"^[0-9a-f]{64}$")
_FEED = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
SECOND_ID = {"marriage": "spouse_id_number"}
_lock = threading.Lock()
_db: duckdb.DuckDBPyConnection | None = None
_layouts: dict[tuple[str, int], _Layout] = {}
_listings: dict[tuple[str, int], list[Snapshot]] = {}
_feed_lists: dict[tuple[str, int], list[str]] = {}


@dataclass(frozen=True)
class _Layout:
    """What a snapshot file offers, read once from its Parquet footer (snapshots never change in place)."""

    columns: frozenset[str]
    has_digests: bool


def _cursor() -> duckdb.DuckDBPyConnection:
    global _db
    with _lock:
        if _db is None:
            _db = duckdb.connect(config={"threads": 2})
            # Keep the snapshots' footers (row-group statistics, page index) between lookups.
            _db.sql("LOAD parquet")
            _db.sql("SET parquet_metadata_cache = true")
        return _db.cursor()


def _layout(path: Path) -> _Layout:
    key = (str(path), path.stat().st_mtime_ns)
    found = _layouts.get(key)
    if found is None:
        meta = pq.ParquetFile(path).metadata
        names = frozenset(meta.schema.to_arrow_schema().names)
        has = False
        if "id_digest" in names:
            index = meta.schema.to_arrow_schema().get_field_index("id_digest")
            for g in range(meta.num_row_groups):
                stats = meta.row_group(g).column(index).statistics
                if stats is None or stats.null_count < meta.row_group(g).num_rows:
                    has = True
                    break
        found = _layouts[key] = _Layout(names, has)
    return found


def snapshots_for(store: FeedStore, feed_id: str, as_of: dt.date) -> list[Snapshot]:
    """The latest snapshot; for monthly feeds also the earlier ones that still cover months of the window."""
    latest = store.latest(feed_id, as_of)
    if latest is None:
        return []
    if feed_id not in MONTHLY_FEEDS:
        return [latest]
    start, _ = ev.window(as_of)
    return [s for s in store.snapshots(feed_id) if start < s.as_of <= as_of] or [latest]


def _snapshots_cached(store: FeedStore, feed_id: str, as_of: dt.date) -> list[Snapshot]:
    """`snapshots_for`, without re-reading the feed's manifests on every household.

    A snapshot appears, is replaced or restored only by renames inside the feed's folder, which change
    the folder's mtime. The listing is reused only while that mtime is unchanged *and* more than a
    second old: a change within the same timestamp tick as the listing cannot be missed.
    """
    folder = os.path.join(store.root, feed_id)  # a string: pathlib's parsing cost more than the stat
    try:
        mtime = os.stat(folder).st_mtime_ns
    except OSError:
        return []
    key = (folder, mtime)
    snaps = _listings.get(key)
    if snaps is None:
        snaps = store.snapshots(feed_id)
        if time.time_ns() - mtime > 1_000_000_000:
            for stale in [k for k in _listings if k[0] == folder]:
                _listings.pop(stale, None)
            _listings[key] = snaps
    days = [s for s in snaps if s.as_of <= as_of]
    if not days:
        return []
    if feed_id not in MONTHLY_FEEDS:
        return [days[-1]]
    start, _ = ev.window(as_of)
    return [s for s in days if start < s.as_of] or [days[-1]]


def _feed_ids_cached(store: FeedStore) -> list[str]:
    """`store.feed_ids()`, reused while the store folder's mtime is unchanged and over a second old
    (a feed folder appears or goes only by a rename inside it), as `_snapshots_cached` does."""
    root = str(store.root)
    try:
        mtime = os.stat(root).st_mtime_ns
    except OSError:
        return []
    ids = _feed_lists.get((root, mtime))
    if ids is None:
        ids = store.feed_ids()
        if time.time_ns() - mtime > 1_000_000_000:
            for stale in [k for k in _feed_lists if k[0] == root]:
                _feed_lists.pop(stale, None)
            _feed_lists[(root, mtime)] = ids
    return ids


def _quoted(values: Iterable[str], pattern: re.Pattern[str]) -> str:
    # Only validated identity numbers and hex digests reach the SQL text (no quoting issues possible).
    checked = sorted({v for v in values if pattern.match(v)})
    return ", ".join(f"'{v}'" for v in checked)


def _path_literal(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _select(snap: Snapshot, where: str) -> str:
    return (
        f"SELECT *, '{snap.feed_id}' AS _feed, DATE '{snap.as_of.isoformat()}' AS feed_as_of "  # noqa: S608
        f"FROM read_parquet({_path_literal(snap.data_path)}) WHERE {where}"
    )


def _conditions(snap: Snapshot, ids: str, digests: str, linked_rows: Sequence[int]) -> list[str]:
    layout = _layout(snap.data_path)
    # Separate SELECTs, not one OR: an OR across columns would stop DuckDB pruning row groups by id_number.
    where = [f"id_number IN ({ids})"] if ids else []
    if digests and layout.has_digests:
        where.append(f"id_number IS NULL AND id_digest IN ({digests})")
    second = SECOND_ID.get(snap.feed_id)
    if second and ids and second in layout.columns:
        where.append(f"{second} IN ({ids})")
    if linked_rows:
        where.append("id_number IS NULL AND _row IN (" + ", ".join(str(int(r)) for r in linked_rows) + ")")
    return where


def fetch_rows(
    store: FeedStore,
    id_numbers: Sequence[str],
    as_of: dt.date,
    *,
    digests: Sequence[str] = (),
    links: pa.Table | None = None,
    fast: bool = True,
) -> dict[str, pa.Table]:
    """Feed id → the rows of the members (with `feed_as_of`), from the snapshots in force on `as_of`.

    `fast`: through each snapshot's lookup index (engine.lookup) where it exists or can be built; the
    feeds without one (and every feed with `fast=False`) go through one DuckDB statement.
    """
    ids, hexes = _quoted(id_numbers, _ID), _quoted(digests, _HEX)
    valid_ids = sorted({v for v in id_numbers if v and _ID.match(v)})
    valid_hexes = sorted({v for v in digests if v and _HEX.match(v)})
    linked = _linked_rows(links)
    selects: list[str] = []
    columns: dict[str, set[str]] = {}
    out: dict[str, pa.Table] = {}
    for feed_id in _feed_ids_cached(store) if fast else store.feed_ids():
        if not _FEED.match(feed_id):
            continue  # not a feed directory (the id goes into the SQL text)
        snaps = _snapshots_cached(store, feed_id, as_of) if fast else snapshots_for(store, feed_id, as_of)
        if fast and snaps:
            indexed = _indexed_rows(snaps, valid_ids, valid_hexes, linked)
            if indexed is not None:
                if indexed.num_rows:
                    out[feed_id] = indexed
                continue
        for snap in snaps:
            columns[feed_id] = columns.get(feed_id, set()) | _layout(snap.data_path).columns
            for where in _conditions(snap, ids, hexes, linked.get((feed_id, snap.as_of), ())):
                selects.append(_select(snap, where))
    if not selects:
        return out
    # One statement for every feed: DuckDB plans once and runs the scans side by side.
    cur = _cursor()
    try:
        found = cur.sql(" UNION ALL BY NAME ".join(selects)).to_arrow_table()
    finally:
        cur.close()
    feeds = found.column("_feed")
    for feed_id, names in columns.items():
        part = found.filter(pc.equal(feeds, feed_id))
        if part.num_rows:
            keep = [c for c in part.column_names if c in names or c == "feed_as_of"]
            out[feed_id] = _distinct_rows(part.select(keep))
    return out


def _indexed_rows(
    snaps: list[Snapshot],
    ids: list[str],
    hexes: list[str],
    linked: dict[tuple[str, dt.date], list[int]],
) -> pa.Table | None:
    """One feed's rows through the lookup indexes, or None when a snapshot has none (then DuckDB).

    `ids`, `hexes`: validated numbers and digests (the same inputs the SQL text gets)."""
    parts = []
    found_any = False
    for snap in snaps:
        index = lookup.index_for(snap)
        if index is None:
            return None
        rows = [int(r) for r in linked.get((snap.feed_id, snap.as_of), ())]
        positions = index.positions(ids, hexes, rows, SECOND_ID.get(snap.feed_id))
        if not positions:
            # An empty part still brings its columns, as DuckDB's UNION ALL BY NAME does.
            parts.append(_empty_part(index.schema))
            continue
        found = index.take(positions)
        day = pa.array([snap.as_of] * found.num_rows, pa.date32())
        parts.append(found.append_column("feed_as_of", day))
        found_any = True
    if not found_any:
        return parts[0]
    table = pa.concat_tables(parts, promote_options="default") if len(parts) > 1 else parts[0]
    return table.combine_chunks()


@functools.lru_cache(maxsize=256)
def _empty_part(schema: pa.Schema) -> pa.Table:
    return schema.empty_table().append_column("feed_as_of", pa.array([], pa.date32()))


def _distinct_rows(table: pa.Table) -> pa.Table:
    """A row found twice (marriage: both spouses are members) is still one source row."""
    if table.num_rows < 2:
        return table
    keys = list(zip(table.column("feed_as_of").to_pylist(), table.column("_row").to_pylist(), strict=True))
    seen: set[tuple[object, object]] = set()
    keep = []
    for i, k in enumerate(keys):
        if k not in seen:
            seen.add(k)
            keep.append(i)
    return table if len(keep) == table.num_rows else table.take(keep)


def _linked_rows(links: pa.Table | None) -> dict[tuple[str, dt.date], list[int]]:
    out: dict[tuple[str, dt.date], list[int]] = {}
    if links is None:
        return out
    for feed, day, row in zip(
        links.column("feed").to_pylist(),
        links.column("feed_as_of").to_pylist(),
        links.column("_row").to_pylist(),
        strict=True,
    ):
        out.setdefault((feed, day), []).append(int(row))
    return out


def verify(
    store: FeedStore,
    members: pa.Table,
    as_of: dt.date,
    *,
    digest_key: bytes | None = None,
    links: pa.Table | None = None,
    fast: bool = True,
) -> ev.Result:
    """Fetch and evaluate one household (or a handful): the whole 一键核对 minus the app's bookkeeping."""
    if digest_key:
        members = ev.with_digests(members, digest_key)
    ids = members.column("id_number").to_pylist()
    digests = members.column("id_digest").to_pylist() if "id_digest" in members.column_names else []
    feeds = fetch_rows(store, ids, as_of, digests=digests, links=links, fast=fast)
    return ev.evaluate(members, feeds, as_of, links)


TOTAL_KEYS = (
    "members",
    "income_monthly_fen",
    "per_capita_income_monthly_fen",
    "income_wage_fen",
    "income_pension_fen",
    "income_unemployment_fen",
    "income_other_fen",
    "deposits_fen",
    "securities_fen",
    "housing_fund_balance_fen",
    "vehicle_count",
    "vehicle_value_fen",
    "real_estate_count",
    "real_estate_area_m2",
    "enterprise_count",
    "enterprise_capital_fen",
    "deceased_members",
    "flags",
)
PERSON_KEYS = (
    "deposits_fen",
    "securities_fen",
    "housing_fund_balance_fen",
    "vehicle_count",
    "vehicle_value_fen",
    "real_estate_count",
    "real_estate_area_m2",
    "enterprise_count",
    "enterprise_capital_fen",
    "public_payroll",
    "prison",
    "student",
    "disability",
)


def to_json(result: ev.Result, as_of: dt.date) -> list[dict[str, Any]]:
    """Per household, the shape `minzheng verify household --json` prints (issue 3, deliverable 4)."""
    findings: dict[str, list[dict[str, object]]] = {}
    for f in result.findings.to_pylist():
        findings.setdefault(f["id_number"], []).append(
            {
                "feed": f["feed"],
                "feed_name": ev.FEED_LABELS.get(f["feed"], f["feed"]),
                "feed_as_of": f["feed_as_of"].isoformat(),
                "row": f["_row"],
                "kind": f["kind"],
                "counted": f["counted"],
                "text": f["text"],
                "evidence": json.loads(f["evidence"]),
            }
        )
    members: dict[str, list[dict[str, object]]] = {}
    for p in result.persons.to_pylist():
        members.setdefault(p["household_no"], []).append(
            {
                "id_number": p["id_number"],
                "name": p["name"],
                "flags": p["flags"],
                "income_monthly_fen": {
                    "wage": p["income_wage_fen"],
                    "pension": p["income_pension_fen"],
                    "unemployment": p["income_unemployment_fen"],
                    "other": p["income_other_fen"],
                    "total": p["income_monthly_fen"],
                },
                "wage_source": p["wage_source"],
                "died_on": p["died_on"].isoformat() if p["died_on"] else None,
                "death_sources": p["death_sources"],
                **{k: p[k] for k in PERSON_KEYS},
                "findings": findings.get(p["id_number"], []),
            }
        )
    return [
        {
            "household": h["household_no"],
            "as_of": as_of.isoformat(),
            "members": members.get(h["household_no"], []),
            "totals": {k: h[k] for k in TOTAL_KEYS},
        }
        for h in result.households.to_pylist()
    ]
