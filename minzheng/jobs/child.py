"""Run one claimed job in a child process, so its crash ends the child and not the server.

The parent (a worker thread of the web server, `minzheng worker`, or a CLI command) has claimed
the job; it starts `python -m minzheng.jobs.run_one JOB_ID MODULE`, waits, and if the child dies
without recording an outcome (a signal, an abort in a parser, the memory limit), records the
crash and runs it once more, or fails it with a Chinese reason (jobs.services.MAX_CRASHES).
While waiting it also watches for a cancel, and kills the child at once: a parser busy in one
long call would otherwise only notice at its next progress().

The child gets the parent's environment plus the settings the parent may have been given in
code rather than in the environment (the database name, the data directories, the file limits),
so parent and child always work on the same database and files.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection

from minzheng.jobs.models import Job
from minzheng.jobs.run_one import ENV_SETTINGS

log = logging.getLogger(__name__)
# Settings a child must share with its parent; those ending in _DIR are paths.
SHARED_SETTINGS = (
    "DATA_DIR",
    "UPLOADS_DIR",
    "REJECTS_DIR",
    "EXPORTS_DIR",
    "FEEDS_DIR",
    "FEED_DIGEST_KEY",
    "JOBS_INLINE",
    "MINZHENG_JOB_MEMORY_MB",
    "MINZHENG_SHEET_MAX_ROWS",
    "MINZHENG_SHEET_MAX_COLUMNS",
    "MINZHENG_SHEET_MAX_CELLS",
    "MINZHENG_FILE_MAX_UNCOMPRESSED_MB",
    "MINZHENG_FILE_MAX_RATIO",
    "MINZHENG_CELL_MAX_CHARS",
)
POLL_SECONDS = 1.0

SIGNAL_CAUSES = {
    signal.SIGABRT: "进程异常中止（SIGABRT，常见原因是文件解析时内存分配失败）",
    signal.SIGKILL: "进程被强制终止（SIGKILL，可能是系统内存不足）",
    signal.SIGSEGV: "进程崩溃（SIGSEGV）",
    signal.SIGBUS: "进程崩溃（SIGBUS）",
}


def child_settings() -> dict[str, Any]:
    shared = {name: getattr(settings, name) for name in SHARED_SETTINGS if hasattr(settings, name)}
    shared = {name: str(value) if isinstance(value, Path) else value for name, value in shared.items()}
    shared["DATABASE_NAME"] = str(connection.settings_dict["NAME"])
    return shared


def crash_cause(returncode: int) -> str:
    if returncode < 0:
        number = -returncode
        try:
            name = signal.Signals(number).name
        except ValueError:
            name = f"信号 {number}"
        return SIGNAL_CAUSES.get(number, f"进程被信号终止（{name}）")
    return f"进程异常退出（退出码 {returncode}）"


def run_in_child(job: Job) -> Job:
    """Run a claimed heavy job in a child; on a crash, record it and (first time) run it again."""
    from minzheng.jobs.services import HANDLERS, job_claim, job_record_crash

    module = HANDLERS[job.kind].__module__  # the child imports it: that registers the handler
    env = {**os.environ, ENV_SETTINGS: json.dumps(child_settings(), default=str)}
    env.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings")
    while True:
        returncode = _spawn_and_wait(job, module, env)
        job.refresh_from_db()
        if returncode == 0 or job.status != Job.Status.RUNNING:
            return job
        cause = crash_cause(returncode)
        log.error("job %s: child died: %s", job.pk, cause)
        if not job_record_crash(job, cause):
            job.refresh_from_db()
            return job
        claimed = job_claim(job.pk)
        if claimed is None:  # another worker took it over
            job.refresh_from_db()
            return job
        job = claimed


def _spawn_and_wait(job: Job, module: str, env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "minzheng.jobs.run_one", str(job.pk), module]
    # Our own interpreter and module, the job's number: nothing from a user reaches the command line.
    child = subprocess.Popen(command, env=env)  # noqa: S603
    while True:
        try:
            return child.wait(timeout=POLL_SECONDS)
        except subprocess.TimeoutExpired:
            if _cancelled(job):
                child.kill()
                return child.wait()


def _cancelled(job: Job) -> bool:
    return Job.objects.filter(pk=job.pk, cancelled_at__isnull=False).exists()
