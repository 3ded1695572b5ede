"""The 15-minute service circle per village (straight-line from located elders), map points, figures."""

from __future__ import annotations

from django.utils import timezone

from minzheng.eldercare.services import elder_enrol
from minzheng.institutions import figures, selectors
from minzheng.institutions.models import Institution
from minzheng.institutions.services_facilities import facility_save
from minzheng.institutions.tests.conftest import elder
from minzheng.testing import VILLAGE_A, VILLAGE_A2

# About 111 m per 0.001° of latitude.
BASE = (29.7800, 121.7400)


def _located(village: str, dlat: float) -> None:
    elder_enrol(actor=None, person=elder(village=village), status="other", lat=BASE[0] + dlat, lng=BASE[1])


def test_villages_inside_outside_and_unknown(inst: Institution, cast: object) -> None:
    town = cast.town_officer  # type: ignore[attr-defined]
    Institution.objects.filter(pk=inst.pk).update(lat=None, lng=None)  # only the facility counts here
    facility_save({"name": "合一村幸福院", "kind": "happiness", "division_code": VILLAGE_A, "lat": BASE[0],
                   "lng": BASE[1], "address": "", "operator": "合一村村委会", "opened_on": None, "active": True},
                  actor=town)  # fmt: skip
    _located(VILLAGE_A, 0.002)  # ~220 m
    _located(VILLAGE_A, 0.004)  # ~445 m
    _located(VILLAGE_A2, 0.030)  # ~3.3 km
    _located(VILLAGE_A2, 0.020)  # ~2.2 km
    rows = {v.code: v for v in selectors.coverage_by_village("330212100")}
    a, a2 = rows[VILLAGE_A], rows[VILLAGE_A2]
    assert (a.covered, a.elders_located, a.elders_covered) == (True, 2, 2)
    assert (a2.covered, a2.elders_covered) == (False, 0)
    assert 2700 < (a2.nearest_m or 0) < 2900  # the centre is 0.025° north: about 2.78 km
    others = [v for code, v in rows.items() if code not in (VILLAGE_A, VILLAGE_A2)]
    assert others and all(v.covered is None and v.status == "无定位数据" for v in others)
    points = selectors.facilities_in("330212")
    assert [(p["name"], p["kind_label"]) for p in points] == [("合一村幸福院", "农村幸福院")]
    circle = {(code, bucket) for code, bucket, _ in figures.circle(timezone.localdate())}
    assert (VILLAGE_A, "服务圈内") in circle and (VILLAGE_A2, "服务圈外") in circle
    assert (inst.division_code, "床位", 10) in set(figures.beds(timezone.localdate()))
