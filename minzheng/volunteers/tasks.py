"""Scheduled: time-bank draws settled against their care orders (unused hours returned)."""

from __future__ import annotations

from typing import Any

from minzheng.volunteers import services_timebank


def settle_draws(*_: Any) -> dict[str, int]:
    return {"settled": services_timebank.settle_draws()}
