"""bench/benchlib.rss_mb: a bench child reports its own peak memory, not the parent's.

The full bench generates and ingests the feeds in the parent (~5 GB at 1 M households), then starts
the batch child. Linux keeps `ru_maxrss` across the child's `execve`, so the child's getrusage figure
was the parent's peak (5,335 MB reported for a batch whose own peak was ~1.6 GB).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PARENT_MB = 600  # what the parent holds when it starts the child; the child itself needs far less

CHILD = f"""
import json, sys
sys.path[:0] = [{str(ROOT)!r}, {str(ROOT / "bench")!r}]
import resource
from benchlib import rss_mb
print(json.dumps({{"own": rss_mb(), "getrusage": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
"""

PARENT = f"""
import subprocess, sys
held = bytearray({PARENT_MB} * 1024 * 1024)
for i in range(0, len(held), 4096):
    held[i] = 1  # resident, not only reserved
print(subprocess.run([sys.executable, "-c", {CHILD!r}], capture_output=True, text=True, check=True).stdout)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's /proc")
def test_the_batch_child_peak_is_its_own_not_the_parents() -> None:
    out = subprocess.run([sys.executable, "-c", PARENT], capture_output=True, text=True, check=True, cwd=ROOT)
    peak = json.loads(out.stdout.strip().splitlines()[-1])
    # getrusage carries the parent's peak into the child: the figure the bench used to report.
    assert peak["getrusage"] >= PARENT_MB
    # The child's own high-water mark: an interpreter with polars imported, nowhere near the parent's.
    assert peak["own"] < PARENT_MB / 2
