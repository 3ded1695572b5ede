"""Computing the registered figures into stored aggregates (the scheduled job) and importing map data.

`refresh` runs every figure's `compute(as_of)`, rolls its rows up to every division prefix by
`combine` and replaces that figure's rows in one transaction: run twice, the table is the same. A
figure that fails is recorded in the run's `failed` list and keeps its previous rows (a broken app
must not blank the whole dashboard).
"""

from __future__ import annotations

import datetime as dt
import logging
import statistics
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.core.figures import Figure, all_figures
from minzheng.dashboard.models import Aggregate, DivisionPoint, Refresh
from minzheng.divisions.codes import DivisionCodeError, normalize, significant

log = logging.getLogger(__name__)
WIDTHS = (2, 4, 6, 9, 12)  # province, city, county, town, village
BATCH = 5000
KEEP_DAYS = 92


def _prefixes(code: str) -> list[str]:
    try:
        sig = significant(normalize(code))
    except DivisionCodeError:
        return []
    return [sig[:w] for w in WIDTHS if w <= len(sig)]


def _combine(how: str, values: list[int]) -> int:
    if how == "sum":
        return sum(values)
    if how == "max":
        return max(values)
    return round(statistics.median(values))


def rollup(figure: Figure, rows: Iterable[tuple[str, str, int]]) -> dict[tuple[str, str], int]:
    """{(prefix, bucket): value} for every prefix of every row's code; named buckets also total under ""."""
    summing = figure.combine == "sum"
    sums: dict[tuple[str, str], int] = defaultdict(int)
    lists: dict[tuple[str, str], list[int]] = defaultdict(list)
    for code, bucket, value in rows:
        buckets = (bucket, "") if bucket else ("",)
        for prefix in _prefixes(code):
            for b in buckets:
                if summing:
                    sums[(prefix, b)] += int(value)
                else:
                    lists[(prefix, b)].append(int(value))
    if summing:
        return dict(sums)
    return {key: _combine(figure.combine, values) for key, values in lists.items()}


def figure_refresh(figure: Figure, as_of: dt.date) -> int:
    """Replace one figure's stored rows with a fresh computation; returns the rows written."""
    cells = rollup(figure, figure.compute(as_of))
    objs = [Aggregate(figure=figure.key, division=d, bucket=b[:32], value=v) for (d, b), v in cells.items()]
    with transaction.atomic():
        Aggregate.objects.filter(figure=figure.key).delete()
        Aggregate.objects.bulk_create(objs, batch_size=BATCH)
    return len(objs)


def refresh(*, now: dt.datetime | None = None) -> dict[str, Any]:
    """The scheduled job: every registered figure, then the estimated division points."""
    now = now or timezone.now()
    run = Refresh.objects.create(started_at=now, as_of=timezone.localdate(now))
    figures = all_figures()
    total, failed = 0, []
    for figure in figures:
        try:
            total += figure_refresh(figure, run.as_of)
        except Exception as exc:  # one app's fault must not stop the others' figures
            log.exception("dashboard figure %s failed", figure.key)
            failed.append({"key": figure.key, "error": f"{type(exc).__name__}: {exc}"[:300]})
    # Figures no longer registered (an app removed) leave no stale rows behind.
    Aggregate.objects.exclude(figure__in=[f.key for f in figures]).delete()
    points_estimate()
    run.finished_at, run.figures, run.rows, run.failed = timezone.now(), len(figures), total, failed
    run.save(update_fields=["finished_at", "figures", "rows", "failed"])
    # 48 runs a day: keep a quarter's history of when figures were taken and what failed.
    Refresh.objects.filter(started_at__lt=now - dt.timedelta(days=KEEP_DAYS)).delete()
    return {"figures": len(figures), "rows": total, "failed": len(failed)}


def _located() -> Iterable[tuple[str, float | None, float | None]]:
    """(village code, lat, lng) of everything located that lives in a village: elders and caregivers."""
    from minzheng.eldercare.models import Caregiver, Elder

    yield from Elder.objects.filter(lat__isnull=False, lng__isnull=False).values_list(
        "person__division_code", "lat", "lng"
    )
    yield from Caregiver.objects.exclude(division_code="").values_list("division_code", "home_lat", "home_lng")


def points_estimate() -> int:
    """Estimated centre of every village, town and county with located people; imported points stay."""
    acc: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for code, lat, lng in _located():
        if lat is None or lng is None:
            continue
        for prefix in _prefixes(code)[2:]:  # county, town, village
            a = acc[prefix]
            a[0], a[1], a[2] = a[0] + lat, a[1] + lng, a[2] + 1
    imported = set(DivisionPoint.objects.filter(basis=DivisionPoint.Basis.IMPORTED).values_list("code", flat=True))
    rows = [
        DivisionPoint(code=c, lat=round(a[0] / a[2], 5), lng=round(a[1] / a[2], 5), basis=DivisionPoint.Basis.ESTIMATED)
        for c, a in acc.items()
        if c not in imported
    ]
    with transaction.atomic():
        DivisionPoint.objects.filter(basis=DivisionPoint.Basis.ESTIMATED).delete()
        DivisionPoint.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def last_refresh() -> Refresh | None:
    return Refresh.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()
