"""The institutions parameters: the value in force in the database (maker-checker), else the shipped file's.

The shipped file (data/params.yaml, in rules.engine.DEFAULT_PARAMS) carries each number's source;
`rules.params_db.resolve_or_shipped` falls back to it, so a fresh install runs on the defaults.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

RATING_YEARS = "institutions.rating.valid_years"
RATING_WARN = "institutions.rating.warn_days"
RECTIFY = {"general": "institutions.rectify.general_working_days", "major": "institutions.rectify.major_working_days"}
RADIUS = "institutions.circle.radius_m"


def param(key: str, region: str, on: dt.date) -> Decimal:
    from minzheng.rules.params_db import resolve_or_shipped

    return Decimal(str(resolve_or_shipped(key, region, on).value))


def param_int(key: str, region: str, on: dt.date) -> int:
    return int(param(key, region, on))
