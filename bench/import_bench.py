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
  the re-import;
- an import into the registry just loaded of a second file: the same rows with about
  10% changed (name and phone) and about 10% new persons in new 户 (rows/s, counts);
- on PostgreSQL, the baseline the issue names: a plain COPY of the same accepted rows
  (persons, 户, tags as stored) into copies of the same typed tables with their indexes
  (`CREATE TABLE … (LIKE … INCLUDING ALL)`: primary keys, unique and plain indexes; no
  foreign keys), measured in the same run.

One `BENCH {json}` line per key figure (bench/benchlib.emit) for bench/run_all.py.
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
from benchlib import emit, rss_mb  # bench/ is on sys.path when run as a script


def cpu_s() -> float:
    """CPU seconds of this process and its finished children (pass 1's worker, importing/split.py):
    unlike wall time, not inflated by other work on the machine."""
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)


def server_cpu_s() -> float | None:
    """CPU seconds of this connection's PostgreSQL backend process, when the server runs on this machine.

    The set-based import does much of its work in the server: the client's CPU alone would flatter it.
    None for SQLite (in-process: counted in cpu_s) or a server elsewhere.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def cpu_text(c0: float, s0: float | None) -> str:
    """'CPU 3.1 s' for the process, '+ server 2.0 s' for its PostgreSQL backend when it can be read."""
    s1 = server_cpu_s()
    server = f" + server {s1 - s0:.1f} s" if s0 is not None and s1 is not None else ""
    return f"CPU {cpu_s() - c0:.1f} s{server}"


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
    from django.db import connection

    marks: list[str] = []
    step = max(1, args.rows // 10)
    size = f"{args.rows:,} 行"
    db = connection.vendor

    def progress(done: int, total: int) -> None:
        if total and done // step > len(marks):
            marks.append(f"{done:,}: {rss_mb():.0f} MB")

    rss_before = rss_mb()
    t0, c0, s0 = time.perf_counter(), cpu_s(), server_cpu_s()
    result = residents_import(path=source, actor=None, progress=progress)
    import_s, import_cpu = time.perf_counter() - t0, cpu_text(c0, s0)
    print(f"import: {result.as_dict()}")
    print(
        f"import {result.rows:,} rows in {import_s:.1f} s = {result.rows / import_s:,.0f} rows/s "
        f"({import_cpu}); peak RSS before {rss_before:.0f} MB, after {rss_mb():.0f} MB"
    )
    print("RSS during import: " + "; ".join(marks))
    first_rate = result.rows / import_s
    baseline = copy_baseline(data_dir) if db == "postgresql" else None
    emit(
        "import",
        f"首次导入 {db}（空库）",
        round(first_rate),
        "rows/s",
        size=size,
        baseline=round(baseline) if baseline else None,
        baseline_name="PostgreSQL 纯 COPY 同样的已接收行进同结构带索引表" if baseline else "",
        work="本方：读文件、逐行校验、暂存、全文件规则、写入居民/户/标签、重建索引、ANALYZE、审计；"
        "对照：只 COPY 入库后的居民、户、标签行（已校验）进带主键、唯一与普通索引的同结构表，无外键",
    )
    print("right after the import:")
    user = search_user()
    p95 = search_bench(source, args.seed, args.searches, args.rows, user)
    emit("import", f"导入后立即检索 p95 {db}", round(p95, 1), "ms", size=size, work="姓名前缀、身份号码、电话各一")
    t0, c0, s0 = time.perf_counter(), cpu_s(), server_cpu_s()
    again = residents_import(path=source, actor=None)
    again_s = time.perf_counter() - t0
    print(
        f"re-import (idempotent): created {again.created}, updated {again.updated}, unchanged {again.unchanged:,}; "
        f"{again_s:.1f} s = {again.rows / again_s:,.0f} rows/s ({cpu_text(c0, s0)}); peak RSS {rss_mb():.0f} MB"
    )
    emit("import", f"同一文件再次导入（无变化）{db}", round(again.rows / again_s), "rows/s", size=size)
    print("after the re-import:")
    search_bench(source, args.seed, args.searches, args.rows, user)
    mixed = data_dir / "mixed.csv"
    changed, new = write_mixed(source, mixed, args.seed)
    t0, c0, s0 = time.perf_counter(), cpu_s(), server_cpu_s()
    into = residents_import(path=mixed, actor=None)
    into_s = time.perf_counter() - t0
    print(
        f"import into the populated registry ({changed:,} rows changed, {new:,} new rows): {into.as_dict()}; "
        f"{into_s:.1f} s = {into.rows / into_s:,.0f} rows/s ({cpu_text(c0, s0)}); peak RSS {rss_mb():.0f} MB"
    )
    emit(
        "import",
        f"导入已有数据的库（约 10% 变更、10% 新增）{db}",
        round(into.rows / into_s),
        "rows/s",
        size=f"{into.rows:,} 行进 {result.created:,} 人的库",
        work="读文件、逐行校验、暂存、全文件规则（含库内比对）、写变更与新增、变更记录、ANALYZE、审计",
    )
    emit("import", f"导入全程峰值内存 {db}", round(rss_mb()), "MB", size=size)
    if not args.keep:
        shutil.rmtree(data_dir, ignore_errors=True)


def write_mixed(source: Path, target: Path, seed: int) -> tuple[int, int]:
    """The source rows with every 10th changed (name, phone), plus a new person after every 10th row.

    The new persons are the rows the generator (same seed) goes on to write after the source's
    last row: identity numbers distinct from the source's, mostly in new 户.
    """
    from minzheng.demo.generator import write_residents_file

    extra = target.with_name("extra.csv")
    with source.open(encoding="utf-8-sig", newline="") as fh:
        total = sum(1 for _ in fh) - 1
    write_residents_file(extra, persons=total + max(1, total // 10), seed=seed)
    changed = new = 0
    with (
        source.open(encoding="utf-8-sig", newline="") as src,
        extra.open(encoding="utf-8-sig", newline="") as more,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader, extras, writer = csv.reader(src), csv.reader(more), csv.writer(out, lineterminator="\n")
        writer.writerow(next(reader))
        for _ in range(total + 1):
            next(extras)  # the header and the source's own rows
        for i, row in enumerate(reader):
            if i % 10 == 3:
                row[0], row[9] = row[0] + "新", f"139{i % 100_000_000:08d}"
                changed += 1
            writer.writerow(row)
            if i % 10 == 6 and (added := next(extras, None)):
                writer.writerow(added)
                new += 1
    extra.unlink()
    return changed, new


_BASELINE_TABLES = ("registry_household", "registry_person", "registry_persontag")


def copy_baseline(data_dir: Path) -> float:
    """Rows/s of a plain COPY of the stored rows into copies of the typed tables with their indexes.

    The rows are dumped to files first (COPY TO, not timed); the timed part is COPY FROM into empty
    `LIKE … INCLUDING ALL` tables (primary keys, unique and plain indexes, defaults), committed.
    Rows/s counts the persons, as the import's figure does; the 户 and tag rows are extra work
    on the baseline's side too.
    """
    from django.db import connection, transaction

    dumps = {t: data_dir / f"{t}.copy" for t in _BASELINE_TABLES}
    with connection.cursor() as cursor:
        for table, dump in dumps.items():
            with dump.open("wb") as fh, cursor.copy(f"COPY {table} TO STDOUT") as copy:
                for data in copy:
                    fh.write(data)
            cursor.execute(f"DROP TABLE IF EXISTS bench_{table}")
            cursor.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
        cursor.execute("SELECT count(*) FROM registry_person")
        persons = cursor.fetchone()[0]
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, dump in dumps.items():
            with dump.open("rb") as fh, cursor.copy(f"COPY bench_{table} FROM STDIN") as copy:
                while data := fh.read(1 << 20):
                    copy.write(data)
    copy_s = time.perf_counter() - t0
    with connection.cursor() as cursor:
        for table, dump in dumps.items():
            cursor.execute(f"DROP TABLE bench_{table}")
            dump.unlink()
    print(
        f"baseline: plain COPY of {persons:,} persons (+ their 户 and tags) into indexed copies: "
        f"{copy_s:.1f} s = {persons / copy_s:,.0f} rows/s"
    )
    return persons / copy_s


def search_user() -> object:
    from minzheng.accounts.services import user_create

    return user_create(actor=None, username="bench", role="county_approver", jurisdiction="330212")


def search_bench(source: Path, seed: int, searches: int, rows: int, user: object) -> float:
    """Prints the percentiles; returns p95 of all searches in ms."""
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
    return every[min(len(every) - 1, int(len(every) * 0.95))]


def _percentiles(ms: list[float]) -> str:
    def at(p: float) -> float:
        return ms[min(len(ms) - 1, int(len(ms) * p))]

    return f"p50 {statistics.median(ms):.1f} ms, p95 {at(0.95):.1f} ms, p99 {at(0.99):.1f} ms, max {ms[-1]:.1f} ms"


if __name__ == "__main__":
    main()
