"""Demo step: the first refresh of 民政大脑, so the board shows the demo county at once (then every 30 min)."""

from __future__ import annotations

from typing import Any

LABEL = "民政大脑：计算各业务指标（按县、乡镇、村汇总）"


def demo_extend(built: Any, step: Any) -> None:
    from minzheng.dashboard.services import refresh

    step(LABEL)
    refresh()
