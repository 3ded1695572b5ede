"""What runs on a schedule: each app registers its periodic work from its AppConfig.ready().

Registering is one line, e.g. in `emergency/apps.py`::

    register("emergency.ladder", ladder_tick, every=dt.timedelta(seconds=10), label="一键通超时升级")

The function is called as `func(now=<aware datetime>)` and returns something JSON can hold (a dict
of counts, a number, None); it must be idempotent for a given `now`, because a crashed run is not
retried until the next due time and a manual `minzheng scheduler run` may repeat one.
Django-free on purpose: `ready()` must not touch the database; the table rows are created from this
registry by `services.schedules_sync` when a scheduler loop starts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

ScheduledFunc = Callable[..., Any]


@dataclass(frozen=True)
class Spec:
    name: str
    func: ScheduledFunc
    every: dt.timedelta | None
    daily_at: dt.time | None
    label: str

    @property
    def job(self) -> str:
        return f"{self.func.__module__}:{getattr(self.func, '__qualname__', repr(self.func))}"


SCHEDULES: dict[str, Spec] = {}


def register(
    name: str,
    func: ScheduledFunc,
    *,
    every: dt.timedelta | None = None,
    daily_at: dt.time | None = None,
    label: str = "",
) -> Spec:
    """Declare a schedule: exactly one of `every` (an interval) or `daily_at` (local wall-clock time)."""
    if (every is None) == (daily_at is None):
        raise ValueError(f"定时任务 {name}：须且只须给出 every（间隔）或 daily_at（每日时刻）之一")
    if every is not None and every.total_seconds() < 1:
        raise ValueError(f"定时任务 {name}：间隔不能短于 1 秒")
    if len(name) > 64:
        raise ValueError(f"定时任务 {name}：名称超过 64 个字符")
    spec = Spec(name=name, func=func, every=every, daily_at=daily_at, label=label or name)
    SCHEDULES[name] = spec
    return spec
