"""One-household timings for bench/verify_bench.py: the engine's path (`engine.household`) and the naive
indexed PostgreSQL way (one query per member per feed) on the same households, in the same run."""

from __future__ import annotations

import hmac
import random
import statistics
import time
from pathlib import Path

import polars as pl
from verify_gen import AS_OF, DIGEST_KEY

from minzheng.demo.feeds import HEADERS


def sample_households(root: Path, count: int, seed: int) -> list[pl.DataFrame]:
    members = pl.read_parquet(root / "members.parquet")
    numbers = members["household_no"].unique().sort().to_list()
    chosen = set(random.Random(seed).sample(numbers, min(count, len(numbers))))
    return [
        g for _, g in members.filter(pl.col("household_no").is_in(chosen)).group_by("household_no", maintain_order=True)
    ]


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def households_engine(
    root: Path, groups: list[pl.DataFrame], *, fast: bool = False
) -> tuple[list[float], list[float], int, float]:
    """Per household: (whole 一键核对 = lookups + evaluate, the lookups alone) in ms, how many of the
    households' results differ from the batch's rows (content hash): the two paths must agree, and the
    warm-up's seconds. `fast`: through the snapshots' lookup indexes (engine.lookup; the warm-up builds
    them), else DuckDB `read_parquet` point lookups."""
    import pyarrow.parquet as pq

    from minzheng.verification.engine import batch
    from minzheng.verification.engine import evaluate as ev
    from minzheng.verification.engine.household import fetch_rows, verify
    from minzheng.verification.engine.store import FeedStore

    store = FeedStore(root / "store")
    t = time.perf_counter()
    verify(store, groups[0].to_arrow(), AS_OF, digest_key=DIGEST_KEY, fast=fast)  # warm: footers, DuckDB, indexes
    warm_s = time.perf_counter() - t
    total, fetch, hashes = [], [], {}
    for g in groups:
        t = time.perf_counter()
        members = ev.with_digests(g.to_arrow(), DIGEST_KEY)
        ids, digests = members["id_number"].to_pylist(), members["id_digest"].to_pylist()
        feeds = fetch_rows(store, ids, AS_OF, digests=digests, fast=fast)
        t_fetch = time.perf_counter()
        result = ev.evaluate(members, feeds, AS_OF)
        done = time.perf_counter()
        total.append((done - t) * 1000)
        fetch.append((t_fetch - t) * 1000)
        place = g.with_columns(county=pl.col("division_code").str.slice(0, 6), chunk=pl.lit(0, pl.Int32))
        hashes[g["household_no"][0]] = batch.summarise(place.to_arrow(), result)["content_hash"][0].as_py()
    rows = pl.from_arrow(pq.read_table(root / "batch-result.parquet", columns=["household_no", "content_hash"]))
    in_batch = dict(rows.filter(pl.col("household_no").is_in(list(hashes))).iter_rows())
    return total, fetch, sum(in_batch.get(h) != v for h, v in hashes.items()), warm_s


# --- 5. the naive way: PostgreSQL tables, one query per member per feed ---------------------------------


def pg_load(url: str, root: Path, schema: str) -> float:
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        conn.execute(f"CREATE SCHEMA {schema}")
        for feed_id, headers in HEADERS.items():
            cols = ", ".join(f"c{i} text" for i in range(len(headers)))
            conn.execute(f"CREATE UNLOGGED TABLE {schema}.{feed_id} ({cols})")
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY {schema}.{feed_id} FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
                (root / "feeds" / f"{feed_id}_{AS_OF}.csv").open("rb") as fh,
            ):
                while block := fh.read(1 << 20):
                    copy.write(block)
            conn.execute(f"CREATE INDEX ON {schema}.{feed_id} (c0)")
            if feed_id == "marriage":
                conn.execute(f"CREATE INDEX ON {schema}.{feed_id} (c1)")
            conn.execute(f"ANALYZE {schema}.{feed_id}")
            print(
                f"  PostgreSQL 表 {feed_id} 已载入并建索引（累计 {time.perf_counter() - started:.0f} 秒）", flush=True
            )
    return time.perf_counter() - started


def households_naive(url: str, schema: str, groups: list[pl.DataFrame]) -> list[float]:
    import psycopg

    times = []
    with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
        for g in groups:
            t = time.perf_counter()
            for number in g["id_number"].to_list():
                digest = hmac.new(DIGEST_KEY, number.encode(), "sm3").hexdigest()
                for feed_id in HEADERS:
                    if feed_id == "marriage":
                        cur.execute(f"SELECT * FROM {schema}.marriage WHERE c0 = %s OR c1 = %s", (number, number))  # noqa: S608
                    else:
                        key = digest if feed_id == "securities" else number
                        cur.execute(f"SELECT * FROM {schema}.{feed_id} WHERE c0 = %s", (key,))  # noqa: S608
                    cur.fetchall()
            times.append((time.perf_counter() - t) * 1000)
    return times


def pg_drop(url: str, schema: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
