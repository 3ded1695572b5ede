"""The rescue parameters: the value in force in the database (maker-checker), else the shipped file's.

The shipped file (data/params.yaml, in rules.engine.DEFAULT_PARAMS) carries each number's source;
`rules.params_db.resolve_or_shipped` falls back to it, so a fresh install runs on the legal defaults.
"""

from __future__ import annotations

import datetime as dt

STAY_LIMIT = "rescue.stay.limit_days"
INTERVAL = "rescue.followup.interval_days"
HIGH_RISK_INTERVAL = "rescue.followup.high_risk_interval_days"
GRACE = "rescue.followup.grace_days"


def param_days(key: str, region: str, on: dt.date) -> int:
    from minzheng.rules.params_db import resolve_or_shipped

    return int(resolve_or_shipped(key, region, on).value)
