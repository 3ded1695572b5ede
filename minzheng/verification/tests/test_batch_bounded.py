"""Issue 16 item 4, fourth pass: the batch's population and shuffle held by DuckDB and files, not here.

No timed or memory asserts: the population comes out of DuckDB with its chunk (no table of every
household in this process), the shuffle writes one Arrow file per feed and partition holding exactly
the rows the direct read gives (the Spark / `run_partition` path), the fast digests are HMAC-SM3, and
a resumed run yields exactly the partitions it had left, each identical to an uninterrupted run's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.verification.engine import batch as engine
from minzheng.verification.engine import evaluate as ev
from minzheng.verification.tests.batch_fixtures import AS_OF, County, county_files

__all__ = ["county_files"]  # fixture


@pytest.mark.parametrize("key", [b"k", DIGEST_KEY, b"x" * 64, b"y" * 65, bytes(range(200))])
def test_fast_digests_are_hmac_sm3(key: bytes) -> None:
    numbers = ["330102199001011234", "33010219900101123X", "110101200001010000"]
    assert engine.digests(numbers, key) == [ev.digest(n, key) for n in numbers]


def test_members_come_from_duckdb_in_file_order_with_their_chunk(county_files: County, tmp_path: Path) -> None:
    path = tmp_path / "members.parquet"
    pq.write_table(county_files.members, path, row_group_size=100)
    got = pa.Table.from_batches(list(engine._members(path, 20, tmp_path)))
    want = engine.assign_chunks(county_files.members, 20)
    assert got.num_rows == want.num_rows > 1000
    for name in [*engine.MEMBER_SCHEMA.names, "county", "chunk"]:
        assert got[name].to_pylist() == want[name].to_pylist(), name
    assert not list(tmp_path.glob("batch-members-*"))  # DuckDB's spill folder is gone once read


def test_the_shuffle_gives_each_partition_the_rows_of_the_direct_read(county_files: County, tmp_path: Path) -> None:
    spec = engine.spec_for(county_files.feeds_dir / "store", AS_OF, digest_key=DIGEST_KEY)
    members = engine.assign_chunks(county_files.members, 100)
    keys = engine.stage_members(members.to_batches(max_chunksize=128), tmp_path, DIGEST_KEY)
    engine.shuffle_feeds(tmp_path / "keys.parquet", spec, tmp_path)
    for feed in spec.snapshots:
        # One Arrow file per partition holding rows, nothing else (no Parquet folders per partition).
        files = {p.name for p in (tmp_path / feed).iterdir()}
        assert files <= {f"{k.replace(':', '-')}.arrow" for k in keys}, feed
    compared = 0
    for key in keys:
        staged = engine.read_staged(tmp_path, key)
        direct = engine.read_partition_feeds(staged, spec)
        shuffled = engine.read_shuffled(tmp_path, spec, key)
        assert shuffled.keys() == direct.keys()
        for feed, table in direct.items():
            assert shuffled[feed].num_rows == table.num_rows, (key, feed)
            assert shuffled[feed].select(table.column_names).to_pylist() == table.to_pylist(), (key, feed)
            compared += table.num_rows
    assert compared > 1000


def test_a_resumed_run_yields_the_remaining_partitions_unchanged(county_files: County, tmp_path: Path) -> None:
    path = tmp_path / "members.parquet"
    pq.write_table(county_files.members, path)
    spec = engine.spec_for(county_files.feeds_dir / "store", AS_OF, digest_key=DIGEST_KEY)
    full = dict(engine.run_file(path, spec, chunk_households=30, work_dir=tmp_path))
    keys = list(full)
    assert len(keys) > 6
    done = keys[: len(keys) // 2]
    resumed = list(engine.run_file(path, spec, chunk_households=30, skip=done, work_dir=tmp_path))
    assert [k for k, _ in resumed] == keys[len(done) :]
    for key, table in resumed:
        assert table.equals(full[key]), key
    again = dict(engine.run_file(path, spec, chunk_households=30, work_dir=tmp_path))
    hashes = pc.unique(pa.concat_tables(full.values())["content_hash"])
    assert len(hashes) == sum(t.num_rows for t in full.values())  # one distinct hash per household
    assert all(again[k].equals(full[k]) for k in keys)  # idempotent: a second run, the same rows


def test_content_hashes_are_sha256_of_the_two_json_texts() -> None:
    totals = ['{"members":2}', '{"名":"王伟"}', "{}", '{"x":"' + "长" * 3000 + '"}']
    persons = ['[{"id":"1"}]', '[{"姓名":"李娜","text":"户籍"}]', "[]", "[" + "{}," * 500 + "{}]"]
    table = pa.Table.from_batches(
        [
            pa.record_batch({"totals_json": totals[:2], "persons_json": persons[:2]}),
            pa.record_batch({"totals_json": totals[2:], "persons_json": persons[2:]}),
        ]
    )
    want = [hashlib.sha256((t + "\n" + p).encode()).hexdigest() for t, p in zip(totals, persons, strict=True)]
    assert engine.content_hashes(table).to_pylist() == want
    assert engine.content_hashes(table.slice(1, 2)).to_pylist() == want[1:3]  # offsets of a sliced chunk
