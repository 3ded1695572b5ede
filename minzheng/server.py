"""The web server for one machine: waitress, plus an in-process job worker and the scheduler."""

from __future__ import annotations

import threading

from django.conf import settings
from django.db import connection
from waitress import serve

from minzheng.config.wsgi import application


def start_background(*, with_worker: bool, stop: threading.Event | None = None) -> list[threading.Thread]:
    """The threads `serve` runs beside the web server: the job worker (optional) and the scheduler.

    The scheduler always runs (unless SCHEDULER_ENABLED is False): the emergency ladder must climb
    with nobody's browser open. A separate `minzheng worker` may run it too; its claims are
    compare-and-set, so each due time runs once.
    """
    from minzheng.scheduler.services import start_scheduler_thread

    threads = []
    if with_worker:
        from minzheng.jobs.services import worker_loop

        # Picks up jobs queued while no one was running them, and resumes stale ones.
        def work() -> None:
            try:
                worker_loop(idle_sleep=2.0, stop=stop)
            finally:
                connection.close()  # this thread's own connection

        worker = threading.Thread(target=work, name="worker", daemon=True)
        worker.start()
        threads.append(worker)
    if getattr(settings, "SCHEDULER_ENABLED", True):
        threads.append(start_scheduler_thread(stop=stop))
    return threads


def serve_forever(*, host: str, port: int, with_worker: bool) -> None:
    start_background(with_worker=with_worker)
    print(f"Web 服务已启动：http://{host}:{port}/", flush=True)  # noqa: T201
    # Waitress spools a body to disk before Django sees it: far past the upload cap it refuses on its own;
    # a little past it, Django's UploadLimitMiddleware answers in Chinese.
    body_limit = (2 * int(settings.MINZHENG_MAX_UPLOAD_MB) + 16) << 20
    serve(application, host=host, port=port, threads=8, ident="minzheng", max_request_body_size=body_limit)
