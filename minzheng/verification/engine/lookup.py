"""Fast one-household lookups: a per-snapshot index beside `data.parquet`, built on first use.

A `read_parquet` costs DuckDB ~10 ms per snapshot even when it reads one page (footer, page index,
plan), so a household over ~25 snapshots cost ~280 ms. The index turns a lookup into a binary search
and the decompression of one or two 4,096-row batches:

    <snapshot>/.lookup/rows.arrow       the snapshot's rows as Arrow IPC, zstd, batches of 4,096 rows
                       first_ids.npy    the first id_number of every batch (the rows are sorted by it)
                       <column>.keys.npy / <column>.pos.npy   sorted keys → row positions, for the
                                        columns that are not the sort order (digest, 女方 number, _row)
                       meta.json        source sha256, data.parquet size and mtime, format version

It lives inside the snapshot folder, so `--replace` and `restore` move it with its data; it is
checked against the manifest's sha256 and the data file's size and mtime before use, and rebuilt
when they differ. Everything is memory-mapped: a process keeps only the small arrays and the open
files (process-wide cache). When the index cannot be built (the feed is being written, an unsorted
file, a read-only store) `index_for` returns None and the caller uses DuckDB. Django-free.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from minzheng.verification.engine.store import Snapshot

VERSION = 1
BATCH = 4096  # rows per IPC batch: one batch decompresses in well under a millisecond
FOLDER = ".lookup"
ID_WIDTH = 18
_lock = threading.Lock()
_cache: dict[str, tuple[tuple[object, ...], Index]] = {}


@dataclass
class Index:
    """One snapshot's index: the rows (memory-mapped IPC) and the key arrays (memory-mapped npy)."""

    reader: pa.ipc.RecordBatchFileReader
    first_ids: np.ndarray
    keys: dict[str, tuple[np.ndarray, np.ndarray]]
    batch: int  # rows per IPC batch, as written (meta.json)

    @property
    def schema(self) -> pa.Schema:
        return self.reader.schema

    def positions(self, ids: list[str], digests: list[str], rows: list[int], second: str | None) -> list[int]:
        """Row positions meeting the same conditions as household._conditions' SQL."""
        found: set[int] = set()
        for batch in self._id_batches(ids):
            column = self.reader.get_batch(batch).column("id_number")
            hits = pc.indices_nonzero(pc.fill_null(pc.is_in(column, pa.array(ids, pa.string())), False))
            found.update(batch * self.batch + int(i) for i in hits.to_pylist())
        found.update(self._dense("id_digest", digests))
        found.update(self._dense("_row", rows))
        if second:
            found.update(self._dense(second, ids))
        return sorted(found)

    def _id_batches(self, ids: list[str]) -> set[int]:
        out: set[int] = set()
        if not ids or not len(self.first_ids):
            return out
        wanted = np.array(ids, dtype=f"S{ID_WIDTH}")
        # A number's rows start in the last batch whose first number is below it (or equal: the
        # batch before may end with it too) and end in the last batch starting with it or below.
        starts = np.maximum(np.searchsorted(self.first_ids, wanted, "left") - 1, 0)
        ends = np.maximum(np.searchsorted(self.first_ids, wanted, "right") - 1, 0)
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            out.update(range(s, e + 1))
        return out

    def _dense(self, column: str, values: list[str] | list[int]) -> list[int]:
        if column not in self.keys or not values:
            return []
        keys, pos = self.keys[column]
        wanted = np.array(values, dtype=keys.dtype)
        lo = np.searchsorted(keys, wanted, "left")
        hi = np.searchsorted(keys, wanted, "right")
        out: list[int] = []
        for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
            out.extend(pos[a:b].tolist())
        return out

    def take(self, positions: list[int]) -> pa.Table:
        """The rows at `positions` (sorted), in the snapshot's column order."""
        if not positions:
            return self.schema.empty_table()
        wanted = np.asarray(positions, dtype=np.int64)
        batches = []
        for b in np.unique(wanted // self.batch).tolist():
            local = wanted[(wanted // self.batch) == b] - b * self.batch
            batches.append(self.reader.get_batch(b).take(pa.array(local)))
        return pa.Table.from_batches(batches, schema=self.schema)


def _stamp(snap: Snapshot) -> tuple[object, ...]:
    st = snap.data_path.stat()
    return (VERSION, snap.sha256, st.st_size, st.st_mtime_ns)


def index_for(snap: Snapshot) -> Index | None:
    """The snapshot's index (built and written on first use), or None: then use DuckDB."""
    try:
        stamp = _stamp(snap)
    except OSError:
        return None
    key = str(snap.data_path)
    with _lock:
        hit = _cache.get(key)
        if hit and hit[0] == stamp:
            return hit[1]
        found = _open(snap.path / FOLDER, stamp) or _build(snap, stamp)
        if found is not None:
            _cache[key] = (stamp, found)
        return found


def _open(folder: Path, stamp: tuple[object, ...]) -> Index | None:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
        if tuple(meta["stamp"]) != stamp:
            return None  # stale: the snapshot was replaced or rewritten
        reader = pa.ipc.open_file(pa.memory_map(str(folder / "rows.arrow")))
        keys = {
            c: (np.load(folder / f"{c}.keys.npy", mmap_mode="r"), np.load(folder / f"{c}.pos.npy", mmap_mode="r"))
            for c in meta["dense"]
        }
        return Index(reader, np.load(folder / "first_ids.npy"), keys, int(meta["batch"]))
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None


def _build(snap: Snapshot, stamp: tuple[object, ...]) -> Index | None:
    """Write the index under the feed's writer lock, without waiting: an ingest in progress wins."""
    lock_path = snap.path.parent / ".lock"  # the lock FeedStore.locked() takes
    try:
        with lock_path.open("a") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None
            try:
                if not snap.data_path.exists() or _stamp(snap) != stamp:
                    return None
                return _write(snap, stamp)
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    except OSError:
        return None


def _write(snap: Snapshot, stamp: tuple[object, ...]) -> Index | None:
    size = BATCH
    table = pq.read_table(snap.data_path).combine_chunks()
    ids = table.column("id_number")
    valid = len(ids) - ids.null_count
    # The sort order is what the sparse index relies on: nulls last, numbers of 18 characters, ascending.
    if ids.slice(0, valid).null_count or not _fixed_width(ids.slice(0, valid), ID_WIDTH):
        return None
    try:
        dense = _dense_keys(table, snap.feed_id, valid)
    except ValueError:
        return None
    first = np.array(ids.slice(0, valid).to_numpy(zero_copy_only=False)[::size], dtype=f"S{ID_WIDTH}")
    if len(first) > 1 and not bool(np.all(first[1:] >= first[:-1])):
        return None
    tmp = snap.path / f"{FOLDER}.tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        options = pa.ipc.IpcWriteOptions(compression="zstd")
        with (
            pa.OSFile(str(tmp / "rows.arrow"), "wb") as sink,
            pa.ipc.new_file(sink, table.schema, options=options) as w,
        ):
            for start in range(0, table.num_rows, size):
                for batch in table.slice(start, size).to_batches():
                    w.write_batch(batch)
        np.save(tmp / "first_ids.npy", first)
        for column, (keys, pos) in dense.items():
            np.save(tmp / f"{column}.keys.npy", keys)
            np.save(tmp / f"{column}.pos.npy", pos)
        meta = {"stamp": list(stamp), "dense": sorted(dense), "batch": size}
        (tmp / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        final = snap.path / FOLDER
        if final.exists():
            shutil.rmtree(final)
        os.replace(tmp, final)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return None
    return _open(snap.path / FOLDER, stamp)


def _fixed_width(values: pa.Array, width: int) -> bool:
    if not len(values):
        return True
    lengths = pc.binary_length(values)
    return pc.min(lengths).as_py() == width and pc.max(lengths).as_py() == width


def _dense_keys(table: pa.Table, feed_id: str, valid: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Sorted (key, position) arrays for the lookups that do not follow the sort order."""
    from minzheng.verification.engine.household import SECOND_ID  # one definition of the second column

    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    n = table.num_rows
    nulls = np.arange(valid, n, dtype=np.int64)  # rows without a number: the digest and _row lookups
    if "id_digest" in table.column_names:
        digests = table.column("id_digest").slice(valid)
        keep = np.asarray(digests.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        values = np.asarray(digests.to_numpy(zero_copy_only=False)[keep], dtype="U")
        out["id_digest"] = _sorted(values.astype("S") if len(values) else np.array([], "S64"), nulls[keep])
    rows = np.asarray(table.column("_row").slice(valid).fill_null(-1).to_numpy(), dtype=np.int64)
    out["_row"] = _sorted(rows, nulls)
    second = SECOND_ID.get(feed_id)
    if second and second in table.column_names:
        col = table.column(second)
        keep = np.asarray(col.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        if not _fixed_width(pc.drop_null(col), ID_WIDTH):
            raise ValueError(second)  # would not fit the key width: leave this snapshot to DuckDB
        values = col.to_numpy(zero_copy_only=False)[keep]
        out[second] = _sorted(np.array(values, dtype=f"S{ID_WIDTH}"), np.arange(n, dtype=np.int64)[keep])
    return out


def _sorted(keys: np.ndarray, pos: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.argsort(keys, kind="stable")
    return keys[order], pos[order]
