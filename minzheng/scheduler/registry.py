"""What runs on a schedule: each app registers its periodic work from its AppConfig.ready().

Registering is one line, e.g. in `emergency/apps.py`::

    register("emergency.ladder", ladder_tick, every=dt.timedelta(seconds=10), label="一键通超时升级")

The function is called with the tick's time if it takes one: `func(now=<aware datetime>)` when it has a
`now` parameter, `func(today=<local date>)` when it has a `today` parameter, else `func()`. It returns
something JSON can hold (a dict of counts, a number, None) and must be idempotent for a given time,
because a crashed run is not retried until the next due time and a manual `scheduler run` may repeat one.
Django-free on purpose: `ready()` must not touch the database; the table rows are created from this
registry by `services.schedules_sync` when a scheduler loop starts.
"""

from __future__ import annotations

import datetime as dt
import inspect
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

    def call(self, now: dt.datetime) -> Any:
        """Run the function with the tick's time in the form it asks for (see the module's docstring)."""
        params = inspect.signature(self.func).parameters
        if "now" in params:
            return self.func(now=now)
        if "today" in params:
            from django.utils import timezone  # only at run time: the registry itself stays Django-free

            return self.func(today=timezone.localdate(now))
        return self.func()

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
