"""The rescue parameters: the value in force in the database (maker-checker), else the shipped file's.

The shipped file (data/params.yaml, also in rules.engine.DEFAULT_PARAMS so `minzheng params import`
loads it) carries each number's source; reading it here keeps a fresh install on the legal defaults
instead of silently using 0.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SHIPPED = Path(__file__).parent / "data" / "params.yaml"
STAY_LIMIT = "rescue.stay.limit_days"
INTERVAL = "rescue.followup.interval_days"
HIGH_RISK_INTERVAL = "rescue.followup.high_risk_interval_days"
GRACE = "rescue.followup.grace_days"


@cache
def _shipped() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def shipped_value(key: str, on: dt.date) -> int:
    rows = [r for r in _shipped()[key]["values"] if not r["region"] and r["from"] <= on]
    if not rows:
        raise LookupError(f"参数 {key} 在 {on} 没有有效取值")
    return int(max(rows, key=lambda r: r["from"])["value"])


def param_days(key: str, region: str, on: dt.date) -> int:
    from minzheng.rules.params_db import resolve

    found = resolve(key, region, on)
    return int(found.value) if found is not None else shipped_value(key, on)
