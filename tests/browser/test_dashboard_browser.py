"""民政大脑 in a real browser: the county director opens the board, clicks into a town and then a village;
each page draws its map and charts (canvas present) with no console error, offline (no request leaves
the live server)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.testing import PASSWORD, TOWN_A, TOWN_B, VILLAGE_A, VILLAGE_A2, load_test_divisions, make_cast, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def square(lng: float, lat: float, d: float = 0.05) -> dict[str, Any]:
    ring = [[lng, lat], [lng + d, lat], [lng + d, lat + d], [lng, lat + d], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def world(live_server: Any) -> Any:
    from minzheng.dashboard.maps import boundary_import, points_import
    from minzheng.dashboard.services import refresh
    from minzheng.dashboard.tests.helpers import household_with

    load_test_divisions()
    cast = make_cast()
    household_with(VILLAGE_A, [dt.date(1948, 1, 1), dt.date(1975, 1, 1)], tags="独居老人")
    household_with(VILLAGE_A2, [dt.date(1938, 1, 1)])
    household_with("330212101200", [dt.date(2013, 1, 1)])
    # Test shapes only (two squares for the two towns): a real installation imports the county's own set.
    features = [
        {"type": "Feature", "properties": {"adcode": TOWN_A, "name": "瞻岐镇"}, "geometry": square(121.70, 29.75)},
        {"type": "Feature", "properties": {"adcode": TOWN_B, "name": "咸祥镇"}, "geometry": square(121.76, 29.75)},
    ]
    boundary_import({"features": features}, source="测试图形", licence="测试用", crs="CGCS2000")
    points_import([(VILLAGE_A, 29.77, 121.72), (VILLAGE_A2, 29.78, 121.73)])
    refresh()
    return cast


def test_county_to_town_to_village_draws_charts_and_map(
    browser: Any, live_server: Any, world: Any, tmp_path_factory: Any
) -> None:
    from playwright.sync_api import expect

    shots = tmp_path_factory.mktemp("dashboard")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        outside: list[str] = []
        failed: list[str] = []
        # Chromium reports a missing /favicon.ico as a console error; every other failed response is caught below.
        page.on(
            "console", lambda m: errors.append(m.text) if m.type == "error" and "Failed to load" not in m.text else None
        )
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
        page.on("pageerror", lambda e: errors.append(f"{e} {getattr(e, 'stack', '')}"))
        page.on(
            "request",
            lambda r: outside.append(r.url) if not r.url.startswith((live_server.url, "data:", "blob:")) else None,
        )
        page.goto(live_server.url + "/")
        page.fill("#id_username", world.county_approver.username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        nav_go(page, "民政大脑")
        expect(page.locator("h1")).to_contain_text("鄞州区")
        expect(page.locator("#map canvas")).to_have_count(1)
        assert page.locator(".dash-chart canvas").count() >= 2  # residents by age band, by tag
        page.screenshot(path=str(shots / "county.png"))
        page.click("table >> text=瞻岐镇")
        expect(page.locator("h1")).to_contain_text("瞻岐镇")
        expect(page.locator("#map canvas")).to_have_count(1)
        assert page.locator(".dash-chart canvas").count() >= 1
        page.click("table >> text=合一村")
        expect(page.locator("h1")).to_contain_text("合一村")
        assert page.url.endswith(f"division={VILLAGE_A}")
        expect(page.locator("#map canvas")).to_have_count(1)
        assert page.locator(".dash-chart canvas").count() >= 1
        nav_go(page, "大屏")
        expect(page.locator("body.screen #map canvas")).to_have_count(1)
        page.screenshot(path=str(shots / "screen.png"))
        assert errors == [] and failed == [] and outside == []
    finally:
        context.close()
