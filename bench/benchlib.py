"""What the Django benchmark scripts share: a throwaway data directory and database, peak memory, percentiles.

Imported by the scripts in this folder (run as `python bench/<name>.py`, so this folder is on sys.path).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import tempfile
from pathlib import Path


def _status_mb(field: str) -> float | None:
    """A `VmXXX:` line of /proc/self/status in MB, or None where there is no /proc (not Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def rss_mb() -> float:
    """This process's own peak resident memory so far, in MB (`VmHWM`, its address space's high-water mark).

    Not `getrusage`'s `ru_maxrss` where /proc has the figure: Linux carries that across `execve`, and
    Python starts children with vfork, so a bench child's `ru_maxrss` is at least its parent's peak
    when it was started (the verify bench's batch child reported the parent's 5.3 GB of generation
    and ingest as its own; its own peak was 1.4-1.6 GB).
    """
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def current_mb() -> float:
    """This process's resident memory now, in MB (`VmRSS`; 0 where there is no /proc)."""
    return _status_mb("VmRSS") or 0.0


def pct(ms: list[float], p: float) -> float:
    """The p-quantile (0 < p < 1) of the timings, nearest rank; p=0.5 is the median."""
    if p == 0.5:
        return statistics.median(ms)
    ordered = sorted(ms)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def percentiles(ms: list[float]) -> str:
    return f"p50 {pct(ms, 0.5):.1f} ms, p95 {pct(ms, 0.95):.1f} ms, p99 {pct(ms, 0.99):.1f} ms, max {max(ms):.1f} ms"


def db_label() -> str:
    """SQLite or PostgreSQL, for a figure's case name (after django.setup())."""
    from django.db import connection

    return "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"


def setup_django(args: argparse.Namespace, name: str) -> Path:
    """A fresh database (SQLite under a temp dir unless --database-url / DATABASE_URL), migrated."""
    data_dir = args.keep or Path(tempfile.mkdtemp(prefix=f"minzheng-{name}-bench-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["MINZHENG_DATA_DIR"] = str(data_dir)
    url = getattr(args, "database_url", None) or os.environ.get("DATABASE_URL", "")
    if url:
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
        (data_dir / "minzheng.sqlite3").unlink(missing_ok=True)
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"  # the test client's host
    os.environ.setdefault("MINZHENG_FEED_DIGEST_KEY", "bench")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor} ({connection.settings_dict['NAME']})")
    return data_dir


def cpu_s() -> float:
    """CPU seconds of this process (user + system): unlike wall time, not inflated by other work."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


_DEFAULTS: dict[str, str] = {"size": ""}


def set_size(text: str) -> None:
    """The data size every later figure of this run is measured on, unless a figure names its own."""
    _DEFAULTS["size"] = text


def emit(
    bench: str,
    case: str,
    value: float,
    unit: str,
    *,
    size: str = "",
    baseline: float | None = None,
    baseline_name: str = "",
    work: str = "",
    lower_is_better: bool | None = None,
) -> None:
    """Print one figure as a `BENCH {json}` line: `bench/run_all.py` collects these into docs/benchmarks.md.

    `baseline` must be measured in the same run doing the same work (`work` says what both sides
    include); the ratio is printed here, from the two measurements, as "times better than the baseline".
    """
    import json

    if lower_is_better is None:  # times and memory: lower is better; rates: higher is better
        lower_is_better = not unit.endswith("/s")
    record: dict[str, object] = {"bench": bench, "case": case, "value": value, "unit": unit}
    record["size"] = size or _DEFAULTS["size"]
    if baseline is not None:
        ratio = (baseline / value if lower_is_better else value / baseline) if value and baseline else None
        record.update(baseline=baseline, baseline_name=baseline_name, ratio=ratio)
    if work:
        record["work"] = work
    print("BENCH " + json.dumps(record, ensure_ascii=False), flush=True)
