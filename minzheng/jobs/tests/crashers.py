"""Test-only job handlers that misbehave the ways a parser can: abort, exhaust memory, hang.

Imported by test_child.py, and by the child process (jobs.run_one imports a handler's module).
"""

from __future__ import annotations

import os
import time
from typing import Any

from minzheng.jobs.services import JobContext, job_handler


@job_handler("test.abort", heavy=True)
def abort(ctx: JobContext) -> dict[str, Any]:
    """What python-calamine does on the sparse XLSX: an allocation fails and the process aborts."""
    ctx.progress(1, 2)
    os.abort()


@job_handler("test.abort_once", heavy=True)
def abort_once(ctx: JobContext) -> dict[str, Any]:
    if ctx.job.crashes == 0:
        os.abort()
    return {"survived": ctx.job.crashes}


@job_handler("test.allocate", heavy=True)
def allocate(ctx: JobContext) -> dict[str, Any]:
    block = bytearray(ctx.params["mb"] << 20)
    return {"allocated": len(block)}


@job_handler("test.busy", heavy=True)
def busy(ctx: JobContext) -> dict[str, Any]:
    """A long step without progress(): only killing the child stops it early."""
    ctx.progress(0, 1)
    time.sleep(ctx.params.get("seconds", 60))
    return {"slept": True}
