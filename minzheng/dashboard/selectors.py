"""What a dashboard page shows for one division: each visible figure's total, buckets and children.

Everything comes from the stored aggregates (a few indexed reads), never from the source tables,
so a page costs the same for a village and for a county of a million residents. The payload holds
division codes and names, bucket names and numbers only: no personal data reaches the browser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from minzheng.core.figures import Figure, all_figures
from minzheng.dashboard.access import division_for, figure_visible
from minzheng.dashboard.models import Aggregate
from minzheng.divisions.codes import level_of, significant
from minzheng.divisions.models import Division
from minzheng.divisions.selectors import division_path

NEXT_WIDTH = {2: 4, 4: 6, 6: 9, 9: 12}


@dataclass
class Bucket:
    key: str
    label: str
    value: int
    display: str
    link: str


@dataclass
class FigureView:
    key: str
    label: str
    group: str
    unit: str
    chart: str
    money: bool
    total: int | None
    display: str
    link: str
    buckets: list[Bucket] = field(default_factory=list)

    def payload(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "unit": self.unit,
            "chart": self.chart,
            "money": self.money,
            "total": self.total,
            "link": self.link,
            "buckets": [{"name": b.label, "value": b.value, "link": b.link} for b in self.buckets],
        }


@dataclass
class Child:
    code: str
    name: str
    href: str
    values: dict[str, str]  # figure key → display
    raw: dict[str, int]
    cells: list[str] = field(default_factory=list)  # the table's columns, in order


def fmt(value: int | None, figure: Figure) -> str:
    if value is None:
        return "—"
    if figure.money:
        return f"{value / 100:,.2f}"
    return f"{value:,}"


def link_for(figure: Figure, division: str, bucket: str = "") -> str:
    """The list behind a figure, narrowed to the division (and the bucket, where the list knows it)."""
    if not figure.link:
        return ""
    url = figure.link.replace("{bucket}", bucket)
    url += ("&" if "?" in url else "?") + f"division={division}"
    if bucket and "{bucket}" not in figure.link:
        url += f"&bucket={bucket}"
    return url


def visible_figures(user: Any) -> list[Figure]:
    return [f for f in all_figures() if figure_visible(user, f)]


def _ordered(figure: Figure, cells: dict[str, int]) -> list[str]:
    labels = figure.labels()
    if figure.chart == "line":
        return sorted(cells)
    known = [b for b in labels if b in cells]
    return known + sorted(b for b in cells if b not in labels)


def figure_views(figures: list[Figure], division: str) -> list[FigureView]:
    cells: dict[str, dict[str, int]] = {}
    rows = Aggregate.objects.filter(division=division, figure__in=[f.key for f in figures])
    for key, bucket, value in rows.values_list("figure", "bucket", "value"):
        cells.setdefault(key, {})[bucket] = value
    views = []
    for f in figures:
        mine = cells.get(f.key, {})
        total = mine.pop("", None)
        labels = f.labels()
        buckets = [
            Bucket(b, labels.get(b, b), mine[b], fmt(mine[b], f), link_for(f, division, b)) for b in _ordered(f, mine)
        ]
        if total is None and f.combine == "sum":
            total = 0  # nothing counted here yet is a count of zero (a median of nothing stays unknown)
        views.append(
            FigureView(
                f.key, f.label, f.group, f.unit, f.chart, f.money, total, fmt(total, f), link_for(f, division), buckets
            )
        )
    return views


def child_codes(division: str) -> list[tuple[str, str]]:
    """(prefix, name) of the divisions one level down, from the division table."""
    width = NEXT_WIDTH.get(len(division))
    if width is None:
        return []
    rows = Division.objects.filter(parent_id=division.ljust(12, "0")).order_by("code").values_list("code", "name")
    return [(code[:width], name) for code, name in rows]


def children(figures: list[Figure], division: str) -> list[Child]:
    kids = child_codes(division)
    found: dict[str, dict[str, int]] = {}
    rows = Aggregate.objects.filter(division__in=[c for c, _ in kids], bucket="", figure__in=[f.key for f in figures])
    for key, code, value in rows.values_list("figure", "division", "value"):
        found.setdefault(code, {})[key] = value
    url = reverse("dashboard:board")
    result = []
    for code, name in kids:
        raw = found.get(code, {})
        values = {f.key: fmt(raw.get(f.key, 0 if f.combine == "sum" else None), f) for f in figures}
        result.append(Child(code, name, f"{url}?division={code}", values, raw))
    return result


def breadcrumbs(user: Any, division: str) -> list[tuple[str, str, str]]:
    """(code, name, href) from the user's own jurisdiction down to the division shown."""
    own_width = len(user.jurisdiction)
    url = reverse("dashboard:board")
    crumbs = []
    for d in division_path(division.ljust(12, "0")):
        code = significant(d.code)
        if len(code) >= own_width:
            crumbs.append((code, d.name, f"{url}?division={code}"))
    return crumbs


def board(user: Any, requested: str | None) -> dict[str, Any]:
    division = division_for(user, requested)
    figures = visible_figures(user)
    views = figure_views(figures, division)
    groups: dict[str, list[FigureView]] = {}
    for v in views:
        groups.setdefault(v.group, []).append(v)
    kids = children(figures, division)
    # The drill-down table shows the figures that have one number per division (not bucket-only medians).
    columns = [v for v in views if v.total is not None]
    for kid in kids:
        kid.cells = [kid.values[v.key] for v in columns]
    crumbs = breadcrumbs(user, division)
    return {
        "division": division,
        "division_name": crumbs[-1][1] if crumbs else division,
        "level": level_of(division.ljust(12, "0")),
        "crumbs": crumbs,
        "groups": groups,
        "figures": views,
        "children": kids,
        "columns": columns,
        "payload": {
            "division": division,
            "figures": [v.payload() for v in views],
            "children": [{"code": c.code, "name": c.name, "href": c.href, "values": c.raw} for c in kids],
        },
    }
