"""Issue 16 item 2: the one-household lookup index reads its rows in place (no decompression per call).

With zstd-compressed batches every found row cost the decompression of its whole batch, which made the
indexed fetch slower than an indexed PostgreSQL query. Structural checks, no timings.
"""

from __future__ import annotations

import json

import pyarrow as pa

from minzheng.verification.engine import lookup
from minzheng.verification.engine.store import FeedStore
from minzheng.verification.tests.batch_fixtures import AS_OF, County, county_files

__all__ = ["county_files"]  # fixture


def test_index_rows_are_stored_uncompressed_and_memory_mapped(county_files: County) -> None:
    store = FeedStore(county_files.feeds_dir / "store")
    snap = store.latest("social_insurance", AS_OF)
    assert snap is not None
    index = lookup.index_for(snap)
    assert index is not None
    rows = snap.path / lookup.FOLDER / "rows.arrow"
    table = pa.ipc.open_file(pa.memory_map(str(rows))).read_all()
    # Uncompressed IPC holds at least the rows' own buffers; zstd would be a fraction of them.
    assert rows.stat().st_size >= table.nbytes
    meta = json.loads((snap.path / lookup.FOLDER / "meta.json").read_text(encoding="utf-8"))
    assert meta["stamp"][0] == lookup.VERSION == 3
    # A batch taken from the index is a view of the mapped file, not a decompressed copy.
    before = pa.total_allocated_bytes()
    batch = index.reader.get_batch(0)
    assert pa.total_allocated_bytes() - before < batch.nbytes


def test_an_older_zstd_index_is_rebuilt(county_files: County) -> None:
    store = FeedStore(county_files.feeds_dir / "store")
    snap = store.latest("pension", AS_OF)
    assert snap is not None
    assert lookup.index_for(snap) is not None
    meta_path = snap.path / lookup.FOLDER / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["stamp"][0] = 2  # as written before this change
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    lookup._cache.clear()
    assert lookup.index_for(snap) is not None
    assert json.loads(meta_path.read_text(encoding="utf-8"))["stamp"][0] == lookup.VERSION
