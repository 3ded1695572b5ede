"""A volunteer signs in to an activity on a phone (390×844) in a real browser: the page shows the
distance to the activity's place before the tap, the sign-in carries GPS and the phone's time, the
sign-out follows, and the organiser (the station's social worker) confirms the hours into the time bank."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minzheng.testing import PASSWORD, load_test_divisions, make_cast, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server: Any) -> Any:
    from minzheng.volunteers.tests.helpers import make_world

    load_test_divisions()
    cast = make_cast()
    return make_world(cast)


def log_in(page: Any, url: str, username: str) -> None:
    page.goto(url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".who")


def test_a_volunteer_signs_in_on_a_phone(browser: Any, live_server: Any, world: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from minzheng.volunteers.models import Account, Attendance
    from minzheng.volunteers.tests.helpers import NEAR

    mobile = browser.new_context(
        viewport={"width": 390, "height": 844},
        permissions=["geolocation"],
        geolocation={"latitude": NEAR[0], "longitude": NEAR[1]},
    )
    try:
        phone = mobile.new_page()
        phone.set_default_timeout(10_000)
        log_in(phone, live_server.url, "zhiyuan")
        nav_go(phone, "我的志愿服务")
        expect(phone.locator("h1")).to_have_text("我的志愿服务")
        phone.click("a.activity-link >> text=陪伴独居老人")
        expect(phone.locator("#place-distance")).to_have_text("当前位置距活动地点 89 米")
        phone.click("#sign-in")
        expect(phone.locator("#my-status")).to_contain_text("已签到（签到距活动地点 89 米）")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"页面宽 {width}px，超出手机屏幕"
        phone.screenshot(path=str(tmp_path / "volunteer_sign_in.png"), full_page=True)
        # Served since the start (as a sign-in queued offline at the start would record): hours to confirm.
        Attendance.objects.update(in_client_at=world.activity.starts_at)
        phone.click("#sign-out")
        expect(phone.locator("#my-status")).to_contain_text("已签退（待确认）")
    finally:
        mobile.close()

    att = Attendance.objects.get()
    assert (round(att.in_lat, 4), round(att.in_lng, 4)) == NEAR and att.in_client_at <= att.in_at
    desk = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = desk.new_page()
        page.set_default_timeout(10_000)
        log_in(page, live_server.url, "shegong")
        page.goto(f"{live_server.url}/volunteers/activities/{world.activity.pk}/")
        expect(page.locator("#attendance")).to_contain_text("89 米")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"活动页宽 {width}px，超出手机屏幕"
        page.screenshot(path=str(tmp_path / "volunteer_confirm.png"), full_page=True)
        page.click("#attendance button.confirm")
        expect(page.locator("#attendance")).to_contain_text("已确认")
    finally:
        desk.close()
    att.refresh_from_db()
    assert att.status == Attendance.Status.CONFIRMED and att.confirmed_minutes >= 180
    assert Account.objects.get(person=world.volunteer.person).balance_minutes == att.confirmed_minutes
