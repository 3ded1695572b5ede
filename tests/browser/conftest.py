"""Headless Chromium from Debian (/usr/bin/chromium); Playwright never downloads a browser."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
# The probe's flags: without the background-networking ones Chromium hammers a closed network.
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread; Django's ORM in the same
    # thread (fixtures) would otherwise refuse to run "from an async context".
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("缺少 /usr/bin/chromium：请执行 apt-get install -y chromium（python3 run.py test 会自动安装）")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(autouse=True)
def job_threads_finish() -> Iterator[None]:
    """A page shows 已完成 as soon as the job's child process records it; the thread that started it
    still reads the row once more. Wait for it before the live server's database is emptied, or that
    last read fails in teardown (seen once on PostgreSQL under load)."""
    import threading

    yield
    for thread in threading.enumerate():
        if thread.name.startswith("job-"):
            thread.join(120)
