#!/usr/bin/env python3
"""Benchmark: feed ingestion, batch re-check, one-household verification, and the naive PostgreSQL way.

Usage: .venv/bin/python bench/verify_bench.py [--households 1000000] [--dir DIR] [--keep] [--no-postgres]

1. Generates (vectorised, numpy + Polars) N households of 1–6 persons (about 3 N persons) in 10
   Zhejiang counties, and the 19 department feeds of DATA_CONTRACTS §2 as CSV with the contract's
   Chinese headers. Volume is where it is in real life: most persons have 12 months of 社保缴费,
   养老金发放 or 税务 rows; at a million households the feeds hold about 37 million rows.
2. Ingests every file through the ingestion engine (`engine.ingest.ingest_file`): rows/s.
3. Runs the batch over every household (`engine.batch.run_all`, the DuckDB engine) in a child
   process: end-to-end seconds (members Parquet + feed store in → result rows out) and peak RSS.
4. Verifies 1,000 random households one at a time through the one-household path
   (`engine.household.verify`): p50/p99, with DuckDB point lookups and through the lookup indexes.
5. The naive way, in the same run: every feed CSV loaded into an indexed PostgreSQL table (schema
   `bench_verify`, dropped afterwards), then one query per member per feed for the same 1,000
   households: p50/p99 and the ratio.

Aims (issue 3): batch ≤ 120 s, one household p99 ≤ 500 ms, ingest ≥ 500,000 rows/s, on 2 cores.
Run the full size under `flock /tmp/mz-bench.lock` (the machine is shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hmac
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minzheng.demo.feeds import HEADERS

AS_OF = dt.date(2026, 11, 1)
COUNTIES = ("330102", "330105", "330106", "330108", "330110", "330203", "330205", "330206", "330211", "330212")
MONTHS = 12  # monthly feeds cover the year before the as-of date (the income window is the last 6)
DIGEST_KEY = b"minzheng-bench-hmac-key"
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈")
GIVEN = list("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红玉梅飞鹏斌宇浩凯欣怡子涵雨轩梓晨思")
WEIGHTS = np.array([7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2])
CHECK = np.array(list("10X98765432"))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process (all threads): unlike wall time, not inflated by other work on the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- 1. generation --------------------------------------------------------------------------------


def _digits(values: np.ndarray, width: int) -> np.ndarray:
    return (values[:, None] // (10 ** np.arange(width - 1, -1, -1))) % 10


def id_numbers(area: np.ndarray, birth: np.ndarray, seq: np.ndarray) -> np.ndarray:
    """GB 11643 numbers, check digit included, for arrays of area codes, birth dates and 顺序码."""
    ymd = birth.astype("datetime64[D]").astype(object)
    born = np.array([d.year * 10000 + d.month * 100 + d.day for d in ymd], dtype=np.int64)
    digits = np.hstack([_digits(area, 6), _digits(born, 8), _digits(seq, 3)])
    check = CHECK[(digits * WEIGHTS).sum(axis=1) % 11]
    return np.char.add(
        np.char.add(np.char.add(area.astype(str), born.astype(str)), np.char.zfill(seq.astype(str), 3)), check
    )


def population(households: int, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    size = rng.choice(np.arange(1, 7), size=households, p=[0.15, 0.25, 0.25, 0.2, 0.1, 0.05])
    county = rng.integers(0, len(COUNTIES), households)
    village = np.char.add(
        np.array(COUNTIES)[county],
        np.char.add(rng.integers(100, 118, households).astype(str), rng.integers(200, 240, households).astype(str)),
    )
    hh = np.repeat(np.arange(households), size)
    pos = np.arange(len(hh)) - np.repeat(np.cumsum(size) - size, size)
    n = len(hh)
    age = np.where(pos < 2, rng.integers(25, 95, n), rng.integers(0, 45, n))
    birth = np.datetime64(AS_OF.isoformat()) - (age * 365.25 + rng.integers(1, 364, n)).astype("timedelta64[D]")
    male = np.where(pos == 0, rng.random(n) < 0.9, np.where(pos == 1, rng.random(n) < 0.1, rng.random(n) < 0.5))
    own = rng.random(n) < 0.9
    area = np.where(
        own, np.array(COUNTIES, dtype=np.int64)[county[hh]], rng.choice(np.array(COUNTIES, dtype=np.int64), n)
    )
    seq = rng.integers(0, 500, n) * 2 + male.astype(np.int64)
    names = np.char.add(
        np.array(SURNAMES)[rng.integers(0, len(SURNAMES), n)],
        np.char.add(
            np.array(GIVEN)[rng.integers(0, len(GIVEN), n)],
            np.array(GIVEN + [""] * 20)[rng.integers(0, len(GIVEN) + 20, n)],
        ),
    )
    relation = np.select([pos == 0, pos == 1], ["户主", "配偶"], np.where(age < 45, "子", "其他"))
    df = pl.DataFrame(
        {
            "id_number": id_numbers(area, birth, seq),
            "name": names,
            "household_no": np.char.add("H", np.char.zfill((hh + 1).astype(str), 9)),
            "division_code": village[hh],
            "birth_date": birth.astype("datetime64[D]"),
            "relation": relation,
            "age": age,
        }
    )
    return df.unique(subset="id_number", keep="first", maintain_order=True)


def _yuan(fen: pl.Expr) -> pl.Expr:
    return pl.concat_str([(fen // 100).cast(pl.String), pl.lit("."), (fen % 100).cast(pl.String).str.zfill(2)])


def _sample(df: pl.DataFrame, share: float, seed: int) -> pl.DataFrame:
    rng = np.random.default_rng(seed)
    return df.filter(pl.Series(rng.random(df.height) < share))


def _pick(df: pl.DataFrame, *columns: str | pl.Expr) -> pl.DataFrame:
    """Select the feed's columns in order under positional names (literals and repeats are fine)."""
    exprs = [(pl.col(c) if isinstance(c, str) else c).alias(f"c{i}") for i, c in enumerate(columns)]
    return df.select(exprs)


def _months(fmt: str) -> pl.DataFrame:
    days, y, m = [], AS_OF.year, AS_OF.month
    for _ in range(MONTHS):
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
        days.append(f"{y}{m:02d}" if fmt == "%Y%m" else f"{y}-{m:02d}")
    return pl.DataFrame({"month": days})


def _money(rng: np.random.Generator, n: int, low: int, high: int) -> pl.Series:
    return pl.Series(rng.integers(low * 100, high * 100, n))


def _date_back(rng: np.random.Generator, n: int, low: int, high: int) -> pl.Series:
    base = np.datetime64(AS_OF.isoformat())
    return pl.Series((base - rng.integers(low, high, n).astype("timedelta64[D]")).astype(str))


def feeds(people: pl.DataFrame, seed: int) -> dict[str, pl.DataFrame]:
    rng = np.random.default_rng(seed + 1)
    adults = people.filter((pl.col("age") >= 18) & (pl.col("age") < 60))
    elders = people.filter(pl.col("age") >= 60)
    out: dict[str, pl.DataFrame] = {}
    dead = _sample(elders, 0.012, seed + 2)
    died = dead.select("id_number", "name", died=_date_back(rng, dead.height, 10, 330))
    cancelled = _sample(died, 0.7, seed + 3)
    hukou = people.join(cancelled.select("id_number", "died"), on="id_number", how="left")
    out["hukou"] = _pick(
        hukou,
        "id_number",
        "name",
        "household_no",
        "relation",
        "division_code",
        pl.when(pl.col("died").is_null()).then(pl.lit("正常")).otherwise(pl.lit("死亡注销")),
        pl.col("died").fill_null(""),
    )
    out["death"] = _pick(_sample(died, 0.95, seed + 4), "id_number", "name", "died")
    out["cremation"] = _pick(_sample(died, 0.9, seed + 5), "id_number", "name", "died", "died")
    v = _sample(adults, 0.25, seed + 6)
    out["vehicle"] = _pick(
        v,
        "id_number",
        "name",
        pl.concat_str([pl.lit("浙A"), pl.Series(rng.integers(10000, 99999, v.height)).cast(pl.String)]),
        pl.lit("小型轿车"),
        _date_back(rng, v.height, 30, 3000),
        _yuan(_money(rng, v.height, 8000, 260000)),
    )
    si = _sample(adults, 0.7, seed + 7)
    si = si.with_columns(base=_money(rng, si.height, 4462, 20000) // 100 * 100)
    out["social_insurance"] = _pick(
        si.join(_months("%Y%m"), how="cross"),
        "id_number",
        "name",
        pl.lit("宁波市某某有限公司"),
        _yuan(pl.col("base")),
        "month",
    )
    pe = _sample(elders, 0.9, seed + 8)
    pe = pe.with_columns(amount=_money(rng, pe.height, 280, 6500))
    out["pension"] = _pick(
        pe.join(_months("%Y%m"), how="cross"),
        "id_number",
        "name",
        pl.lit("城镇职工基本养老保险"),
        _yuan(pl.col("amount")),
        "month",
    )
    tx = _sample(adults, 0.35, seed + 9)
    tx = tx.with_columns(income=_money(rng, tx.height, 3000, 25000))
    out["tax"] = _pick(
        tx.join(_months("%Y-%m"), how="cross"),
        "id_number",
        "name",
        pl.lit("工资薪金所得"),
        _yuan(pl.col("income")),
        "month",
    )
    hf = _sample(adults, 0.12, seed + 10)
    hf = hf.with_columns(monthly=_money(rng, hf.height, 300, 3000), balance=_money(rng, hf.height, 1000, 200000))
    out["housing_fund"] = _pick(
        hf.join(_months("%Y%m"), how="cross"),
        "id_number",
        "name",
        _yuan(pl.col("monthly")),
        "month",
        _yuan(pl.col("balance")),
    )
    un = _sample(adults, 0.01, seed + 11)
    out["unemployment"] = _pick(
        un.join(_months("%Y%m").head(6), how="cross"), "id_number", "name", pl.lit("1827.00"), "month"
    )
    heads = people.filter((pl.col("relation") == "户主") & (pl.col("age") >= 25))
    re_ = _sample(heads, 0.55, seed + 12)
    out["real_estate"] = _pick(
        re_,
        "id_number",
        "name",
        pl.concat_str(
            [
                pl.col("division_code"),
                pl.lit("GB"),
                pl.Series(rng.integers(10000, 99999, re_.height)).cast(pl.String),
                pl.lit("F00010001"),
            ]
        ),
        pl.concat_str([pl.col("division_code"), pl.lit("某小区1幢101室")]),
        pl.Series(rng.integers(4000, 16000, re_.height) / 100).cast(pl.String),
        pl.lit("住宅"),
        _date_back(rng, re_.height, 100, 7000),
    )
    en = _sample(adults, 0.03, seed + 13)
    out["enterprise"] = _pick(
        en,
        "id_number",
        "name",
        pl.lit("91330212MA2AAAAA0X"),
        pl.lit("宁波某某科技有限公司"),
        pl.lit("投资人"),
        pl.lit("10"),
        pl.lit("存续"),
    )
    pp = _sample(adults, 0.02, seed + 14)
    out["public_payroll"] = _pick(pp, "id_number", "name", pl.lit("某某局"), pl.lit("事业编制人员"))
    dp = _sample(people.filter(pl.col("age") >= 18), 0.35, seed + 15)
    out["deposit"] = _pick(
        dp,
        "id_number",
        "name",
        pl.lit("中国农业银行"),
        _yuan(_money(rng, dp.height, 100, 300000)),
        pl.lit(AS_OF.isoformat()),
    )
    se = _sample(adults, 0.05, seed + 16)
    digests = [hmac.new(DIGEST_KEY, n.encode(), "sm3").hexdigest() for n in se["id_number"].to_list()]
    out["securities"] = _pick(
        se, pl.Series(digests), "name", _yuan(_money(rng, se.height, 1000, 500000)), pl.lit(AS_OF.isoformat())
    )
    md = _sample(people, 0.08, seed + 17)
    total = _money(rng, md.height, 200, 50000)
    out["medical"] = _pick(
        md,
        "id_number",
        "name",
        _date_back(rng, md.height, 1, 365),
        _yuan(total),
        _yuan(total // 2),
        _yuan(total - total // 2),
    )
    out["disability"] = _pick(_sample(people, 0.05, seed + 18), "id_number", "name", pl.lit("肢体"), pl.lit("二级"))
    st = people.filter((pl.col("age") >= 6) & (pl.col("age") <= 22))
    out["student"] = _pick(st, "id_number", "name", pl.lit("某某学校"), pl.lit("初中"), pl.lit("在校"))
    pr = _sample(adults.filter(pl.col("age") < 50), 0.002, seed + 19)
    out["prison"] = _pick(pr, "id_number", "name", _date_back(rng, pr.height, 30, 1500), pl.lit("2029-01-01"))
    couples = (
        people.filter(pl.col("relation").is_in(["户主", "配偶"]))
        .group_by("household_no")
        .agg(pl.col("id_number"))
        .filter(pl.col("id_number").list.len() == 2)
    )
    wed = _sample(couples, 0.05, seed + 20)
    out["marriage"] = _pick(
        wed,
        pl.col("id_number").list.get(0),
        pl.col("id_number").list.get(1),
        pl.lit("结婚"),
        _date_back(rng, wed.height, 400, 3000),
    )
    return out


def generate(households: int, seed: int, root: Path) -> tuple[int, int, dict[str, int]]:
    people = population(households, seed)
    root.mkdir(parents=True, exist_ok=True)
    people.select("id_number", "name", "household_no", "division_code", "birth_date").write_parquet(
        root / "members.parquet"
    )
    (root / "feeds").mkdir(exist_ok=True)
    written = {}
    for feed_id, frame in feeds(people, seed).items():
        frame.columns = HEADERS[feed_id]
        frame.write_csv(root / "feeds" / f"{feed_id}_{AS_OF}.csv")
        written[feed_id] = frame.height
    return people["household_no"].n_unique(), people.height, written


# --- 2. ingestion ---------------------------------------------------------------------------------


def ingest(root: Path) -> tuple[int, float]:
    from minzheng.verification.engine.ingest import ingest_file
    from minzheng.verification.engine.store import FeedStore

    store = FeedStore(root / "store")
    rows, started, cpu = 0, time.perf_counter(), cpu_s()
    for feed_id in HEADERS:
        result = ingest_file(feed_id, root / "feeds" / f"{feed_id}_{AS_OF}.csv", AS_OF, store)
        rows += result.rows
        print(f"  {feed_id:17s} {result.rows:>11,} 行  接收 {result.accepted:,}  拒收 {result.rejected:,}", flush=True)
    print(f"  入库 CPU {cpu_s() - cpu:.1f} 秒", flush=True)
    return rows, time.perf_counter() - started


# --- 3. batch (child process: its own peak RSS) ----------------------------------------------------


def batch_child(root: Path, chunk: int) -> None:
    """The batch as the app runs it: partitions yielded one by one, each written out (not kept)."""
    import pyarrow.parquet as pq

    from minzheng.verification.engine import batch

    started = time.perf_counter()
    members = batch.assign_chunks(pq.read_table(root / "members.parquet"), chunk)
    spec = batch.spec_for(root / "store", AS_OF, digest_key=DIGEST_KEY)
    households = deceased = 0
    with pq.ParquetWriter(root / "batch-result.parquet", batch.RESULT_SCHEMA, compression="zstd") as out:
        for _key, result in batch.run_local(members, spec, work_dir=root):
            out.write_table(result)
            households += result.num_rows
            deceased += int(pl.from_arrow(result.select(["flags"]))["flags"].str.contains("deceased").sum())
    seconds = time.perf_counter() - started
    report = {
        "seconds": seconds,
        "cpu_s": cpu_s(),
        "households": households,
        "peak_rss_mb": rss_mb(),
        "deceased_households": deceased,
    }
    print(json.dumps(report))


def run_batch(root: Path, chunk: int) -> dict[str, float]:
    out = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, __file__, "--phase", "batch", "--dir", str(root), "--chunk", str(chunk)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


# --- 4. one household -----------------------------------------------------------------------------


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


# --- main -------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, help="work directory (default: a temp dir, removed afterwards)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--chunk", type=int, default=200_000, help="households per batch partition")
    parser.add_argument("--sample", type=int, default=1000, help="households for the one-household timings")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/test")
    parser.add_argument("--schema", default="bench_verify")
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--phase", choices=["batch"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "batch":
        batch_child(args.dir, args.chunk)
        return
    root = args.dir or Path(tempfile.mkdtemp(prefix="minzheng-verify-bench-"))
    try:
        run(args, root)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


def run(args: argparse.Namespace, root: Path) -> None:
    print(f"生成 {args.households:,} 户 …", flush=True)
    t = time.perf_counter()
    households, persons, written = generate(args.households, args.seed, root)
    gen_s = time.perf_counter() - t
    total = sum(written.values())
    print(f"生成：{households:,} 户 {persons:,} 人，部门数据 {total:,} 行，用时 {gen_s:.1f} 秒", flush=True)
    print("入库（ingest_file，逐个部门文件）…", flush=True)
    rows, ingest_s = ingest(root)
    print(f"入库：{rows:,} 行，{ingest_s:.1f} 秒，{rows / ingest_s:,.0f} 行/秒", flush=True)
    print("批量复核（DuckDB 引擎，子进程）…", flush=True)
    b = run_batch(root, args.chunk)
    print(
        f"批量复核：{b['households']:,} 户，端到端 {b['seconds']:.1f} 秒（CPU {b['cpu_s']:.0f} 秒），"
        f"峰值内存 {b['peak_rss_mb']:,.0f} MB，有死亡成员的户 {b['deceased_households']:,}",
        flush=True,
    )
    groups = sample_households(root, args.sample, args.seed)
    engine_ms, fetch_ms, differ, _ = households_engine(root, groups)
    e50, e99 = pct(engine_ms, 50), pct(engine_ms, 99)
    f50, f99 = pct(fetch_ms, 50), pct(fetch_ms, 99)
    print(
        f"一户核对（{len(groups)} 户）：DuckDB 点查 + evaluate p50 {e50:.1f} ms，p99 {e99:.1f} ms；"
        f"其中点查 p50 {f50:.1f} ms，p99 {f99:.1f} ms；与批量结果不一致的户：{differ}",
        flush=True,
    )
    fast_ms, fast_fetch_ms, fast_differ, build_s = households_engine(root, groups, fast=True)
    x50, x99 = pct(fast_ms, 50), pct(fast_ms, 99)
    y50, y99 = pct(fast_fetch_ms, 50), pct(fast_fetch_ms, 99)
    print(
        f"一户核对（{len(groups)} 户，查找索引；首次建索引 {build_s:.1f} 秒）：取行 + evaluate p50 {x50:.1f} ms，"
        f"p99 {x99:.1f} ms；其中取行 p50 {y50:.1f} ms，p99 {y99:.1f} ms；与批量结果不一致的户：{fast_differ}",
        flush=True,
    )
    summary = {
        "households": households,
        "persons": persons,
        "feed_rows": total,
        "generate_s": round(gen_s, 1),
        "ingest_rows_per_s": round(rows / ingest_s),
        "ingest_s": round(ingest_s, 1),
        "batch_s": round(b["seconds"], 1),
        "batch_cpu_s": round(b["cpu_s"], 1),
        "batch_peak_rss_mb": round(b["peak_rss_mb"]),
        "household_p50_ms": round(e50, 1),
        "household_p99_ms": round(e99, 1),
        "lookup_p50_ms": round(f50, 1),
        "lookup_p99_ms": round(f99, 1),
        "household_vs_batch_differ": differ,
        "indexed_build_s": round(build_s, 1),
        "indexed_household_p50_ms": round(x50, 1),
        "indexed_household_p99_ms": round(x99, 1),
        "indexed_lookup_p50_ms": round(y50, 1),
        "indexed_lookup_p99_ms": round(y99, 1),
        "indexed_vs_batch_differ": fast_differ,
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    if not args.no_postgres:
        try:
            load_s = pg_load(args.postgres, root, args.schema)
            naive_ms = households_naive(args.postgres, args.schema, groups)
        finally:
            pg_drop(args.postgres, args.schema)
        n50, n99 = pct(naive_ms, 50), pct(naive_ms, 99)
        print(
            f"朴素做法（PostgreSQL 索引表，每人每部门一次查询；载入 {load_s:.0f} 秒）："
            f"p50 {n50:.1f} ms，p99 {n99:.1f} ms（只取行，不计算）；"
            f"朴素取行 ÷ 点查：p50 {n50 / f50:.1f}×，p99 {n99 / f99:.1f}×；"
            f"朴素取行 ÷ 完整一键核对：p50 {n50 / e50:.1f}×，p99 {n99 / e99:.1f}×",
            flush=True,
        )
        summary.update(
            naive_load_s=round(load_s),
            naive_p50_ms=round(n50, 1),
            naive_p99_ms=round(n99, 1),
            ratio_lookup_p50=round(n50 / f50, 2),
            ratio_lookup_p99=round(n99 / f99, 2),
            ratio_household_p50=round(n50 / e50, 2),
            ratio_household_p99=round(n99 / e99, 2),
        )
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
