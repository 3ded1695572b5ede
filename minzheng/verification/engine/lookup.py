"""Fast one-household lookups: a per-snapshot index beside `data.parquet`, built on first use.

A `read_parquet` costs DuckDB ~10 ms per snapshot even when it reads one page (footer, page index,
plan), so a household over ~25 snapshots cost ~280 ms. The index turns a lookup into a binary search
over memory-mapped keys and a `take` from the few memory-mapped 1,024-row batches holding the rows:

    <snapshot>/.lookup/rows.arrow       the snapshot's rows as Arrow IPC, uncompressed, batches of 1,024 rows
                       id_number.keys.npy   the numbers as 18-byte keys (sorted: key i is row i)
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

from minzheng.verification.engine.store import DATA, Snapshot

VERSION = 3  # 3: rows uncompressed (2 was zstd); a version-2 index is rebuilt on first use
BATCH = 1024  # rows per IPC batch: what a found row costs to decompress
FOLDER = ".lookup"
ID_WIDTH = 18
_lock = threading.Lock()
_cache: dict[str, tuple[tuple[object, ...], Index]] = {}


@dataclass
class Index:
    """One snapshot's index: the rows (memory-mapped IPC) and the key arrays (memory-mapped npy)."""

    reader: pa.ipc.RecordBatchFileReader
    keys: dict[str, tuple[np.ndarray, np.ndarray | None]]  # column → sorted keys, their row positions
    batch: int  # rows per IPC batch, as written (meta.json)

    @property
    def schema(self) -> pa.Schema:
        return self.reader.schema

    def positions(self, ids: list[str], digests: list[str], rows: list[int], second: str | None) -> list[int]:
        """Row positions meeting the same conditions as household._conditions' SQL."""
        found: set[int] = set(self._dense("id_number", ids))
        found.update(self._dense("id_digest", digests))
        found.update(self._dense("_row", rows))
        if second:
            found.update(self._dense(second, ids))
        return sorted(found)

    def _dense(self, column: str, values: list[str] | list[int]) -> list[int]:
        if column not in self.keys or not values:
            return []
        keys, pos = self.keys[column]
        wanted = np.array(values, dtype=keys.dtype)
        lo = np.searchsorted(keys, wanted, "left")
        hi = np.searchsorted(keys, wanted, "right")
        out: list[int] = []
        for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
            out.extend(range(a, b) if pos is None else pos[a:b].tolist())
        return out

    def take(self, positions: list[int]) -> pa.Table:
        """The rows at `positions` (sorted), in the snapshot's column order.

        A member's rows are consecutive (the file is sorted by number): each run of positions within
        one batch is a zero-copy slice of the memory-mapped batch, not a `take` kernel call."""
        if not positions:
            return self.schema.empty_table()
        slices = []
        start = prev = positions[0]
        for p in [*positions[1:], -1]:
            if p == prev + 1 and p // self.batch == start // self.batch:
                prev = p
                continue
            slices.append(self.reader.get_batch(start // self.batch).slice(start % self.batch, prev - start + 1))
            start = prev = p
        return pa.Table.from_batches(slices, schema=self.schema)


def _positions(folder: Path, column: str) -> np.ndarray | None:
    path = folder / f"{column}.pos.npy"
    return _mapped(path) if path.exists() else None  # None: the key's own position


def _mapped(path: Path) -> np.ndarray:
    # A plain ndarray over the mapped file: np.memmap's Python-level __getitem__ and __array_finalize__
    # cost more than the binary search on every lookup.
    return np.load(path, mmap_mode="r").view(np.ndarray)


def _stamp(snap: Snapshot, data: str | None = None) -> tuple[object, ...]:
    st = os.stat(data or snap.data_path)
    return (VERSION, snap.sha256, st.st_size, st.st_mtime_ns)


def index_for(snap: Snapshot) -> Index | None:
    """The snapshot's index (built and written on first use), or None: then use DuckDB."""
    key = os.path.join(snap.path, DATA)
    try:
        stamp = _stamp(snap, key)  # one stat a call: a rewritten or replaced snapshot is seen at once
    except OSError:
        return None
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
        keys = {c: (_mapped(folder / f"{c}.keys.npy"), _positions(folder, c)) for c in meta["dense"]}
        return Index(reader, keys, int(meta["batch"]))
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
    # The index relies on the store's sort order: nulls last, numbers of 18 characters, ascending.
    if ids.slice(0, valid).null_count or not _fixed_width(ids.slice(0, valid), ID_WIDTH):
        return None
    try:
        dense = _dense_keys(table, snap.feed_id, valid)
    except ValueError:
        return None
    tmp = snap.path / f"{FOLDER}.tmp-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        # Uncompressed: a memory-mapped batch is then read in place. With zstd every found row cost
        # the decompression of its 1,024-row batch (~0.4 ms, 19+ batches a household: most of the
        # fetch, and slower than an indexed PostgreSQL query); the price is disk, ~8× the zstd file.
        options = pa.ipc.IpcWriteOptions(compression=None)
        with (
            pa.OSFile(str(tmp / "rows.arrow"), "wb") as sink,
            pa.ipc.new_file(sink, table.schema, options=options) as w,
        ):
            for start in range(0, table.num_rows, size):
                for batch in table.slice(start, size).to_batches():
                    w.write_batch(batch)
        for column, (keys, pos) in dense.items():
            np.save(tmp / f"{column}.keys.npy", keys)
            if pos is not None:
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


def _dense_keys(table: pa.Table, feed_id: str, valid: int) -> dict[str, tuple[np.ndarray, np.ndarray | None]]:
    """Sorted (key, position) arrays for the lookups that do not follow the sort order."""
    from minzheng.verification.engine.household import SECOND_ID  # one definition of the second column

    n = table.num_rows
    # The numbers are sorted already: their positions are 0..valid-1, the keys the column itself.
    numbers = np.array(table.column("id_number").slice(0, valid).to_numpy(zero_copy_only=False), dtype=f"S{ID_WIDTH}")
    if len(numbers) > 1 and not bool(np.all(numbers[1:] >= numbers[:-1])):
        raise ValueError("id_number")  # not in the store's sort order: leave this snapshot to DuckDB
    out: dict[str, tuple[np.ndarray, np.ndarray | None]] = {"id_number": (numbers, None)}
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
