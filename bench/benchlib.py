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


def rss_mb() -> float:
    """Peak resident memory of this process so far, in MB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def percentiles(ms: list[float]) -> str:
    ms = sorted(ms)

    def at(p: float) -> float:
        return ms[min(len(ms) - 1, int(len(ms) * p))]

    return f"p50 {statistics.median(ms):.1f} ms, p95 {at(0.95):.1f} ms, p99 {at(0.99):.1f} ms, max {ms[-1]:.1f} ms"


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
