"""Ingest and batch stages of bench/verify_bench.py (the batch runs in a child process: its own peak RSS)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import polars as pl
from benchlib import cpu_s, current_mb, rss_mb
from verify_gen import AS_OF, DIGEST_KEY

from minzheng.demo.feeds import HEADERS


def ingest(root: Path) -> tuple[int, float, float]:
    """Every feed file through `ingest_file`, then each snapshot's lookup index built as the product
    does right after a delivery (`services._lookup_index_build`). Returns rows, seconds without the
    index build, seconds with it."""
    from minzheng.verification.engine import lookup
    from minzheng.verification.engine.ingest import ingest_file
    from minzheng.verification.engine.store import FeedStore

    store = FeedStore(root / "store")
    rows, plain, build, cpu = 0, 0.0, 0.0, cpu_s()
    for feed_id in HEADERS:
        t = time.perf_counter()
        result = ingest_file(feed_id, root / "feeds" / f"{feed_id}_{AS_OF}.csv", AS_OF, store)
        t_ingest = time.perf_counter()
        snap = store.snapshot(feed_id, AS_OF)
        if snap is not None:
            lookup.index_for(snap)
        plain += t_ingest - t
        build += time.perf_counter() - t_ingest
        rows += result.rows
        print(f"  {feed_id:17s} {result.rows:>11,} 行  接收 {result.accepted:,}  拒收 {result.rejected:,}", flush=True)
    print(f"  入库 CPU {cpu_s() - cpu:.1f} 秒（含建查找索引 {build:.1f} 秒）", flush=True)
    return rows, plain, plain + build


# --- 3. batch (child process: its own peak RSS) ----------------------------------------------------


class RssTimeline(logging.Handler):
    """`MINZHENG_BENCH_RSS=1`: RSS sampled every 0.2 s, cut at the batch's phase markers (the debug
    lines of `engine.batch`: staged, shuffled <feed>, partition <key>), printed to stderr as one line
    per phase: when it ended, CPU seconds so far, RSS at its end and the highest sample inside it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.t0 = time.perf_counter()
        self.samples: list[tuple[float, float]] = []
        self.marks: list[tuple[float, str, float, float]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self.stop.wait(0.2):
            self.samples.append((time.perf_counter() - self.t0, current_mb()))

    def emit(self, record: logging.LogRecord) -> None:
        self.marks.append((time.perf_counter() - self.t0, record.getMessage(), current_mb(), cpu_s()))

    def __enter__(self) -> RssTimeline:
        logger = logging.getLogger("minzheng.verification.engine.batch")
        logger.setLevel(logging.DEBUG)
        logger.addHandler(self)
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        self.thread.join()
        logging.getLogger("minzheng.verification.engine.batch").removeHandler(self)
        self.marks.append((time.perf_counter() - self.t0, "results written", current_mb(), cpu_s()))
        sys.stderr.write(f"{'phase':28s} {'end s':>7s} {'CPU s':>7s} {'RSS MB':>7s} {'peak MB':>8s}\n")
        start = 0.0
        for end, name, rss, cpu in self.marks:
            inside = [mb for t, mb in self.samples if start <= t <= end] + [rss]
            sys.stderr.write(f"{name:28s} {end:7.1f} {cpu:7.1f} {rss:7.0f} {max(inside):8.0f}\n")
            start = end


def batch_child(root: Path, chunk: int) -> None:
    """The batch as the app runs it: partitions yielded one by one, each written out (not kept)."""
    import pyarrow.parquet as pq

    from minzheng.verification.engine import batch

    started = time.perf_counter()
    timeline = RssTimeline() if os.environ.get("MINZHENG_BENCH_RSS") == "1" else contextlib.nullcontext()
    spec = batch.spec_for(root / "store", AS_OF, digest_key=DIGEST_KEY)
    households = deceased = 0
    # The population streamed from its file (never loaded whole), each partition's rows written out.
    with timeline, pq.ParquetWriter(root / "batch-result.parquet", batch.RESULT_SCHEMA, compression="zstd") as out:
        for _key, result in batch.run_file(root / "members.parquet", spec, chunk_households=chunk, work_dir=root):
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


def run_batch(root: Path, chunk: int, phase: str = "batch") -> dict[str, float]:
    """`phase`: "batch" (DuckDB engine) or "spark" (the same partitions on Spark in local mode)."""
    return run_child(root, phase, "--chunk", str(chunk))


def run_child(root: Path, phase: str, *args: str) -> dict[str, Any]:
    """verify_bench.py `--phase <phase>` in a child process (its own memory); its last line, as JSON."""
    script = str(Path(__file__).with_name("verify_bench.py"))
    command = [sys.executable, script, "--phase", phase, "--dir", str(root), *args]
    out = subprocess.run(command, check=False, capture_output=True, text=True)  # noqa: S603 - our own script
    if out.returncode != 0:  # the child's own traceback, not only its exit status
        sys.stderr.write(out.stdout[-4000:] + out.stderr[-8000:])
        raise SystemExit(f"{phase} 子进程失败（退出码 {out.returncode}）")
    return json.loads(out.stdout.strip().splitlines()[-1])


def spark_child(root: Path, chunk: int) -> None:
    """The Spark path in local mode on the same data (`engine.spark.run_spark`, local[2] unless
    MINZHENG_SPARK_MASTER): seconds, driver peak RSS, and how many households differ from the DuckDB
    engine's rows (content hash)."""
    import pyarrow.parquet as pq

    from minzheng.verification.engine import batch
    from minzheng.verification.engine.spark import run_spark, spark_stop

    # run_spark hands every partition's rows back to this driver (to compare them with DuckDB's): at
    # 1,000,000 households in 200,000-household partitions the defaults (2g heap, 1g of results) ran out.
    os.environ.setdefault("MINZHENG_SPARK_DRIVER_MEMORY", "8g")
    os.environ.setdefault("PYSPARK_SUBMIT_ARGS", "--conf spark.driver.maxResultSize=6g pyspark-shell")
    started = time.perf_counter()
    members = batch.assign_chunks(pq.read_table(root / "members.parquet"), chunk)
    spec = batch.spec_for(root / "store", AS_OF, digest_key=DIGEST_KEY)
    parts = run_spark(members, spec)
    seconds = time.perf_counter() - started
    spark_stop()
    got = pl.concat([pl.from_arrow(t.select(["household_no", "content_hash"])) for t in parts.values()])
    ref = pl.read_parquet(root / "batch-result.parquet", columns=["household_no", "content_hash"])
    joined = ref.join(got, on="household_no", how="full", suffix="_spark")
    differ = joined.filter(pl.col("content_hash").ne_missing(pl.col("content_hash_spark"))).height
    print(json.dumps({"seconds": seconds, "households": got.height, "peak_rss_mb": rss_mb(), "differ": differ}))
