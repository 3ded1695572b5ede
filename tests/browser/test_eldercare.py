"""居家养老 in a real browser: a 12349 call becomes an order, a caregiver works it on a phone, the statement pays.

The operator enters the caller's number and the elder's profile with the month's remaining hours
pops up (htmx); the order is placed and dispatched to the nearest caregiver. On a phone-sized
screen with GPS the caregiver accepts, checks in while the phone is offline (the check-in waits
in localStorage and is sent with its original time when the connection returns), uploads photos
and checks out. After the follow-up call the provider builds its statement, which shows the
government subsidy and the co-payment to the fen, and the county approves it (not the builder).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from minzheng.eldercare.testing import HOME, make_care_world
from minzheng.eldercare.tests.helpers import PNG
from minzheng.testing import PASSWORD, load_test_divisions, make_cast, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server: Any) -> Any:
    load_test_divisions()
    cast = make_cast()
    return make_care_world(cast)


def log_in(page: Any, url: str, username: str) -> None:
    page.goto(url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".who")


def test_call_order_door_and_statement(browser: Any, live_server: Any, world: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from minzheng.eldercare.models import Order

    url = live_server.url
    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    operator = desk.new_page()
    operator.set_default_timeout(10_000)

    # 1. The call: the profile and the month's remaining hours pop up.
    log_in(operator, url, "rexian")
    nav_go(operator, "12349 热线")
    operator.fill("#caller", "13800570001")
    operator.click("button:has-text('接听')")
    expect(operator.locator("#elder-profile h2").first).to_contain_text("周阿婆")
    expect(operator.locator("#remaining-hours")).to_have_text("30 小时")
    expect(operator.locator("#contacts")).to_contain_text("周建华（子）")

    # 2. The order (点餐式) for tomorrow morning, then instant dispatch to the nearest caregiver.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    operator.check("text=居室清洁")
    operator.check("text=协助进食/水")
    operator.fill("#id_day", tomorrow.isoformat())
    operator.fill("#id_start", "09:00")
    operator.click("#place-order")
    expect(operator.locator("#order-status")).to_have_text("已下单")
    operator.click("#dispatch")
    expect(operator.locator("#order-status")).to_have_text("已派单")
    expect(operator.locator("#order-caregiver")).to_contain_text("胡理")
    order_url = operator.url

    # 3. At the door, on a phone with GPS at the elder's registered address.
    mobile = browser.new_context(
        viewport={"width": 360, "height": 740},
        permissions=["geolocation"],
        geolocation={"latitude": HOME[0], "longitude": HOME[1]},
    )
    phone = mobile.new_page()
    phone.set_default_timeout(10_000)
    log_in(phone, url, "huli")
    nav_go(phone, "我的上门服务")
    phone.click("text=周阿婆 · 订单")
    left = "28 小时 30 分钟" if tomorrow.month == timezone.localdate().month else "30 小时"
    expect(phone.locator("#remaining-hours")).to_have_text(f"{left}（每月 30 小时）")
    phone.click("#accept")
    expect(phone.locator("#order-status")).to_have_text("已接单")
    expect(phone.locator("#gps-distance")).to_have_text("当前位置距登记住址 0 米")

    # No signal: the check-in is kept on the phone with its time, and sent when the signal returns.
    mobile.set_offline(True)
    phone.click("#check-in")
    expect(phone.locator("#door-status")).to_contain_text("网络不可用：已在手机上记录签到")
    assert phone.evaluate("JSON.parse(localStorage.getItem('minzheng.eldercare.queue')).length") == 1
    phone.wait_for_timeout(2_100)
    mobile.set_offline(False)
    expect(phone.locator("#order-status")).to_have_text("已签到")
    expect(phone.locator("#checkin-info")).to_contain_text("距住址 0 米")
    assert phone.evaluate("JSON.parse(localStorage.getItem('minzheng.eldercare.queue')).length") == 0

    picture = tmp_path / "photo.png"
    picture.write_bytes(PNG)
    phone.select_option("#id_kind", "before")
    phone.set_input_files("#id_photo", str(picture))
    phone.click("#upload-photo")
    phone.click("#start")
    expect(phone.locator("#order-status")).to_have_text("服务中")
    phone.select_option("#id_kind", "after")
    phone.set_input_files("#id_photo", str(picture))
    phone.click("#upload-photo")
    phone.fill("#id_confirmed_by", "周阿婆")
    phone.click("#check-out")
    expect(phone.locator("#order-status")).to_have_text("已签退")
    expect(phone.locator("#checkout-info")).to_contain_text("确认人 周阿婆")
    phone.screenshot(path=str(tmp_path / "door.png"), full_page=True)
    mobile.close()

    order = Order.objects.get()
    # The phone's check-in time is the offline moment, at least two seconds before the server got it.
    assert order.checkin_at - order.checkin_client_at >= dt.timedelta(seconds=2)
    assert (order.price_fen, order.subsidy_fen, order.copay_fen) == (6000, 4800, 1200)

    # 4. The follow-up call, then the county approves the provider's statement.
    operator.goto(order_url)
    operator.fill("#id_result", "老人满意，地面已清洁")
    operator.click("#follow-up")
    expect(operator.locator("#order-status")).to_have_text("已回访")
    desk.close()

    # The provider builds the month's statement; the county approves it (four eyes: never the builder).
    maker_ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    maker = maker_ctx.new_page()
    maker.set_default_timeout(10_000)
    log_in(maker, url, "fuwu")
    maker.goto(url + "/eldercare/statements/")
    maker.select_option("#id_provider", label="瞻岐镇颐家居家养老服务中心")
    maker.fill("#id_month", f"{tomorrow:%Y-%m}")
    maker.click("#build-statement")
    expect(maker.locator("#st-price")).to_have_text("60.00")
    expect(maker.locator("#st-subsidy")).to_have_text("48.00")
    expect(maker.locator("#st-copay")).to_have_text("12.00")
    statement_url = maker.url
    maker_ctx.close()

    county_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    county = county_ctx.new_page()
    county.set_default_timeout(10_000)
    log_in(county, url, "chenxian")
    nav_go(county, "养老结算")
    county.goto(statement_url)
    county.click("#approve")
    expect(county.locator("#st-status")).to_have_text("已审核")
    with county.expect_download() as info:
        county.click("text=导出 Excel")
    assert info.value.suggested_filename.endswith(".xlsx")
    county_ctx.close()


def test_assessment_form_on_a_phone_yields_level_and_reasons(browser: Any, live_server: Any, world: Any) -> None:
    """A 村 worker fills in GB/T 42195-2022 on a phone: total 56 → 中度失能, dementia raises it to 重度."""
    from playwright.sync_api import expect

    from minzheng.eldercare.assessment import standard
    from minzheng.eldercare.testing import MODERATE_ITEMS

    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    log_in(page, live_server.url, "wangcun")
    page.goto(f"{live_server.url}/eldercare/elders/{world.elder.pk}/assess/")
    for d, items in enumerate(standard().domains.values()):
        for i, name in enumerate(items):
            page.select_option(f"#id_item_{d}_{i}", str(MODERATE_ITEMS[name]))
    page.fill("#id_assessor_name", "王村")
    page.select_option("#id_reason", "change")
    page.fill("#id_diagnoses", "F03")
    page.fill("#id_risk_跌倒", "1")
    page.click("#assess-submit")
    expect(page.locator("#total")).to_have_text("56")
    expect(page.locator("#final-level")).to_have_text("3（重度失能）")
    expect(page.locator("#reasons")).to_contain_text("确诊为痴呆（F03，F00–F03），在原有能力级别上提高一个级别")
    context.close()


def test_family_link_on_a_phone(browser: Any, live_server: Any, world: Any) -> None:
    """No account: the family sees the month's remaining hours and the bill, and books a visit."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/eldercare/f/{world.elder.family_token}/")
    expect(page.locator("#remaining-hours")).to_have_text("30 小时")
    expect(page.locator("#bill-copay")).to_have_text("0.00")
    page.check("text=代购物品")
    page.click("button:has-text('预约')")
    expect(page.locator(".msg-success")).to_contain_text("已预约")
    # Booked for tomorrow: it counts against this month unless tomorrow is next month.
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    same_month = tomorrow.month == timezone.localdate().month
    expect(page.locator("#remaining-hours")).to_have_text("29 小时 30 分钟" if same_month else "30 小时")
    context.close()
