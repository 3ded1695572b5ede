"""Issue 16: concurrent requests for the same household compute its panel once (single flight)."""

from __future__ import annotations

import threading
import time
from typing import Any

from django.core.cache import cache
from django.test import override_settings

from minzheng.rules.cache import single_flight

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "single-flight"}}


@override_settings(CACHES=LOCMEM)
def test_concurrent_requests_for_one_key_compute_once() -> None:
    cache.clear()
    calls: list[int] = []
    inside, release = threading.Event(), threading.Event()

    def compute() -> dict[str, Any]:
        calls.append(1)
        inside.set()
        release.wait(10)
        return {"policies": ["低保"]}

    results: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda: results.append(single_flight("rules:panel:k", compute)))]
    threads[0].start()
    inside.wait(10)  # the first request is computing
    threads.append(threading.Thread(target=lambda: results.append(single_flight("rules:panel:k", compute))))
    threads[1].start()
    time.sleep(0.2)  # lets the second request reach the key (it waits; without single flight it computes)
    release.set()
    for t in threads:
        t.join(10)
    assert len(calls) == 1
    assert results == [{"policies": ["低保"]}, {"policies": ["低保"]}]


@override_settings(CACHES=LOCMEM)
def test_different_keys_do_not_wait_for_each_other() -> None:
    cache.clear()
    assert single_flight("rules:panel:a", lambda: {"a": 1}) == {"a": 1}
    assert single_flight("rules:panel:b", lambda: {"b": 2}) == {"b": 2}
    assert single_flight("rules:panel:a", lambda: {"a": 3}) == {"a": 1}  # cached
