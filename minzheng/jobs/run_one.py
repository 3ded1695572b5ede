"""`python -m minzheng.jobs.run_one JOB_ID [MODULE]`: the child process that runs one claimed job.

Started by jobs.child.run_in_child. It limits its own address space first (RLIMIT_AS,
settings.MINZHENG_JOB_MEMORY_MB), so a runaway allocation fails as a MemoryError (recorded in
Chinese) or an abort of this child alone, never by pushing the machine into the OOM killer.
Exit code 0 means the outcome (done, failed, stopped) is in the database; anything else is a crash
the parent records.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
from pathlib import Path

# Settings the parent passes down (jobs.child.child_settings); no Django import before setup().
ENV_SETTINGS = "MINZHENG_JOB_CHILD_SETTINGS"


def _limit_memory(megabytes: int) -> None:
    import resource

    # No core file: a crashed import's memory is full of identity numbers, and writing it is slow.
    resource.setrlimit(resource.RLIMIT_CORE, (0, resource.getrlimit(resource.RLIMIT_CORE)[1]))
    if megabytes <= 0:
        return

    limit = megabytes << 20
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _apply_parent_settings() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minzheng.config.settings")
    from django.conf import settings

    shared = json.loads(os.environ.get(ENV_SETTINGS) or "{}")
    name = shared.pop("DATABASE_NAME", None)
    if name:
        settings.DATABASES["default"]["NAME"] = name  # before django.setup(): no connection exists yet
    for key, value in shared.items():
        setattr(settings, key, Path(value) if key.endswith("_DIR") else value)


def main(argv: list[str]) -> int:
    job_id = int(argv[1])
    _apply_parent_settings()
    import django
    from django.conf import settings

    django.setup()
    _limit_memory(int(getattr(settings, "MINZHENG_JOB_MEMORY_MB", 0) or 0))
    if len(argv) > 2:
        importlib.import_module(argv[2])  # the handler's module (a test's handler is in no app)
    from minzheng.jobs.models import Job
    from minzheng.jobs.services import job_execute, this_worker

    # The parent claimed it; from now on this process is the one a new claimer must find gone.
    if not Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(worker=this_worker()):
        return 0  # cancelled before it started
    try:
        job_execute(Job.objects.get(pk=job_id))
    except KeyboardInterrupt:  # Ctrl-C in the terminal reaches the child too: stop quietly, resumable
        Job.objects.filter(pk=job_id, status=Job.Status.RUNNING).update(status=Job.Status.FAILED, error="已中断")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
