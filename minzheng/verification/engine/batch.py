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
from collections.abc import Iterable, Iterator
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

MEMBER_SCHEMA = pa.schema(
    [
        ("id_number", pa.string()),
        ("name", pa.string()),
        ("household_no", pa.string()),
        ("division_code", pa.string()),
        ("birth_date", pa.date32()),
    ]
)
RESULT_SCHEMA = pa.schema(
    [
        ("household_no", pa.string()),
        ("county", pa.string()),
        ("chunk", pa.int32()),
        ("division_code", pa.string()),
        ("members", pa.int32()),
        ("per_capita_income_fen", pa.int64()),
        ("flags", pa.string()),
        ("totals_json", pa.string()),
        ("persons_json", pa.string()),
        ("content_hash", pa.string()),
    ]
)
CHUNK_HOUSEHOLDS = 200_000  # about 600k persons: a partition's feed rows stay well under a GB
# The worklist explains a change with the source rows of these feeds (kept per person in persons_json).
EVIDENCE_FEEDS = ("death", "cremation", "hukou", "vehicle", "real_estate", "enterprise", "public_payroll", "prison")
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


def _member_keys(members: pa.Table, digest_key: bytes | None) -> pa.Table:
    ids = members.select(["id_number"])
    if digest_key is None:
        return ids.append_column("id_digest", pa.nulls(ids.num_rows, pa.string()))
    return ev.with_digests(ids, digest_key)


def _feed_sql(feed: str, path: str, feed_as_of: str, columns: set[str], links: bool) -> str:
    """The rows of the registered members `m` (feed ids, dates and paths come from the run's spec)."""
    conditions = ["f.id_number IN (SELECT id_number FROM m)"]
    if "id_digest" in columns:
        # As on the one-household path: a digest or a confirmed link speaks only for a row without a number.
        conditions.append(
            "(f.id_number IS NULL AND f.id_digest IN (SELECT id_digest FROM m WHERE id_digest IS NOT NULL))"
        )
    if feed in SECOND_ID and SECOND_ID[feed] in columns:
        conditions.append(f"f.{SECOND_ID[feed]} IN (SELECT id_number FROM m)")  # noqa: S608
    if links:
        linked = f"SELECT _row FROM lk WHERE feed = '{feed}' AND feed_as_of = DATE '{feed_as_of}'"  # noqa: S608
        conditions.append(f"(f.id_number IS NULL AND f._row IN ({linked}))")
    source = f"read_parquet('{_quote(path)}')"
    return f"SELECT f.*, DATE '{feed_as_of}' AS feed_as_of FROM {source} f WHERE {' OR '.join(conditions)}"  # noqa: S608


def _quote(path: str) -> str:
    return path.replace("'", "''")


def read_partition_feeds(members: pa.Table, spec: BatchSpec, links: pa.Table | None = None) -> dict[str, pa.Table]:
    """For each feed, the rows of `members` (by number, digest, second identity column or confirmed link)."""
    con = duckdb.connect(config={"threads": spec.threads})
    try:
        con.register("m", _member_keys(members, spec.digest_key))
        has_links = links is not None and links.num_rows > 0
        if has_links:
            con.register("lk", links)
        out: dict[str, pa.Table] = {}
        for feed, snaps in spec.snapshots.items():
            parts = []
            for feed_as_of, path in snaps:
                columns = set(pq.read_schema(path).names)
                parts.append(con.sql(_feed_sql(feed, path, feed_as_of, columns, has_links)).to_arrow_table())
            out[feed] = pa.concat_tables(parts, promote_options="permissive") if len(parts) > 1 else parts[0]
        return out
    finally:
        con.close()


# --- one partition ----------------------------------------------------------------------------------


def run_partition(members: pa.Table, spec: BatchSpec, links: pa.Table | None = None) -> pa.Table:
    """The partition's members (MEMBER_SCHEMA + county, chunk) → one RESULT_SCHEMA row per household.

    `links`: confirmed non-number matches (feed, feed_as_of, _row, id_number, match_weight), any
    superset; only those naming this partition's members are used.
    """
    if members.num_rows == 0:
        return RESULT_SCHEMA.empty_table()
    m = members.select(["id_number", "name", "household_no", "division_code", "birth_date"])
    if spec.digest_key is not None:
        m = ev.with_digests(m, spec.digest_key)
    if links is not None:
        links = links.filter(pc.is_in(links["id_number"], value_set=members["id_number"]))
    feeds = read_partition_feeds(members, spec, links)
    result = ev.evaluate(m, feeds, spec.as_of, links)
    return summarise(members, result)


def _df(table: pa.Table) -> pl.DataFrame:
    df = pl.from_arrow(table)
    assert isinstance(df, pl.DataFrame)
    return df


def _canonical(df: pl.DataFrame, drop: Iterable[str]) -> pl.DataFrame:
    """Columns in name order, lists sorted, floats rounded to 0.01: the same facts give the same JSON."""
    cols = sorted(c for c in df.columns if c not in set(drop) and not c.startswith("_"))
    exprs = []
    for c in cols:
        dtype = df.schema[c]
        if isinstance(dtype, pl.List):
            exprs.append(pl.col(c).list.sort())
        elif dtype in (pl.Float32, pl.Float64):
            exprs.append(pl.col(c).round(2))
        elif dtype in (pl.Date, pl.Datetime):
            exprs.append(pl.col(c).cast(pl.String))
        else:
            exprs.append(pl.col(c))
    return df.select(exprs)


def _evidence(findings: pl.DataFrame) -> pl.DataFrame:
    """id_number → [{feed, text}] for the feeds a worklist item cites, in feed then row order."""
    f = findings.filter(pl.col("feed").is_in(EVIDENCE_FEEDS))
    if "counted" in f.columns:
        f = f.filter(pl.col("counted").fill_null(True))
    return (
        f.sort("id_number", "feed", "feed_as_of", "_row")
        .group_by("id_number", maintain_order=True)
        .agg(evidence=pl.struct(pl.col("feed"), pl.col("text")))
    )


def summarise(members: pa.Table, result: ev.Result) -> pa.Table:
    """evaluate's persons/findings/households → RESULT_SCHEMA rows (canonical JSON + content hash)."""
    m = _df(members).select("id_number", "household_no", "division_code", "county", "chunk")
    persons = _df(result.persons)
    persons = persons.join(_evidence(_df(result.findings)), on="id_number", how="left")
    person_cols = _canonical(persons, drop=("household_no",))
    persons = pl.concat([persons.select("household_no", "id_number"), person_cols.drop("id_number")], how="horizontal")
    person_json = persons.select(
        "household_no", "id_number", pl.struct(person_cols.columns).struct.json_encode().alias("j")
    )
    flags = (
        persons.select("household_no", pl.col("flags").alias("f"))
        .explode("f")
        .drop_nulls("f")
        .group_by("household_no")
        .agg(pl.col("f").unique().sort())
    )
    grouped = (
        person_json.sort("household_no", "id_number")
        .group_by("household_no", maintain_order=True)
        .agg(persons_json=pl.concat_str(pl.lit("["), pl.col("j").str.join(","), pl.lit("]")))
    )
    households = _df(result.households)
    totals = households.select(
        "household_no",
        per_capita_income_fen=pl.col("per_capita_income_monthly_fen").cast(pl.Int64).fill_null(0),
        members=pl.col("members").cast(pl.Int32),
        totals_json=pl.struct(_canonical(households, drop=("household_no",)).columns).struct.json_encode(),
    )
    place = m.group_by("household_no").agg(
        pl.col("division_code").first(), pl.col("county").first(), pl.col("chunk").first()
    )
    out = (
        totals.join(grouped, on="household_no", how="left")
        .join(flags, on="household_no", how="left")
        .join(place, on="household_no", how="left")
        .with_columns(flags=pl.col("f").fill_null([]).list.join(","))
        .sort("household_no")
    )
    hashes = [
        hashlib.sha256((t + "\n" + p).encode()).hexdigest()
        for t, p in zip(out["totals_json"].to_list(), out["persons_json"].to_list(), strict=True)
    ]
    out = out.with_columns(content_hash=pl.Series(hashes, dtype=pl.String))
    return out.select(RESULT_SCHEMA.names).to_arrow().cast(RESULT_SCHEMA)


# --- the DuckDB engine: every partition in this process ---------------------------------------------


def run_local(
    members: pa.Table,
    spec: BatchSpec,
    *,
    skip: Iterable[str] = (),
    links: pa.Table | None = None,
) -> Iterator[tuple[str, pa.Table]]:
    """Yield (partition key, results) for every partition not in `skip`, in `partition_keys` order.

    `members` must already carry county and chunk (`assign_chunks`); `links`: confirmed matches.
    """
    done = set(skip)
    for key in partition_keys(members):
        if key in done:
            continue
        part = partition_of(members, key)
        yield key, run_partition(part, spec, links)


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
