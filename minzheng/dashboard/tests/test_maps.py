"""The offline map: imported boundaries keep their provenance, one CRS per installation, points where a
level has no polygon, and the divisions with neither listed rather than invented."""

from __future__ import annotations

from typing import Any

import pytest

from minzheng.dashboard.maps import MapImportError, boundary_import, layers, points_import
from minzheng.dashboard.selectors import child_codes
from minzheng.testing import COUNTY, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_A2

pytestmark = pytest.mark.django_db


def square(code: str, lng: float) -> dict[str, Any]:
    ring = [[lng, 29.7], [lng + 0.05, 29.7], [lng + 0.05, 29.75], [lng, 29.75], [lng, 29.7]]
    return {"type": "Feature", "properties": {"adcode": code}, "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_boundaries_points_and_the_unplaced(county: None) -> None:
    boundary_import({"features": [square(TOWN_A, 121.7)]}, source="县民政局 乡级界线", licence="内部", crs="CGCS2000",
                    edition_year=2025)  # fmt: skip
    points_import([(VILLAGE_A, 29.72, 121.71)])
    at_county = layers(COUNTY, child_codes(COUNTY), "/dashboard/")
    assert [f["properties"]["name"] for f in at_county["geo"]["features"]] == [TOWN_A]
    assert at_county["geo"]["features"][0]["properties"]["href"] == f"/dashboard/?division={TOWN_A}"
    assert "咸祥镇" in at_county["unplaced"]  # no polygon, no point: listed, not drawn
    assert at_county["provenance"] == ["县民政局 乡级界线（2025，CGCS2000，内部）"]
    assert at_county["notice"].startswith("示意图")  # no 审图号
    at_town = layers(TOWN_A, child_codes(TOWN_A), "/dashboard/")
    assert [f["properties"]["name"] for f in at_town["geo"]["features"]] == [TOWN_A]  # the outline
    centres = [(c["code"], c["value"], c["basis"]) for c in at_town["centres"]]
    assert centres == [(VILLAGE_A, [121.71, 29.72], "imported")]
    assert "南一村" in at_town["unplaced"] and VILLAGE_A2 not in [c["code"] for c in at_town["centres"]]


def test_imports_refuse_mixed_crs_and_bad_features(county: None) -> None:
    boundary_import({"features": [square(TOWN_A, 121.7)]}, source="s", licence="l", crs="CGCS2000")
    with pytest.raises(MapImportError, match="不能混入 GCJ-02"):
        boundary_import({"features": [square(TOWN_B, 121.8)]}, source="s", licence="l", crs="GCJ-02")
    line = {"type": "Feature", "properties": {"adcode": TOWN_B}, "geometry": {"type": "LineString", "coordinates": []}}
    with pytest.raises(MapImportError, match="第 1 个要素"):
        boundary_import({"features": [line]}, source="s", licence="l", crs="CGCS2000")
    with pytest.raises(MapImportError, match="来源和许可"):
        boundary_import({"features": [square(TOWN_B, 121.8)]}, source=" ", licence="l", crs="CGCS2000")
    with pytest.raises(MapImportError, match="坐标超出范围"):
        points_import([(VILLAGE_A, 129.7, 121.7)])
