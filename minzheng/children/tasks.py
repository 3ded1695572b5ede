"""Daily jobs: categories recomputed (ages, 失联 months, school years) and department data read again."""

from __future__ import annotations

import datetime as dt

from minzheng.children import categories, feeds


def daily_categories(today: dt.date | None = None) -> dict[str, int]:
    return categories.recompute_all(today)


def daily_feeds(today: dt.date | None = None) -> dict[str, int]:
    return feeds.apply_parent_findings(today)
