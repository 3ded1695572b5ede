"""Reads: institution rows with occupancy by care level, facility points for the map, and the
15-minute service-circle coverage per village.

Coverage is straight-line (great-circle) distance, the radius a dated parameter
(institutions.circle.radius_m, GB 50180-2018's 15-minute walking distance). The registry holds no
coordinates; what this installation knows of where old people live are the home-care elders'
registered coordinates (eldercare.Elder.lat/lng). A village's centre is the mean of its located
elders; a village is inside the circle when its centre lies within the radius of an active
facility or institution. A village with no located elder is 无定位数据 (unknown), never "outside".
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from minzheng.core.jurisdiction import prefix_q
from minzheng.divisions.models import Division
from minzheng.eldercare.dispatch.geo import GridIndex
from minzheng.institutions import params
from minzheng.institutions.models import CARE_LEVELS, Facility, Institution, Resident, level_label

VILLAGE = 5  # divisions level of 村（社区）


@dataclass(frozen=True)
class LevelRow:
    level: int
    label: str
    beds: int
    occupied: int


@dataclass(frozen=True)
class Occupancy:
    beds: int
    occupied: int
    levels: list[LevelRow]

    @property
    def rate_text(self) -> str:
        """入住率 to one decimal, from integers (no float money-style surprises)."""
        if not self.beds:
            return "—"
        tenths = (self.occupied * 1000 + self.beds // 2) // self.beds
        return f"{tenths // 10}.{tenths % 10}%"


def occupancy(inst: Institution, on: dt.date | None = None) -> Occupancy:
    day = on or timezone.localdate()
    counts: dict[int | None, int] = defaultdict(int)
    live = inst.residents.filter(admitted_on__lte=day).exclude(discharged_on__lte=day)
    for level in live.values_list("care_level", flat=True):
        counts[level] += 1
    levels = [LevelRow(lv, label, inst.beds_at(lv), counts.get(lv, 0)) for lv, label in CARE_LEVELS.items()]
    return Occupancy(inst.beds_total, sum(counts.values()), levels)


def current_residents(inst: Institution) -> QuerySet[Resident]:
    return inst.residents.filter(discharged_on__isnull=True).select_related("person").order_by("bed_no", "pk")


def past_residents(inst: Institution, limit: int = 50) -> list[Resident]:
    return list(
        inst.residents.filter(discharged_on__isnull=False).select_related("person").order_by("-discharged_on")[:limit]
    )


def division_names(codes: set[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


# ------------------------------------------------------------------ map points and coverage


def facilities_in(prefix: str) -> list[dict[str, Any]]:
    """Every active, located community facility and institution under `prefix`, as map points."""
    points: list[dict[str, Any]] = []
    for f in Facility.objects.filter(prefix_q("division_code", prefix), active=True).order_by("pk"):
        points.append(
            {"kind": f.kind, "kind_label": f.get_kind_display(), "name": f.name,
             "division_code": f.division_code, "lat": f.lat, "lng": f.lng, "source": "facility", "id": f.pk}
        )  # fmt: skip
    located = Q(lat__isnull=False, lng__isnull=False, active=True)
    for i in Institution.objects.filter(prefix_q("division_code", prefix)).filter(located).order_by("pk"):
        points.append(
            {"kind": "institution", "kind_label": f"养老机构（{i.get_kind_display()}）", "name": i.name,
             "division_code": i.division_code, "lat": i.lat, "lng": i.lng, "source": "institution", "id": i.pk}
        )  # fmt: skip
    return points


@dataclass(frozen=True)
class VillageCoverage:
    code: str
    name: str
    elders_located: int
    elders_covered: int  # located elders within the radius of a facility
    centre: tuple[float, float] | None
    nearest_m: int | None  # from the centre to the nearest facility (None: no facility in the county)
    covered: bool | None  # None: no located elder, coverage unknown

    @property
    def status(self) -> str:
        return {True: "服务圈内", False: "服务圈外", None: "无定位数据"}[self.covered]


def _elder_points(prefix: str) -> dict[str, list[tuple[float, float]]]:
    from minzheng.eldercare.models import Elder

    by_village: dict[str, list[tuple[float, float]]] = defaultdict(list)
    rows = Elder.objects.filter(prefix_q("division_code", prefix), lat__isnull=False, lng__isnull=False)
    for code, lat, lng in rows.values_list("division_code", "lat", "lng").iterator(chunk_size=5000):
        if lat is not None and lng is not None:  # filtered above; the check is for the type
            by_village[code].append((lat, lng))
    return by_village


def _nearest(index: GridIndex[int], lat: float, lng: float, radius: float) -> float | None:
    found = [d for d, _ in index.within(lat, lng, radius)]
    return min(found) if found else None


def coverage_by_village(prefix: str, on: dt.date | None = None) -> list[VillageCoverage]:
    """Every village (社区) under `prefix` with its service-circle coverage (see the module note)."""
    day = on or timezone.localdate()
    radius = float(params.param(params.RADIUS, prefix.ljust(6, "0")[:12], day))
    county = prefix[:6]
    points = facilities_in(county)  # a facility across a town border still serves the village
    index: GridIndex[int] = GridIndex(((p["lat"], p["lng"], n) for n, p in enumerate(points)), cell_m=radius)
    wide: GridIndex[int] = GridIndex(((p["lat"], p["lng"], n) for n, p in enumerate(points)), cell_m=10 * radius)
    elders = _elder_points(prefix)
    villages = Division.objects.filter(prefix_q("code", prefix), level=VILLAGE).order_by("code")
    out = []
    for code, name in villages.values_list("code", "name"):
        located = elders.get(code, [])
        if not located:
            out.append(VillageCoverage(code, name, 0, 0, None, None, None))
            continue
        lat = sum(p[0] for p in located) / len(located)
        lng = sum(p[1] for p in located) / len(located)
        covered_elders = sum(1 for p in located if _nearest(index, p[0], p[1], radius) is not None)
        near = _nearest(index, lat, lng, radius)
        nearest = near if near is not None else _nearest(wide, lat, lng, 10 * radius)
        out.append(
            VillageCoverage(
                code,
                name,
                len(located),
                covered_elders,
                (round(lat, 6), round(lng, 6)),
                None if nearest is None else int(nearest),
                near is not None,
            )
        )
    return out


def resident_rows(qs: Iterable[Resident]) -> list[dict[str, Any]]:
    """Masked rows for a list page or a sheet."""
    from minzheng.core.masking import mask_id_number, mask_name

    return [
        {
            "pk": r.pk,
            "name": mask_name(r.person.name),
            "id_number": mask_id_number(r.person.id_number),
            "level": level_label(r.care_level),
            "supply": r.get_supply_display(),
            "bed_no": r.bed_no,
            "admitted_on": r.admitted_on,
            "discharged_on": r.discharged_on,
            "reason": r.get_discharge_reason_display() if r.discharge_reason else "",
        }
        for r in qs
    ]
