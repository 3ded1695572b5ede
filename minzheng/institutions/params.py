"""The institutions parameters: the value in force in the database (maker-checker), else the shipped file's.

The shipped file (data/params.yaml, also in rules.engine.DEFAULT_PARAMS so `minzheng params import`
loads it) carries each number's source; reading it here keeps a fresh install on the defaults instead
of silently using 0.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SHIPPED = Path(__file__).parent / "data" / "params.yaml"
RATING_YEARS = "institutions.rating.valid_years"
RATING_WARN = "institutions.rating.warn_days"
RECTIFY = {"general": "institutions.rectify.general_working_days", "major": "institutions.rectify.major_working_days"}
RADIUS = "institutions.circle.radius_m"


@cache
def _shipped() -> dict[str, Any]:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


def shipped_value(key: str, region: str, on: dt.date) -> Decimal:
    """The shipped row for the longest region prefix of `region` in force on `on`."""
    rows = [r for r in _shipped()[key]["values"] if region.startswith(str(r["region"])) and r["from"] <= on]
    if not rows:
        raise LookupError(f"参数 {key} 在 {on} 没有有效取值")
    best = max(rows, key=lambda r: (len(str(r["region"])), r["from"]))
    return Decimal(str(best["value"]))


def param(key: str, region: str, on: dt.date) -> Decimal:
    from minzheng.rules.params_db import resolve

    found = resolve(key, region, on)
    return Decimal(str(found.value)) if found is not None else shipped_value(key, region, on)


def param_int(key: str, region: str, on: dt.date) -> int:
    return int(param(key, region, on))
