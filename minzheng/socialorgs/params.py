"""The parameters this app reads: the value in force in the database (maker-checker), else the shipped file's.

data/params.yaml (in rules.engine.DEFAULT_PARAMS) carries each number's legal source;
`rules.params_db.resolve_or_shipped` falls back to it, so a fresh install runs on the legal defaults.
"""

from __future__ import annotations

import datetime as dt

DUE_MONTH = "socialorgs.report.due_month"
DUE_DAY = "socialorgs.report.due_day"
DRAW_RATIO = "socialorgs.draw.ratio_permille"
INSPECTORS = "socialorgs.draw.inspectors_per_org"
RECTIFY = "socialorgs.finding.rectify_working_days"
RATING_YEARS = "socialorgs.rating.valid_years"
MIN_REVIEWERS = "socialorgs.venture.min_reviewers"
MIN_AWARD = "socialorgs.venture.min_award_score"
GRADE_KEYS = {g: f"socialorgs.rating.min_{g.lower()}" for g in ("5A", "4A", "3A", "2A", "1A")}


def value(key: str, region: str, on: dt.date) -> int:
    from minzheng.rules.params_db import resolve_or_shipped

    return int(resolve_or_shipped(key, region, on).value)


def report_due(year: int, region: str) -> dt.date:
    """The last day to file the report for `year` (in the following year)."""
    on = dt.date(year + 1, 1, 1)
    return dt.date(year + 1, value(DUE_MONTH, region, on), value(DUE_DAY, region, on))


def grade_for(score: int, region: str, on: dt.date) -> str:
    """The grade a score out of 1000 reaches, or "" below 1A."""
    for grade, key in GRADE_KEYS.items():
        if score >= value(key, region, on):
            return grade
    return ""
