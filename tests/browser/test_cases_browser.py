"""A 低保 case in a real browser, from the 全科受理 window to the county's 审核确认.

The town officer finds the applicant at the window, sees what the household could apply for and
opens a 低保 case (the checklist ticks what data already proves); the village worker records the
入户调查 on a phone; the town reviews and publishes (recorded afterwards: the 公示 went up on the
village board days ago, entered in 实际办理日期); the public 公示 page opens without a login and
shows only the masked name; once the 公示 has run its 7 days the county approver confirms, and the
批准通知书 is on the case. Screenshots (phone and desktop) of the window and the case page go to the
test's temp directory, or to $MINZHENG_SCREENSHOTS when set, never into the repository.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from minzheng.testing import PASSWORD, load_test_divisions, make_cast, make_household, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT = 45_000  # the machine is shared: pages may take seconds under load


def _ago(days: int) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def _log_in(page: Any, url: str, username: str) -> None:
    page.goto(url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".who")


def _shots_dir(tmp_path: Path) -> Path:
    target = Path(os.environ.get("MINZHENG_SCREENSHOTS") or tmp_path / "shots")
    target.mkdir(parents=True, exist_ok=True)
    return target


def _fits_the_screen(page: Any) -> None:
    """Nothing on the page is wider than the phone (a wide table scrolls in its own box)."""
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"页面比屏幕宽 {overflow} 像素"


def _step(page: Any, action: str) -> Any:
    """The step's form: open its <details> and return it."""
    box = page.locator("details.step", has=page.locator(f"summary:text-is('{action}')"))
    if box.get_attribute("open") is None:
        box.locator("summary").click()
    return box


def test_window_to_confirmation(browser: Any, live_server: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from minzheng.cases.models import Case

    load_test_divisions()
    make_cast()
    make_household()  # 合一村: 户主 张建国, 配偶 李秀英 (残疾), 子 张小明
    url, shots = live_server.url, _shots_dir(tmp_path)

    # 1. 全科受理 (desktop): find the person, see the case types, open a 低保 case taken 20 days ago.
    desk = browser.new_context(viewport=DESKTOP)
    town = desk.new_page()
    town.set_default_timeout(TIMEOUT)
    _log_in(town, url, "lizhen")
    nav_go(town, "全科受理")
    town.fill("#q", "张建国")
    town.click("button:has-text('查找')")
    town.click("tr:has-text('张建国') >> text=受理申请")
    expect(town.locator("h2")).to_contain_text("张建国")
    expect(town.locator("main")).to_contain_text("特困人员救助供养")
    town.screenshot(path=str(shots / "window-desktop.png"), full_page=True)
    # Date inputs arrive filled with today in ISO form (the zh-hans locale format would leave them empty).
    expect(town.locator("#id_received_on")).to_have_value(timezone.localdate().isoformat())
    town.select_option("#id_case_type", "dibao")
    town.fill("#id_received_on", _ago(20))
    town.fill("#id_authorisation_no", "SQ-2026-0917")
    town.click("button:has-text('受理并出具受理通知书')")
    expect(town.locator(".msg-success")).to_contain_text("已受理")
    case = Case.objects.get()
    expect(town.locator("h1")).to_contain_text(case.case_no)
    expect(town.locator("main")).to_contain_text("家庭成员身份证明：数据代替（免提交）")
    expect(town.locator("main")).to_contain_text("受理通知书")
    case_url = town.url

    # 2. 入户调查 on a phone, with GPS, by the village worker (the step recorded on the day of the visit).
    mobile = browser.new_context(
        viewport=PHONE, permissions=["geolocation"], geolocation={"latitude": 29.78, "longitude": 121.83}
    )
    phone = mobile.new_page()
    phone.set_default_timeout(TIMEOUT)
    _log_in(phone, url, "wangcun")
    phone.goto(case_url)
    phone.screenshot(path=str(shots / "case-phone.png"), full_page=True)
    _fits_the_screen(phone)
    form = _step(phone, "入户调查")
    expect(form.locator("[data-gps-status]")).to_contain_text("已定位")
    expect(form.locator("#id_visited_on")).to_have_value(timezone.localdate().isoformat())
    form.locator("#id_visited_on").fill(_ago(18))
    form.locator("#id_visitors").fill("王村，李镇")
    form.locator("#id_findings").fill("家中无劳动力，住房一套，无车辆")
    form.locator("#on-investigated").fill(_ago(18))
    form.locator("button:has-text('入户调查')").click()
    expect(phone.locator(".msg-success")).to_contain_text("家庭经济状况调查")
    expect(phone.locator("main")).to_contain_text("王村、李镇")
    phone.screenshot(path=str(shots / "case-phone-after-visit.png"), full_page=True)
    _fits_the_screen(phone)

    # 3. The town reviews, then publishes; the 公示 went up 10 days ago (recorded afterwards).
    town.goto(case_url)
    form = _step(town, "乡镇审核")
    form.locator("#reason-reviewed").fill("经调查核对，拟同意纳入低保")
    form.locator("#on-reviewed").fill(_ago(16))
    form.locator("button:has-text('乡镇审核')").click()
    expect(town.locator(".msg-success")).to_contain_text("乡镇审核")
    form = _step(town, "公示")
    form.locator("#on-publicised").fill(_ago(10))
    form.locator("button:has-text('公示')").click()
    expect(town.locator(".msg-success")).to_contain_text("公示")
    town.screenshot(path=str(shots / "case-desktop.png"), full_page=True)
    public_url = town.locator("a:has-text('公示页面')").get_attribute("href")

    # 4. The public page: no login, the masked name, no identity number.
    anyone = browser.new_context(viewport=PHONE).new_page()
    anyone.set_default_timeout(TIMEOUT)
    anyone.goto(url + public_url)
    expect(anyone.locator("h1")).to_contain_text("最低生活保障审核公示")
    body = anyone.locator("body").inner_text()
    assert "张**" in body and "张建国" not in body and "3302121978" not in body
    assert "登录" not in body
    anyone.screenshot(path=str(shots / "public-phone.png"), full_page=True)
    _fits_the_screen(anyone)

    # 5. 审核确认 by the county (four eyes: not the town officer who reviewed). The engine has no
    #    department data for this household, so approving needs the written reason.
    county = browser.new_context(viewport=DESKTOP).new_page()
    county.set_default_timeout(TIMEOUT)
    _log_in(county, url, "chenxian")
    county.goto(case_url)
    form = _step(county, "审核确认")
    form.locator("#reason-confirmed").fill("同意")
    form.locator("button:has-text('审核确认')").click()
    expect(county.locator(".msg-error")).to_contain_text("书面理由")
    form = _step(county, "审核确认")
    form.locator("#reason-confirmed").fill("同意")
    form.locator("#override-confirmed").fill("入户调查核实家庭无收入来源")
    form.locator("#amount").fill("1181")
    form.locator("button:has-text('审核确认')").click()
    expect(county.locator(".msg-success")).to_contain_text("审核确认")
    expect(county.locator("main")).to_contain_text("批准通知书")
    case.refresh_from_db()
    assert (case.status, case.decision_eligible, case.decision_amount_fen) == ("confirmed", True, 118_100)

    # The window and the case on the other screen size.
    phone.goto(url + "/cases/window/?q=张建国")
    phone.screenshot(path=str(shots / "window-phone.png"), full_page=True)
    _fits_the_screen(phone)
    phone.goto(case_url)
    _fits_the_screen(phone)
    phone.screenshot(path=str(shots / "case-phone-confirmed.png"), full_page=True)
    for context in (desk, mobile, anyone.context, county.context):
        context.close()
