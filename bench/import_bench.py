#!/usr/bin/env python3
"""Benchmark: resident import rows/s and peak memory, then registry search latency.

Usage: .venv/bin/python bench/import_bench.py [--rows 1000000] [--keep DIR] [--seed 7] [--searches 200]

Generates a resident file of N rows (the demo generator, 鄞州区), imports it into a
fresh SQLite database in a scratch data directory, and prints:
- generation and import time, rows/s, and the CPU seconds the import used (wall
  time grows when other work shares the machine; CPU time mostly does not);
- peak RSS of the process after generation, after import (and the RSS reported
  at each 10% of the import, to show memory stays flat in file size);
- the same for an idempotent re-import of the file (every row compared with the
  registry, nothing written);
- registry search p50/p95/p99 for 200 searches by a county-wide user:
  name prefix, full identity number, phone (a third each), right after the
  first import (what an office sees when the load finishes) and again after
  the re-import.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_s() -> float:
    """CPU seconds of this process: unlike wall time, not inflated by other work on the machine."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--searches", type=int, default=200, help="registry searches to time (a third of each kind)")
    parser.add_argument("--keep", type=Path, help="keep the data directory here instead of a temp dir")
    parser.add_argument("--database-url", help="an EMPTY PostgreSQL database to measure instead of SQLite")
    args = parser.parse_args()
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix="minzheng-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["MINZHENG_DATA_DIR"] = str(data_dir)
    os.environ.pop("DATABASE_URL", None)  # the embedded SQLite default, unless asked otherwise
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    (data_dir / "minzheng.sqlite3").unlink(missing_ok=True)

    from minzheng.demo.generator import write_residents_file

    source = data_dir / "residents.csv"
    t0 = time.perf_counter()
    counts = write_residents_file(source, persons=args.rows, seed=args.seed)
    gen_s = time.perf_counter() - t0
    print(
        f"generated {counts['persons']:,} persons in {counts['households']:,} households, "
        f"{source.stat().st_size / 1e6:.0f} MB, {gen_s:.1f} s ({counts['persons'] / gen_s:,.0f} rows/s); "
        f"peak RSS {rss_mb():.0f} MB"
    )

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from minzheng.divisions.services import divisions_load_builtin
    from minzheng.registry.importing import residents_import

    call_command("migrate", verbosity=0)
    divisions_load_builtin()
    marks: list[str] = []
    step = max(1, args.rows // 10)

    def progress(done: int, total: int) -> None:
        if total and done // step > len(marks):
            marks.append(f"{done:,}: {rss_mb():.0f} MB")

    rss_before = rss_mb()
    t0, c0 = time.perf_counter(), cpu_s()
    result = residents_import(path=source, actor=None, progress=progress)
    import_s, import_cpu = time.perf_counter() - t0, cpu_s() - c0
    print(f"import: {result.as_dict()}")
    print(
        f"import {result.rows:,} rows in {import_s:.1f} s = {result.rows / import_s:,.0f} rows/s "
        f"(CPU {import_cpu:.1f} s); peak RSS before {rss_before:.0f} MB, after {rss_mb():.0f} MB"
    )
    print("RSS during import: " + "; ".join(marks))
    print("right after the import:")
    user = search_user()
    search_bench(source, args.seed, args.searches, args.rows, user)
    t0, c0 = time.perf_counter(), cpu_s()
    again = residents_import(path=source, actor=None)
    again_s = time.perf_counter() - t0
    print(
        f"re-import (idempotent): created {again.created}, updated {again.updated}, unchanged {again.unchanged:,}; "
        f"{again_s:.1f} s = {again.rows / again_s:,.0f} rows/s (CPU {cpu_s() - c0:.1f} s); peak RSS {rss_mb():.0f} MB"
    )
    print("after the re-import:")
    search_bench(source, args.seed, args.searches, args.rows, user)
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)


def search_user() -> object:
    from minzheng.accounts.services import user_create

    return user_create(actor=None, username="bench", role="county_approver", jurisdiction="330212")


def search_bench(source: Path, seed: int, searches: int, rows: int, user: object) -> None:
    from minzheng.registry.search import person_search

    rng = random.Random(seed)
    keep = min(1.0, 3 * searches / max(rows, 1))
    with source.open(encoding="utf-8-sig", newline="") as fh:
        sample = [row for i, row in enumerate(csv.reader(fh)) if i and rng.random() < keep]
    kinds = {
        "name prefix": [r[0][:2] for r in sample],
        "id number": [r[1] for r in sample],
        "phone": [r[9] for r in sample if r[9]],
    }
    timings: dict[str, list[float]] = {}
    for i, (kind, queries) in enumerate(kinds.items()):
        for q in queries[: searches // 3 + (i < searches % 3)]:  # the kinds share `searches` evenly
            t0 = time.perf_counter()
            person_search(user=user, q=q)
            timings.setdefault(kind, []).append((time.perf_counter() - t0) * 1000)
    every = sorted(t for ts in timings.values() for t in ts)
    print(f"search ({len(every)} queries as a county-wide user): {_percentiles(every)}")
    for kind, ts in timings.items():
        print(f"  {kind} ({len(ts)}): {_percentiles(sorted(ts))}")


def _percentiles(ms: list[float]) -> str:
    def at(p: float) -> float:
        return ms[min(len(ms) - 1, int(len(ms) * p))]

    return f"p50 {statistics.median(ms):.1f} ms, p95 {at(0.95):.1f} ms, p99 {at(0.99):.1f} ms, max {ms[-1]:.1f} ms"


if __name__ == "__main__":
    main()
