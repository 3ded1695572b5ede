"""Issue 16 item 4: the batch in memory bounded by the partition, not by the number of households.

Structural checks only (no timed or memory asserts): the population is staged to disk one batch at
a time, one file per partition; the shuffle reads its join keys from a file under a fixed DuckDB
memory limit with small per-partition write buffers; and the streamed engine (`run_file`, the
population read from Parquet in batches) gives row for row what `run_all` gives from a table.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.verification.engine import batch as engine
from minzheng.verification.tests.batch_fixtures import AS_OF, County, county_files

__all__ = ["county_files"]  # fixture


def test_run_file_streams_the_population_to_the_same_rows(
    county_files: County, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Batches of 50 persons: every partition's members arrive over several batches.
    monkeypatch.setattr(engine, "MEMBER_BATCH", 50)
    path = tmp_path / "members.parquet"
    pq.write_table(county_files.members, path, row_group_size=50)
    spec = engine.spec_for(county_files.feeds_dir / "store", AS_OF, digest_key=DIGEST_KEY)
    streamed = list(engine.run_file(path, spec, chunk_households=20, work_dir=tmp_path))
    keys = [k for k, _ in streamed]
    assert keys == engine.partition_keys(engine.assign_chunks(county_files.members, 20))
    assert len(keys) > 10
    whole = engine.run_all(county_files.members, spec, chunk_households=20)
    assert pa.concat_tables([t for _, t in streamed]).sort_by("household_no").equals(whole)
    assert not list(tmp_path.glob("batch-*"))  # the staged members and shuffled rows are gone


def test_members_are_staged_per_partition_in_their_order(county_files: County, tmp_path: Path) -> None:
    members = engine.assign_chunks(county_files.members, 20)
    seen: list[int] = []

    def batches() -> Iterator[pa.RecordBatch]:
        for b in members.to_batches(max_chunksize=64):
            seen.append(b.num_rows)
            yield b

    keys = engine.stage_members(batches(), tmp_path, DIGEST_KEY)
    assert len(seen) > 10  # consumed as a stream of small batches, never one table
    assert keys == engine.partition_keys(members)
    with_digests = engine.with_member_digests(members, DIGEST_KEY)
    for key in keys:
        county, chunk = key.split(":")
        want = with_digests.filter(pc.and_(pc.equal(members["county"], county), pc.equal(members["chunk"], int(chunk))))
        assert engine.read_staged(tmp_path, key).equals(want)
    staged = pq.read_table(tmp_path / "keys.parquet")
    assert staged.column_names == ["id_number", "id_digest", "_part"]
    assert staged.num_rows == members.num_rows


def test_the_shuffle_reads_its_keys_from_disk_under_a_fixed_memory_limit(tmp_path: Path) -> None:
    keys = tmp_path / "keys.parquet"
    pq.write_table(pa.table({"id_number": ["1"], "id_digest": [None], "_part": ["330102-0"]}), keys)
    con, _ = engine._connect(keys, None, 2, spill=tmp_path / ".spill")
    try:
        settings = dict(
            con.sql(
                "SELECT name, value FROM duckdb_settings() WHERE name IN "
                "('memory_limit', 'partitioned_write_flush_threshold', 'preserve_insertion_order')"
            ).fetchall()
        )
        # The keys are a view over the file, not a table registered from this process's memory.
        kind = con.sql("SELECT table_type FROM information_schema.tables WHERE table_name = 'm'").fetchall()
    finally:
        con.close()
    assert settings["partitioned_write_flush_threshold"] == str(engine.SHUFFLE_FLUSH_ROWS)
    assert engine.SHUFFLE_FLUSH_ROWS <= 65_536  # DuckDB's default (524,288 rows a partition) grew with the data
    assert settings["memory_limit"].split()[0] != "0"
    assert float(settings["memory_limit"].split()[0]) <= 1024  # MiB (DuckDB prints 244.1 MiB for 256MB)
    assert settings["preserve_insertion_order"] == "false"
    assert kind == [("VIEW",)]
