"""The web server for one machine: waitress, plus an in-process job worker."""

from __future__ import annotations

import threading

from waitress import serve

from minzheng.config.wsgi import application


def serve_forever(*, host: str, port: int, with_worker: bool) -> None:
    if with_worker:
        from minzheng.jobs.services import worker_loop

        # Picks up jobs queued while no one was running them, and resumes stale ones.
        threading.Thread(target=worker_loop, kwargs={"idle_sleep": 2.0}, name="worker", daemon=True).start()
    print(f"Web 服务已启动：http://{host}:{port}/", flush=True)  # noqa: T201
    serve(application, host=host, port=port, threads=8, ident="minzheng")
