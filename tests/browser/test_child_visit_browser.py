"""儿童主任's visit on a phone (390×844) in a real browser: the plan shows an overdue child, the visit
is saved while offline (kept in localStorage with the phone's time and GPS, sent when the signal
returns), a photo is added, and the town's overdue 待办 closes; the 儿童督导员 sees the counts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from minzheng.eldercare.tests.helpers import PNG
from minzheng.testing import PASSWORD, load_test_divisions, make_cast, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SPOT = (29.7752, 121.7351)


@pytest.fixture
def world(live_server: Any) -> Any:
    from minzheng.childvisits import plans
    from minzheng.childvisits.models import ChildVisit
    from minzheng.childvisits.tests.helpers import child_with_file

    load_test_divisions()
    cast = make_cast()
    cf, _, _ = child_with_file(categories=["unsupported_child"])
    ChildVisit.objects.create(
        child=cf, division_code=cf.division_code, visited_on=timezone.localdate() - dt.timedelta(days=40),
        observed="stable", findings="上次走访",
    )  # fmt: skip
    plans.daily(timezone.localdate())
    return cast


def log_in(page: Any, url: str, username: str) -> None:
    page.goto(url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".who")


def test_a_child_director_visits_on_a_phone_offline(browser: Any, live_server: Any, world: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from minzheng.childvisits.models import ChildVisit
    from minzheng.workitems.models import WorkItem

    assert WorkItem.objects.filter(source="child_visit_overdue", status="open").count() == 1
    mobile = browser.new_context(
        viewport={"width": 390, "height": 844},
        permissions=["geolocation"],
        geolocation={"latitude": SPOT[0], "longitude": SPOT[1]},
    )
    phone = mobile.new_page()
    phone.set_default_timeout(10_000)
    log_in(phone, live_server.url, "zhoutong")
    nav_go(phone, "儿童走访")
    expect(phone.locator("#plan-table")).to_contain_text("逾期")
    expect(phone.locator("#plan-table")).to_contain_text("事实无人抚养儿童")
    phone.click("#plan-table a")
    expect(phone.locator("h1")).to_have_text("王小童")

    mobile.set_offline(True)
    phone.check("text=生活稳定，监护到位")
    phone.fill("#id_findings", "祖母照料，按时上学，居住安全")
    phone.click("#save-visit")
    expect(phone.locator("#door-status")).to_contain_text("网络不可用：已在手机上记录走访")
    assert phone.evaluate("JSON.parse(localStorage.getItem('minzheng.eldercare.queue')).length") == 1
    phone.wait_for_timeout(1_100)
    mobile.set_offline(False)
    expect(phone.locator("#last-visit")).to_have_text(timezone.localdate().isoformat())
    assert phone.evaluate("JSON.parse(localStorage.getItem('minzheng.eldercare.queue')).length") == 0

    picture = tmp_path / "visit.png"
    picture.write_bytes(PNG)
    phone.set_input_files("#id_photo", str(picture))
    phone.click("#upload-photo")
    expect(phone.locator(".visit").first).to_contain_text("照片 1 张")
    expect(phone.locator(".visit").first).to_contain_text("已定位")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"页面宽 {width}px，超出手机屏幕"
    phone.screenshot(path=str(tmp_path / "child_visit.png"), full_page=True)
    mobile.close()

    visit = ChildVisit.objects.exclude(findings="上次走访").get()
    assert (round(visit.latitude, 4), round(visit.longitude, 4)) == SPOT
    assert visit.recorded_at - visit.client_at >= dt.timedelta(seconds=1)  # the phone's time, kept
    assert WorkItem.objects.filter(source="child_visit_overdue", status="open").count() == 0

    town = browser.new_context(viewport={"width": 390, "height": 844})
    page = town.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, "wudu")
    nav_go(page, "走访统计")
    expect(page.locator("#town-counts")).to_contain_text("瞻岐镇")
    expect(page.locator("#village-counts")).to_contain_text("合一村")
    town.close()
