#!/usr/bin/env python3
"""Benchmark: feed ingestion, batch re-check, one-household verification, and the naive PostgreSQL way.

Usage: .venv/bin/python bench/verify_bench.py [--households 1000000] [--chunk 200000] [--sample 1000]
       [--spark] [--spark-chunk 200000] [--duckdb-lookups] [--dir DIR] [--keep] [--no-postgres]

Modules: verify_gen.py (data), verify_batch.py (ingest, batch and Spark children), verify_one.py
(one household, naive PostgreSQL). Every key figure is also printed as a `BENCH` line (benchlib.emit).

1. Generates N households of 1–6 persons (about 3 N persons) and the 19 department feeds as CSV
   (verify_gen.py); at a million households the feeds hold about 38 million rows.
2. Ingests every file (`engine.ingest.ingest_file`), then builds each snapshot's lookup index as the
   product does at ingest: rows/s without and with the index build.
3. Runs the batch over every household (`engine.batch.run_file`, the DuckDB engine, the population
   streamed from its Parquet file) in a child process: end-to-end seconds, CPU seconds, peak RSS.
   `--spark`: the same data through `engine.spark.run_spark` in local mode (needs pyspark, the
   project's `spark` or `test` extra, and Java), compared household by household with DuckDB's rows.
4. Verifies `--sample` random households one at a time through the one-household path with lookup
   indexes (`engine.household`): fetch, and fetch + evaluate, p50/p99; `--duckdb-lookups` also
   times the path without indexes. Every result is compared with the batch's content hash.
   Then the whole check as the product runs it (verify_whole.py, a Django child on its own SQLite
   database with the sample registered): registry read + fetch + evaluate + rules with explanations.
5. The naive way, in the same run: every feed CSV loaded into an indexed PostgreSQL table (schema
   `bench_verify`, dropped afterwards), then one query per member per feed for the same
   households: p50/p99, printed beside the indexed fetch with the ratio.

Aims (issue 16): batch ≤ 120 s at 1,000,000 households with peak memory bounded by the partition;
one-household fetch p99 below the PostgreSQL fetch; whole check p99 ≤ 50 ms; ingest ≥ 500,000 rows/s, on 2 cores.
Run the full size under `flock /tmp/mz-bench.lock` (the machine is shared).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from benchlib import emit
from verify_batch import batch_child, ingest, run_batch, spark_child
from verify_gen import generate
from verify_one import households_engine, households_naive, pct, pg_drop, pg_load, sample_households
from verify_whole import run_whole, whole_child


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
    parser.add_argument("--spark", action="store_true", help="also run the batch on Spark in local mode")
    parser.add_argument(
        "--spark-chunk",
        type=int,
        default=200_000,
        help="households per Spark partition (each Spark partition scans every snapshot: few, large ones)",
    )
    parser.add_argument(
        "--duckdb-lookups", action="store_true", help="also time the one-household path without lookup indexes"
    )
    parser.add_argument("--phase", choices=["batch", "spark", "whole"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase == "batch":
        batch_child(args.dir, args.chunk)
        return
    if args.phase == "spark":
        spark_child(args.dir, args.chunk)
        return
    if args.phase == "whole":
        whole_child(args.dir, sample_households(args.dir, args.sample, args.seed))
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
    size = f"{households:,} 户，{total:,} 行部门数据"
    print(f"生成：{households:,} 户 {persons:,} 人，部门数据 {total:,} 行，用时 {gen_s:.1f} 秒", flush=True)
    print("入库（ingest_file，逐个部门文件，随后建查找索引）…", flush=True)
    rows, plain_s, ingest_s = ingest(root)
    print(
        f"入库：{rows:,} 行；不含建索引 {plain_s:.1f} 秒，{rows / plain_s:,.0f} 行/秒；"
        f"含建索引（产品入库时即建）{ingest_s:.1f} 秒，{rows / ingest_s:,.0f} 行/秒",
        flush=True,
    )
    emit(
        "verify",
        "部门数据入库（不含建查找索引）",
        rows / plain_s,
        "rows/s",
        size=size,
        work="19 个 CSV 文件经 ingest_file",
    )
    emit(
        "verify",
        "部门数据入库（含建查找索引，产品做法）",
        rows / ingest_s,
        "rows/s",
        size=size,
        work="19 个 CSV 文件经 ingest_file，每个快照随即 lookup.index_for",
    )
    print(f"批量复核（DuckDB 引擎，子进程，每块 {args.chunk:,} 户）…", flush=True)
    b = run_batch(root, args.chunk)
    print(
        f"批量复核：{b['households']:,} 户，端到端 {b['seconds']:.1f} 秒（CPU {b['cpu_s']:.0f} 秒），"
        f"峰值内存 {b['peak_rss_mb']:,.0f} MB，有死亡成员的户 {b['deceased_households']:,}",
        flush=True,
    )
    work = f"成员 Parquet + 部门数据快照 → 每户一行结果写入 Parquet，每块 {args.chunk:,} 户"
    emit("verify", "批量复核 端到端（DuckDB 引擎）", b["seconds"], "s", size=size, work=work)
    emit("verify", "批量复核 CPU 秒（DuckDB 引擎）", b["cpu_s"], "s", size=size, work=work)
    emit("verify", "批量复核 峰值内存（DuckDB 引擎）", b["peak_rss_mb"], "MB", size=size, work=work)
    summary: dict[str, object] = {
        "households": households,
        "persons": persons,
        "feed_rows": total,
        "generate_s": round(gen_s, 1),
        "ingest_rows_per_s": round(rows / ingest_s),
        "ingest_plain_rows_per_s": round(rows / plain_s),
        "ingest_s": round(ingest_s, 1),
        "batch_s": round(b["seconds"], 1),
        "batch_cpu_s": round(b["cpu_s"], 1),
        "batch_peak_rss_mb": round(b["peak_rss_mb"]),
    }
    if args.spark:
        print("批量复核（Spark 本地模式，同一数据，子进程）…", flush=True)
        sp = run_batch(root, args.spark_chunk, phase="spark")
        print(
            f"批量复核（Spark local）：{sp['households']:,} 户，{sp['seconds']:.1f} 秒，"
            f"驱动进程峰值内存 {sp['peak_rss_mb']:,.0f} MB，与 DuckDB 结果不一致的户：{sp['differ']}",
            flush=True,
        )
        emit(
            "verify",
            "批量复核 端到端（Spark 本地模式）",
            sp["seconds"],
            "s",
            size=size,
            baseline=b["seconds"],
            baseline_name="DuckDB 引擎（同一数据同一次运行）",
            work=f"同一成员与快照，local[2]，Spark 每块 {args.spark_chunk:,} 户、DuckDB 每块 {args.chunk:,} 户；"
            f"不一致 {sp['differ']} 户",
        )
        summary.update(spark_s=round(sp["seconds"], 1), spark_differ=sp["differ"])
    groups = sample_households(root, args.sample, args.seed)
    if args.duckdb_lookups:
        engine_ms, fetch_ms, differ, _ = households_engine(root, groups)
        print(
            f"一户核对（{len(groups)} 户，DuckDB 点查，无索引）：取行 + evaluate p50 {pct(engine_ms, 50):.1f} ms，"
            f"p99 {pct(engine_ms, 99):.1f} ms；其中取行 p50 {pct(fetch_ms, 50):.1f} ms，"
            f"p99 {pct(fetch_ms, 99):.1f} ms；与批量结果不一致的户：{differ}",
            flush=True,
        )
    fast_ms, fast_fetch_ms, fast_differ, build_s = households_engine(root, groups, fast=True)
    x50, x99 = pct(fast_ms, 50), pct(fast_ms, 99)
    y50, y99 = pct(fast_fetch_ms, 50), pct(fast_fetch_ms, 99)
    print(
        f"一户核对（{len(groups)} 户，查找索引；首户 {build_s:.1f} 秒）：取行 + evaluate p50 {x50:.1f} ms，"
        f"p99 {x99:.1f} ms；其中取行 p50 {y50:.1f} ms，p99 {y99:.1f} ms；与批量结果不一致的户：{fast_differ}",
        flush=True,
    )
    summary.update(
        indexed_first_s=round(build_s, 1),
        indexed_household_p50_ms=round(x50, 1),
        indexed_household_p99_ms=round(x99, 1),
        indexed_lookup_p50_ms=round(y50, 1),
        indexed_lookup_p99_ms=round(y99, 1),
        indexed_vs_batch_differ=fast_differ,
        load_average=[round(x, 1) for x in os.getloadavg()],
    )
    whole(root, args, size, summary)
    n50 = n99 = None
    if not args.no_postgres:
        try:
            load_s = pg_load(args.postgres, root, args.schema)
            naive_ms = households_naive(args.postgres, args.schema, groups)
        finally:
            pg_drop(args.postgres, args.schema)
        n50, n99 = pct(naive_ms, 50), pct(naive_ms, 99)
        print(
            f"朴素做法（PostgreSQL 索引表，每人每部门一次查询；载入 {load_s:.0f} 秒）：取行 p50 {n50:.1f} ms，"
            f"p99 {n99:.1f} ms；索引取行比它快：p50 {n50 / y50:.2f}×，p99 {n99 / y99:.2f}×（同一批户，同一次运行）",
            flush=True,
        )
        summary.update(naive_load_s=round(load_s), naive_p50_ms=round(n50, 1), naive_p99_ms=round(n99, 1))
    one = f"同一批 {len(groups):,} 户（随机抽取），与批量结果不一致 {fast_differ} 户"
    pg = "PostgreSQL 建索引逐人逐项查询（只取行）" if n50 is not None else ""
    fetch_work = one + "；本方：引擎查找索引取全部 19 个部门的行；基线：每人每部门一次索引查询，只取行"
    for label, value, base in (("p50", y50, n50), ("p99", y99, n99)):
        case = f"一户核对 取行 {label}（查找索引）"
        emit("verify", case, value, "ms", size=size, work=fetch_work, baseline=base, baseline_name=pg)
    emit("verify", "一户核对 取行 + evaluate p50", x50, "ms", size=size, work=one + "；基线只取行，不计算")
    emit("verify", "一户核对 取行 + evaluate p99", x99, "ms", size=size, work=one + "；基线只取行，不计算")
    print(json.dumps(summary, ensure_ascii=False))


def whole(root: Path, args: argparse.Namespace, size: str, summary: dict[str, object]) -> None:
    """Step 4b: the whole check (registry read + fetch + evaluate + rules with explanations) per household."""
    w = run_whole(root, args.sample, args.seed)
    ms = w["times_ms"]
    w50, w99 = pct(ms, 50), pct(ms, 99)
    print(
        f"一户完整核对（{len(ms)} 户，登记读取 + 取行 + evaluate + 规则及说明，缓存关闭；首户 {w['warm_s']:.1f} 秒）："
        f"p50 {w50:.1f} ms，p99 {w99:.1f} ms；有部门数据的户 {w['verified']}，"
        f"政策判定 {w['decided']:,} 条，待核对 {w['undecided']:,} 条",
        flush=True,
    )
    work = (
        f"同一批 {len(ms):,} 户，产品路径 rules.eligibility.household_result（缓存关闭）：从 SQLite 登记库读成员、"
        "查找索引取 19 个部门的行、evaluate、规则引擎逐项判定并生成说明"
    )
    for label, value in (("p50", w50), ("p99", w99)):
        emit("verify", f"一户完整核对（含规则）{label}", value, "ms", size=size, work=work)
    summary.update(whole_p50_ms=round(w50, 1), whole_p99_ms=round(w99, 1), whole_verified=w["verified"])


if __name__ == "__main__":
    main()
