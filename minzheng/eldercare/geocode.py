"""Coordinates for an elder registered without them, estimated from data this installation holds.

The division table carries no coordinates, and no outside geocoder may be called (the platform runs
on a county's own network). What the database does know is where the other elders of the same
village (community) live: their centre is within a village's width of the house, enough for
dispatch by distance and for the check-in radius to be meaningful after the first visit corrects it.
The estimate is offered, never applied silently: the worker confirms it on the elder page.
"""

from __future__ import annotations

from dataclasses import dataclass

from minzheng.divisions.models import Division
from minzheng.eldercare.models import Caregiver, Elder

MAX_POINTS = 500


@dataclass(frozen=True)
class Estimate:
    lat: float
    lng: float
    basis: str  # Chinese: what the estimate rests on, shown to the worker and kept in the audit row


def _centre(points: list[tuple[float, float]]) -> tuple[float, float]:
    return round(sum(p[0] for p in points) / len(points), 6), round(sum(p[1] for p in points) / len(points), 6)


def _name(code: str) -> str:
    row = Division.objects.filter(code=code.ljust(12, "0")).values_list("name", flat=True).first()
    return row or code


def estimate_location(elder: Elder) -> Estimate | None:
    """Centre of the located elders of the village, else of the town, else of the town's caregivers' bases."""
    village, town = elder.division_code, elder.division_code[:9]
    for prefix, where in ((village, _name(village)), (town, _name(town))):
        points = list(
            Elder.objects.filter(division_code__startswith=prefix, lat__isnull=False, lng__isnull=False)
            .exclude(pk=elder.pk)
            .values_list("lat", "lng")[:MAX_POINTS]
        )
        if points:
            lat, lng = _centre(points)
            return Estimate(lat, lng, f"按{where} {len(points)} 位已定位服务对象住址的中心估算，请上门时用手机定位核准")
    bases = [
        (c.home_lat, c.home_lng)
        for c in Caregiver.objects.filter(active=True, division_code__startswith=town)[:MAX_POINTS]
    ]
    if bases:
        lat, lng = _centre(bases)
        basis = f"按{_name(town)} {len(bases)} 位护理员出发点的中心估算，误差较大，请尽快上门定位核准"
        return Estimate(lat, lng, basis)
    return None
