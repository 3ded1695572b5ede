"""Dashboard figures of 养老机构 (registered from apps.ready; computed by the dashboard's job).

Rows are (division code, bucket, value) at the finest level known: an institution's or a facility's
village, and each village's service-circle status (1 per village: the dashboard sums villages per
town and colours the map by bucket). No personal data leaves these functions.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from minzheng.core.dates import first_of
from minzheng.institutions.models import Facility, Institution, SubsidyMonth
from minzheng.institutions.selectors import coverage_by_village, occupancy


def beds(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    for inst in Institution.objects.filter(active=True).order_by("pk"):
        occ = occupancy(inst, as_of)
        yield inst.division_code, "床位", occ.beds
        yield inst.division_code, "在住", occ.occupied


def facilities(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    del as_of
    for f in Facility.objects.filter(active=True).order_by("pk"):
        yield f.division_code, f.get_kind_display(), 1
    for inst in Institution.objects.filter(active=True).order_by("pk"):
        yield inst.division_code, "养老机构", 1


def circle(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    counties = {code[:6] for code in Institution.objects.values_list("division_code", flat=True)}
    counties |= {code[:6] for code in Facility.objects.values_list("division_code", flat=True)}
    for county in sorted(counties):
        for v in coverage_by_village(county, as_of):
            yield v.code, v.status, 1


def subsidy(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    month = first_of(as_of)
    rows = SubsidyMonth.objects.filter(month__lte=month, status="approved").order_by("month")
    for code, m, total in rows.values_list("division_code", "month", "total_fen"):
        yield code, f"{m:%Y-%m}", int(total)
