"""Dashboard figures as an extension point: each app registers what it counts from AppConfig.ready().

Core keeps only the registry (KERNELS.md §9); the dashboard app computes every figure on a schedule,
stores the aggregates per division level and draws them. An app's `figures.py` holds the compute
functions; its `apps.py` registers them.

A figure's `compute(as_of)` yields `(division_code, bucket, value)` rows at the finest level it knows
(usually a 12-digit village code): the dashboard rolls them up to town and county by code prefix
with `combine` ("sum" for counts and money, "median" or "max" for durations). `bucket` splits one
figure into a chart's categories or months ("" for a single number; "2026-11" for a month; "60-69"
for an age band). Values are integers: counts, fen (`money=True`) or minutes/working days as the
`unit` says. No personal data leaves `compute`: only codes, buckets and numbers.

Rows with the same (code, bucket) are combined like rows of different villages: a "sum" figure may
yield one row per record or pre-counted rows; a "median" figure yields one row per observation (one
case's working days), so the town's median is the median of its cases, not of its villages' medians.
A figure uses either the bucket "" alone or named buckets; for the latter the dashboard also stores
the total over all buckets under "".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Rows = Iterable[tuple[str, str, int]]
COMBINES = ("sum", "median", "max")
CHARTS = ("number", "bar", "line", "pie")


@dataclass(frozen=True)
class Figure:
    key: str  # "<app>.<name>", e.g. "payments.caseload"
    label: str  # Chinese, e.g. "在保对象"
    group: str  # the dashboard section, e.g. "社会救助"
    unit: str  # "人", "户", "件", "元", "工作日", "分钟"
    compute: Callable[[dt.date], Rows]
    # The list behind the figure (a URL path); the dashboard appends ?division=<prefix>[&bucket=<b>].
    link: str = ""
    chart: str = "number"
    combine: str = "sum"
    money: bool = False  # values are fen, shown as 元
    order: int = 100
    # Who may see it besides the jurisdiction scoping; None: every role that may open the dashboard.
    visible: Callable[[Any], bool] | None = None
    # Chinese names of the buckets ({"accepted": "受理"}), or a function returning them (called at draw
    # time, so it may read case types or choices); a bucket without a name is shown as it is.
    bucket_labels: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None

    def labels(self) -> Mapping[str, str]:
        found = self.bucket_labels() if callable(self.bucket_labels) else self.bucket_labels
        return found or {}


_FIGURES: dict[str, Figure] = {}


def register(figure: Figure) -> None:
    """Add (or, on a second ready(), replace) one figure under its key."""
    if figure.combine not in COMBINES:
        raise ValueError(f"figure {figure.key}: combine must be one of {COMBINES}")
    if figure.chart not in CHARTS:
        raise ValueError(f"figure {figure.key}: chart must be one of {CHARTS}")
    _FIGURES[figure.key] = figure


def all_figures() -> list[Figure]:
    """Every registered figure, by group then order."""
    return sorted(_FIGURES.values(), key=lambda f: (f.group, f.order, f.key))


def figure(key: str) -> Figure | None:
    return _FIGURES.get(key)


def register_app(app_name: str) -> None:
    """Register the `FIGURES` list of `<app_name>.figures` (one line in an app's ready())."""
    import importlib

    for item in importlib.import_module(f"{app_name}.figures").FIGURES:
        register(item)
