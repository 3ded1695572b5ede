"""一键核对（家庭经济状况核对）: what the demo county gets (called by minzheng.demo.build after residents and feeds)."""

from __future__ import annotations

from typing import Any


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
