"""Batch re-check (批量复核): the population, partitioned by county, through the one evaluation. Django-free.

The unit of work is a partition: the households of one county (the 6-digit division prefix), cut into
chunks of at most `chunk_households` households (sorted by 户编号) so a big county fits in memory.
`run_partition` is a pure function of (the partition's members, the run's spec): it reads, from every
feed's snapshots fixed in the spec, only the rows of these members (DuckDB semi-joins over the sorted
Parquet files), calls `evaluate.evaluate` — the very function the one-household path calls — and returns
one row per household in `RESULT_SCHEMA`. The DuckDB engine loops over partitions in this process;
the Spark engine (`spark.py`) runs the same function under `groupBy("county", "chunk").applyInArrow`.
Same inputs, same function, so one machine and a cluster give the same answer.

A result row carries canonical JSON (`totals_json`, `persons_json`: members sorted by identity number,
keys in a fixed order) and its SHA-256 `content_hash`, so a re-run that finds nothing new is detected
without parsing anything, and the app stores nothing for it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import tempfile
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from minzheng.verification.engine import evaluate as ev
from minzheng.verification.engine.household import snapshots_for
from minzheng.verification.engine.store import FeedStore
from minzheng.verification.engine.summary import EVIDENCE_FEEDS, RESULT_SCHEMA, content_hashes, summarise

log = logging.getLogger(__name__)  # phase markers (the bench's RSS timeline reads them)

__all__ = [
    "EVIDENCE_FEEDS",
    "RESULT_SCHEMA",
    "content_hashes",
    "summarise",
]  # re-exported: callers import them from here

MEMBER_SCHEMA = pa.schema(
    [
        ("id_number", pa.string()),
        ("name", pa.string()),
        ("household_no", pa.string()),
        ("division_code", pa.string()),
        ("birth_date", pa.date32()),
    ]
)
# DuckDB's memory for the one-pass shuffle: fixed, whatever the population (it spills to disk beyond
# it). At 3 GB the shuffle took what it was given, so peak memory grew with the number of households.
SHUFFLE_MEMORY = "256MB"
SHUFFLE_FLUSH_ROWS = 8_192  # rows a partition buffers before DuckDB writes them (default 524,288)
SHUFFLE_BATCH = 262_144  # joined feed rows DuckDB hands over per step of the shuffle
MEMBER_BATCH = 65_536  # members staged per step: memory for the population never depends on its size
WORKERS = 2  # partitions evaluated at once: one per core of the reference machine
CHUNK_HOUSEHOLDS = 200_000  # about 600k persons: a partition's feed rows stay well under a GB
# Monthly feeds the evaluation reads only inside the 6-month income window (facts.income: every use
# goes through `_in_window`); rows outside it are left in the files. housing_fund is not one of
# them: its balance is the newest month's, wherever that falls.
WINDOWED_FEEDS = ("social_insurance", "pension", "unemployment", "tax")
# Feeds with identity in a second column: a row is the member's when either column names them.
SECOND_ID = {"marriage": "spouse_id_number"}


@dataclass(frozen=True)
class BatchSpec:
    """Everything a partition needs besides its members; plain data, so Spark can ship it to workers.

    `snapshots`: feed id → [(feed_as_of ISO date, data.parquet path)], fixed once per run so every
    partition (and a resumed run, from its checkpoint) reads the same deliveries.
    """

    as_of: dt.date
    snapshots: dict[str, list[tuple[str, str]]]
    digest_key: bytes | None = None
    threads: int = 2
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "snapshots": {f: [list(s) for s in v] for f, v in self.snapshots.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, digest_key: bytes | None, threads: int = 2) -> BatchSpec:
        snaps = {f: [(a, p) for a, p in v] for f, v in data["snapshots"].items()}
        return cls(dt.date.fromisoformat(data["as_of"]), snaps, digest_key, threads)


def resolve_snapshots(store: FeedStore, as_of: dt.date) -> dict[str, list[tuple[str, str]]]:
    """The deliveries a run on `as_of` reads — exactly those the one-household path reads
    (`household.snapshots_for`: the latest snapshot; for monthly feeds also the earlier ones that
    still cover months of the 6-month window). `evaluate` keeps only the newest snapshot of state
    feeds and the newest delivery of each person-month, so older monthly snapshots never double-count.
    """
    out: dict[str, list[tuple[str, str]]] = {}
    for feed_id in store.feed_ids():
        snaps = snapshots_for(store, feed_id, as_of)
        if snaps:
            out[feed_id] = [(s.as_of.isoformat(), str(s.data_path)) for s in snaps]
    return out


def spec_for(store_root: Path | str, as_of: dt.date, *, digest_key: bytes | None = None) -> BatchSpec:
    return BatchSpec(as_of, resolve_snapshots(FeedStore(store_root), as_of), digest_key)


# --- partitions ---------------------------------------------------------------------------------


def assign_chunks(members: pa.Table, chunk_households: int = CHUNK_HOUSEHOLDS) -> pa.Table:
    """Add `county` (division prefix) and `chunk` (households of the county, sorted by 户编号, cut every N)."""
    m = pl.from_arrow(members)
    assert isinstance(m, pl.DataFrame)
    m = m.with_columns(county=pl.col("division_code").str.slice(0, 6))
    households = (
        m.select("county", "household_no")
        .unique()
        .sort("county", "household_no")
        .with_columns(chunk=(pl.int_range(pl.len()).over("county") // chunk_households).cast(pl.Int32))
    )
    return m.join(households, on=["county", "household_no"], how="left").to_arrow()


def partition_keys(members: pa.Table) -> list[str]:
    """'330212:0' … in a fixed order (county, then chunk)."""
    keys = pl.from_arrow(members.select(["county", "chunk"]))
    assert isinstance(keys, pl.DataFrame)
    return [f"{c}:{k}" for c, k in keys.unique().sort("county", "chunk").iter_rows()]


def partition_of(members: pa.Table, key: str) -> pa.Table:
    county, chunk = key.split(":")
    m = pl.from_arrow(members)
    assert isinstance(m, pl.DataFrame)
    return m.filter((pl.col("county") == county) & (pl.col("chunk") == int(chunk))).to_arrow()


# --- reading the partition's feed rows ------------------------------------------------------------


_IPAD = bytes(x ^ 0x36 for x in range(256))
_OPAD = bytes(x ^ 0x5C for x in range(256))
SM3_BLOCK = 64


def digests(numbers: list[str], key: bytes) -> list[str]:
    """HMAC-SM3 of each number (as `evaluate.digest`), RFC 2104 spelt out over hashlib.

    The inner and outer states after the padded key are computed once and copied per number: the
    `hmac` module's copy/hexdigest wrappers cost ~1.5× this per number, and the batch digests every
    member (3 million at 1M households) before the shuffle can start.
    """
    if len(key) > SM3_BLOCK:
        key = hashlib.new("sm3", key).digest()
    padded = key.ljust(SM3_BLOCK, b"\0")
    inner, outer = hashlib.new("sm3", padded.translate(_IPAD)), hashlib.new("sm3", padded.translate(_OPAD))
    copy_inner, copy_outer = inner.copy, outer.copy
    out = []
    for number in numbers:
        h = copy_inner()
        h.update(number.encode("ascii"))
        o = copy_outer()
        o.update(h.digest())
        out.append(o.hexdigest())
    return out


def with_member_digests(members: pa.Table, key: bytes | None) -> pa.Table:
    """The members with `id_digest` (null without a key), so digest feeds find their person."""
    if "id_digest" in members.column_names:
        members = members.drop_columns(["id_digest"])
    if key is None:
        return members.append_column("id_digest", pa.nulls(members.num_rows, pa.string()))
    return members.append_column("id_digest", pa.array(digests(members["id_number"].to_pylist(), key), pa.string()))


def _selects(
    feed: str, path: str, feed_as_of: str, columns: set[str], *, links: bool, part: bool, as_of: dt.date
) -> list[str]:
    """One SELECT per way a row can belong to a registered member `m` (as on the one-household path:
    by number; by digest or confirmed link only when the row has no number; marriage by either
    spouse). Feed ids, dates and paths come from the run's spec, never from a user."""
    source = f"read_parquet('{_quote(path)}') f"
    day = f"DATE '{feed_as_of}'"
    keep = []
    if feed in WINDOWED_FEEDS and "period" in columns:
        start, end = ev.window(as_of)
        keep.append(f"f.period >= DATE '{start}' AND f.period < DATE '{end}'")

    def select(alias: str, join: str, *where: str) -> str:
        extra = f", {alias}._part" if part else ""
        conditions = " AND ".join((*where, *keep))
        sql = f"SELECT f.*, {day} AS feed_as_of{extra} FROM {source} JOIN {join}"  # noqa: S608
        return f"{sql} WHERE {conditions}" if conditions else sql

    out = [select("m", "m ON f.id_number = m.id_number")]
    if "id_digest" in columns and has_digests(path):
        out.append(select("m", "m ON f.id_digest = m.id_digest", "f.id_number IS NULL"))
    if feed in SECOND_ID and SECOND_ID[feed] in columns:
        out.append(select("m", f"m ON f.{SECOND_ID[feed]} = m.id_number"))
    if links:
        on = f"lkm ON f._row = lkm._row AND lkm.feed = '{feed}' AND lkm.feed_as_of = {day}"
        out.append(select("lkm", on, "f.id_number IS NULL"))
    return out


def has_digests(path: str) -> bool:
    """Whether any row of the snapshot carries a 身份号码摘要 (read from the Parquet footer's null counts)."""
    meta = pq.ParquetFile(path).metadata
    index = meta.schema.to_arrow_schema().get_field_index("id_digest")
    if index < 0:
        return False
    for g in range(meta.num_row_groups):
        stats = meta.row_group(g).column(index).statistics
        if stats is None or stats.null_count < meta.row_group(g).num_rows:
            return True
    return False


def _feed_query(feed: str, snaps: list[tuple[str, str]], *, links: bool, part: bool, as_of: dt.date) -> str:
    selects = []
    for feed_as_of, path in snaps:
        columns = set(pq.read_schema(path).names)
        selects += _selects(feed, path, feed_as_of, columns, links=links, part=part, as_of=as_of)
    union = " UNION ALL BY NAME ".join(selects)
    # One select per snapshot, or number rows beside digest-only rows (disjoint: the latter have no
    # number): no row can come twice. Otherwise (marriage's two spouses, links) keep the first.
    numbered = [s for s in selects if "f.id_number IS NULL" not in s]
    if len(numbered) == len(snaps) and (len(selects) - len(numbered)) <= len(snaps):
        return union
    # A row reached twice (both spouses are members, a number and a link) is still one source row.
    keys = ("_part, " if part else "") + "feed_as_of, _row"
    return (
        f"SELECT * EXCLUDE (_rn) FROM (SELECT *, row_number() OVER (PARTITION BY {keys}) AS _rn "  # noqa: S608
        f"FROM ({union})) WHERE _rn = 1"
    )


def _quote(path: str) -> str:
    return path.replace("'", "''")


def _connect(
    members: pa.Table | Path, links: pa.Table | None, threads: int, spill: Path | None = None
) -> tuple[duckdb.DuckDBPyConnection, bool]:
    """`members`: a table, or a Parquet file of the keys (the shuffle: read by DuckDB, never held here)."""
    config: dict[str, Any] = {"threads": threads}
    if spill is not None:
        # The shuffle: bounded memory (DuckDB spills to disk beyond it), and no insertion order to
        # keep — the rows are put back in source order when a partition reads them.
        config.update(
            memory_limit=SHUFFLE_MEMORY,
            preserve_insertion_order=False,
            temp_directory=str(spill),
            # A partitioned COPY buffers rows per partition until this many (DuckDB's default is
            # 524,288): with more households per partition the buffers, and peak memory, grew.
            partitioned_write_flush_threshold=SHUFFLE_FLUSH_ROWS,
        )
    con = duckdb.connect(config=config)
    if isinstance(members, Path):
        con.execute(f"CREATE VIEW m AS SELECT * FROM read_parquet('{_quote(str(members))}')")  # noqa: S608
    else:
        con.register("m", members)
    has_links = links is not None and links.num_rows > 0
    if has_links:
        con.register("lk", links)
        part = ", m._part" if isinstance(members, Path) or "_part" in members.column_names else ""
        view = f"CREATE VIEW lkm AS SELECT lk.feed, lk.feed_as_of, lk._row{part} FROM lk JOIN m USING (id_number)"  # noqa: S608
        con.execute(view)
    return con, has_links


def _in_order(table: pa.Table) -> pa.Table:
    """Rows in (snapshot date, source row) order, whichever way they were read: the evaluation's
    lists (employers, schemes) then come out the same on every engine and on the one-household path."""
    return table.sort_by([("feed_as_of", "ascending"), ("_row", "ascending")])


def read_partition_feeds(members: pa.Table, spec: BatchSpec, links: pa.Table | None = None) -> dict[str, pa.Table]:
    """For each feed, the rows of `members` (with `id_digest`), straight from the snapshots."""
    con, has_links = _connect(members.select(["id_number", "id_digest"]), links, spec.threads)
    try:
        return {
            feed: _in_order(
                con.sql(_feed_query(feed, snaps, links=has_links, part=False, as_of=spec.as_of)).to_arrow_table()
            )
            for feed, snaps in spec.snapshots.items()
        }
    finally:
        con.close()


def shuffle_feeds(members: pa.Table | Path, spec: BatchSpec, work: Path, links: pa.Table | None = None) -> None:
    """One pass over each feed for the whole population: every member's rows written to
    `work/<feed>/<county>-<chunk>.arrow`, so a partition then reads only its own rows (the
    DuckDB engine's answer to scanning every file once per partition).

    DuckDB joins (within its memory limit) and streams the rows here `SHUFFLE_BATCH` at a time; each
    batch is cut by partition and appended to that partition's Arrow IPC file. A partitioned Parquet
    COPY did the same in DuckDB, but encoding Parquet cost ~6× the join itself (social_insurance at
    300k households: 4.3 CPU-s against 0.7), for files read once and deleted.

    `members`: the staged keys file (`stage_members`: id_number, id_digest, _part), which DuckDB
    reads itself within its memory limit, or a table with county and chunk (then held here)."""
    if isinstance(members, pa.Table):
        members = members.select(["id_number", "id_digest"]).append_column("_part", _part_column(members))
    con, has_links = _connect(members, links, spec.threads, spill=work / ".spill")
    try:
        for feed, snaps in spec.snapshots.items():
            query = _feed_query(feed, snaps, links=has_links, part=True, as_of=spec.as_of)
            _split_to_files(con.sql(query).to_arrow_reader(SHUFFLE_BATCH), work / feed)
            log.debug("shuffled %s", feed)
    finally:
        con.close()


def _split_to_files(reader: pa.RecordBatchReader, folder: Path) -> None:
    """Append each batch's rows to `folder/<_part>.arrow` (without the `_part` column)."""
    folder.mkdir(parents=True, exist_ok=True)
    writers: dict[str, pa.ipc.RecordBatchFileWriter] = {}
    try:
        for batch in reader:
            if batch.num_rows == 0:
                continue
            ordered = batch.take(pc.sort_indices(batch.column("_part")))
            runs = pc.run_end_encode(ordered.column("_part"))
            rows = ordered.drop_columns(["_part"])
            start = 0
            for name, end in zip(runs.values.to_pylist(), runs.run_ends.to_pylist(), strict=True):
                if name not in writers:
                    writers[name] = pa.ipc.new_file(str(folder / f"{name}.arrow"), rows.schema)
                writers[name].write_batch(rows.slice(start, end - start))
                start = end
    finally:
        for w in writers.values():
            w.close()


def _part_column(members: pa.Table | pa.RecordBatch) -> pa.Array:
    county, chunk = members.column("county"), members.column("chunk")
    return pc.binary_join_element_wise(pc.cast(county, pa.string()), pc.cast(chunk, pa.string()), "-")


def stage_members(batches: Iterable[pa.RecordBatch], work: Path, key: bytes | None) -> list[str]:
    """Stream the population (MEMBER_SCHEMA + county, chunk) to disk, one batch at a time: each
    partition's members to `work/members/<county>-<chunk>.parquet` (with `id_digest`), and the
    shuffle's join keys (id_number, id_digest, _part) to `work/keys.parquet`. Returns the partition
    keys in `partition_keys` order. Only one batch of members is in memory at any time, so the
    population's size never decides the peak; rows keep their order inside a partition.
    """
    folder = work / "members"
    folder.mkdir(parents=True, exist_ok=True)
    writers: dict[str, pq.ParquetWriter] = {}
    keys_writer: pq.ParquetWriter | None = None
    try:
        for batch in batches:
            if batch.num_rows == 0:
                continue
            table = with_member_digests(pa.Table.from_batches([batch]), key)
            part = _part_column(table)
            keys = pa.table({"id_number": table["id_number"], "id_digest": table["id_digest"], "_part": part})
            if keys_writer is None:
                keys_writer = pq.ParquetWriter(work / "keys.parquet", keys.schema, compression="none")
            keys_writer.write_table(keys)
            for name in pc.unique(part).to_pylist():
                rows = table.filter(pc.equal(part, name))
                if name not in writers:
                    writers[name] = pq.ParquetWriter(folder / f"{name}.parquet", rows.schema, compression="none")
                writers[name].write_table(rows)
    finally:
        for w in writers.values():
            w.close()
        if keys_writer is not None:
            keys_writer.close()
    if keys_writer is None:
        pq.write_table(
            pa.table(
                {
                    "id_number": pa.array([], pa.string()),
                    "id_digest": pa.array([], pa.string()),
                    "_part": pa.array([], pa.string()),
                }
            ),
            work / "keys.parquet",
        )
    parts = [n.rsplit("-", 1) for n in writers]
    return [f"{c}:{k}" for c, k in sorted((c, int(k)) for c, k in parts)]


def read_staged(work: Path, key: str) -> pa.Table:
    """One partition's staged members (with id_digest), in their original order."""
    return pq.read_table(work / "members" / f"{key.replace(':', '-')}.parquet")


def read_shuffled(work: Path, spec: BatchSpec, key: str) -> dict[str, pa.Table]:
    part = key.replace(":", "-")
    out = {}
    for feed, snaps in spec.snapshots.items():
        path = work / feed / f"{part}.arrow"
        if path.exists():
            with pa.OSFile(str(path)) as source:  # read, not memory-mapped: the rows are sorted anyway
                out[feed] = _in_order(pa.ipc.open_file(source).read_all())
        else:
            schema = pq.read_schema(snaps[0][1]).append(pa.field("feed_as_of", pa.date32()))
            out[feed] = schema.empty_table()
    return out


# --- one partition ----------------------------------------------------------------------------------


def evaluate_partition(
    members: pa.Table, feeds: dict[str, pa.Table], spec: BatchSpec, links: pa.Table | None
) -> pa.Table:
    """Members (with id_digest) and their feed rows → RESULT_SCHEMA rows: `evaluate`, then `summarise`."""
    m = members.select(["id_number", "name", "household_no", "division_code", "birth_date", "id_digest"])
    return summarise(members, ev.evaluate(m, feeds, spec.as_of, links))


def _partition_links(links: pa.Table | None, members: pa.Table) -> pa.Table | None:
    if links is None:
        return None
    return links.filter(pc.is_in(links["id_number"], value_set=members["id_number"]))


def run_partition(members: pa.Table, spec: BatchSpec, links: pa.Table | None = None) -> pa.Table:
    """The partition's members (MEMBER_SCHEMA + county, chunk) → one RESULT_SCHEMA row per household.

    Reads the snapshots itself, so it runs anywhere the store is visible (a Spark worker).
    `links`: confirmed non-number matches (feed, feed_as_of, _row, id_number, match_weight), any
    superset; only those naming this partition's members are used.
    """
    if members.num_rows == 0:
        return RESULT_SCHEMA.empty_table()
    members = with_member_digests(members, spec.digest_key)
    links = _partition_links(links, members)
    return evaluate_partition(members, read_partition_feeds(members, spec, links), spec, links)


# --- the DuckDB engine: every partition in this process ---------------------------------------------


def run_local(
    members: pa.Table,
    spec: BatchSpec,
    *,
    skip: Iterable[str] = (),
    links: pa.Table | None = None,
    work_dir: Path | None = None,
    workers: int = WORKERS,
) -> Iterator[tuple[str, pa.Table]]:
    """Yield (partition key, results) for every partition not in `skip`, in `partition_keys` order.

    `members` must already carry county and chunk (`assign_chunks`); `links`: confirmed matches.
    See `run_batches` for how memory stays bounded; a caller with the population on disk should
    use `run_file` and never load it.
    """
    yield from run_batches(
        members.to_batches(max_chunksize=MEMBER_BATCH), spec, skip=skip, links=links, work_dir=work_dir, workers=workers
    )


def run_file(
    members_path: Path,
    spec: BatchSpec,
    *,
    chunk_households: int = CHUNK_HOUSEHOLDS,
    skip: Iterable[str] = (),
    links: pa.Table | None = None,
    work_dir: Path | None = None,
    workers: int = WORKERS,
) -> Iterator[tuple[str, pa.Table]]:
    """`run_local` for a population in a Parquet file (MEMBER_SCHEMA): read in batches, never whole.

    The persons come out of DuckDB `MEMBER_BATCH` at a time with their county and chunk, the
    household → chunk map built and joined inside DuckDB under `SHUFFLE_MEMORY` (spilling beyond
    it): this process never holds the map (before: a Polars table of every household, ~60 MB and
    a hash table per batch at 1M households, so the peak grew with the population).
    """
    yield from run_batches(
        _members(members_path, chunk_households, work_dir),
        spec,
        skip=skip,
        links=links,
        work_dir=work_dir,
        workers=workers,
    )


def _members(members_path: Path, chunk_households: int, work_dir: Path | None) -> Iterator[pa.RecordBatch]:
    """The population with county and chunk, streamed from DuckDB; its connection (and the memory
    DuckDB keeps for it) is closed as soon as the last batch is read, before the shuffle starts."""
    with tempfile.TemporaryDirectory(prefix="batch-members-", dir=work_dir) as spill:
        con = duckdb.connect(config={"threads": 2, "memory_limit": SHUFFLE_MEMORY, "temp_directory": spill})
        try:
            yield from con.sql(_members_query(members_path, chunk_households)).to_arrow_reader(MEMBER_BATCH)
        finally:
            con.close()


def _members_query(members_path: Path, chunk_households: int) -> str:
    """The members in file order with `county` and `chunk` numbered as `assign_chunks` does
    (households of a county sorted by 户编号, cut every `chunk_households`)."""
    source = f"read_parquet('{_quote(str(members_path))}', file_row_number = true)"
    columns = ", ".join(f"m.{c}" for c in MEMBER_SCHEMA.names)
    return (
        f"SELECT {columns}, m.county, c.chunk FROM (SELECT *, substr(division_code, 1, 6) AS county FROM {source}) m"  # noqa: S608
        " LEFT JOIN (SELECT county, household_no, CAST((row_number() OVER (PARTITION BY county ORDER BY household_no)"
        f" - 1) // {int(chunk_households)} AS INTEGER) AS chunk FROM (SELECT DISTINCT substr(division_code, 1, 6)"
        f" AS county, household_no FROM {source})) c ON m.county = c.county AND m.household_no = c.household_no"
        " ORDER BY m.file_row_number"
    )


def run_batches(
    batches: Iterable[pa.RecordBatch],
    spec: BatchSpec,
    *,
    skip: Iterable[str] = (),
    links: pa.Table | None = None,
    work_dir: Path | None = None,
    workers: int = WORKERS,
) -> Iterator[tuple[str, pa.Table]]:
    """The DuckDB engine, in memory bounded by the partition, not the population:

    1. the members (MEMBER_SCHEMA + county, chunk, in batches) are staged to disk per partition,
       with the shuffle's join keys in one file (`stage_members`);
    2. every feed is shuffled by partition in one DuckDB pass (`shuffle_feeds`), DuckDB reading the
       keys file itself under a fixed `SHUFFLE_MEMORY` (it spills beyond it) and handing the joined
       rows over in batches that are appended to one Arrow file per feed and partition;
    3. `workers` partitions are evaluated at a time in threads (Polars and DuckDB release the GIL),
       each from its own staged members and shuffled rows, while the caller stores the one before:
       at most `workers` results wait, and nothing of a partition is kept once it is yielded.
    """
    done = set(skip)
    with tempfile.TemporaryDirectory(prefix="batch-", dir=work_dir) as tmp:
        work = Path(tmp)
        todo = [k for k in stage_members(batches, work, spec.digest_key) if k not in done]
        log.debug("staged %d partitions", len(todo))
        if not todo:
            return
        shuffle_feeds(work / "keys.parquet", spec, work, links)

        def one(key: str) -> pa.Table:
            part = read_staged(work, key)
            result = evaluate_partition(part, read_shuffled(work, spec, key), spec, _partition_links(links, part))
            log.debug("partition %s", key)
            return result

        width = max(1, workers)
        with ThreadPoolExecutor(max_workers=width) as pool:
            pending: deque[tuple[str, Future[pa.Table]]] = deque()
            for key in todo:
                pending.append((key, pool.submit(one, key)))
                if len(pending) >= width:
                    first, future = pending.popleft()
                    yield first, future.result()
            while pending:
                first, future = pending.popleft()
                yield first, future.result()


def run_all(
    members: pa.Table,
    spec: BatchSpec,
    *,
    chunk_households: int = CHUNK_HOUSEHOLDS,
    links: pa.Table | None = None,
) -> pa.Table:
    """The whole population in one table (sorted by 户编号): what tests and the benchmark compare."""
    chunked = assign_chunks(members, chunk_households)
    parts = [t for _, t in run_local(chunked, spec, links=links)]
    if not parts:
        return RESULT_SCHEMA.empty_table()
    return pa.concat_tables(parts).sort_by("household_no")
