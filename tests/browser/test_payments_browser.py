"""A monthly payroll in a real browser: the town officer computes 低保 for the month (a phone), the
county approver approves it (four eyes: the builder sees no approve button and would be refused),
and the town downloads the bank file (出盘) and the 发放名册. The entitlement page, the run page
and the lists are photographed at 390×844 and 1280×900 and must fit the phone's width.
Screenshots go to the test's temp directory, or to $MINZHENG_SCREENSHOTS when set.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from minzheng.payments import services
from minzheng.testing import PASSWORD, load_test_divisions, make_cast, make_household, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
TIMEOUT = 45_000
MONTH = dt.date(2026, 11, 1)


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
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"页面比屏幕宽 {overflow} 像素"


def _world() -> None:
    load_test_divisions()
    cast = make_cast()
    household, people = make_household()
    services.account_set(
        people[0], bank_code="NBCB", bank_name="宁波银行", account_no="6222021234567890123",
        account_name="张建国", reason="开户登记", actor=cast.county_approver,
    )  # fmt: skip
    services.entitlement_create(
        programme_id="dibao", subject=household, payee=people[0], amount_fen=123_450, from_month=MONTH,
        source="case", reason="批准纳入低保", actor=cast.county_approver, members=3,
    )  # fmt: skip


def test_town_computes_county_approves_town_downloads_the_bank_file(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    _world()
    url, shots = live_server.url, _shots_dir(tmp_path)

    # 1. The town officer, on a phone: the roll (masked), then 生成本月发放 for November.
    mobile = browser.new_context(viewport=PHONE, accept_downloads=True)
    town = mobile.new_page()
    town.set_default_timeout(TIMEOUT)
    _log_in(town, url, "lizhen")
    nav_go(town, "待遇名册")
    expect(town.locator("main")).to_contain_text("HQ-0001")
    assert "张建国" not in town.locator("main").inner_text()
    town.screenshot(path=str(shots / "entitlements-phone.png"), full_page=True)
    _fits_the_screen(town)
    town.click("a:has-text('HQ-0001')")
    expect(town.locator("main")).to_contain_text("宁波银行 尾号 0123")
    town.screenshot(path=str(shots / "entitlement-phone.png"), full_page=True)
    _fits_the_screen(town)
    town.goto(url + "/payments/runs/")
    town.click("summary:has-text('生成本月发放')")
    town.select_option("#id_programme", "dibao")
    town.fill("#id_month", "2026-11")
    town.select_option("#id_region", "330212100")
    town.click("button:has-text('生成发放批次')")
    expect(town.locator(".msg-success")).to_contain_text("1 人，1,234.50 元，待审核")
    run_url = town.url
    expect(town.locator("main")).to_contain_text("瞻岐镇")
    assert town.locator("button:has-text('审核通过')").count() == 0  # the builder cannot approve
    town.screenshot(path=str(shots / "run-draft-phone.png"), full_page=True)
    _fits_the_screen(town)

    # 2. The county approver, on a desktop: approves.
    desk = browser.new_context(viewport=DESKTOP)
    county = desk.new_page()
    county.set_default_timeout(TIMEOUT)
    _log_in(county, url, "chenxian")
    county.goto(run_url)
    county.screenshot(path=str(shots / "run-draft-desktop.png"), full_page=True)
    county.click("button:has-text('审核通过')")
    expect(county.locator(".msg-success")).to_contain_text("已审核")
    expect(county.locator("main")).to_contain_text("审核：陈县")

    # 3. The town downloads the bank file and the roster.
    town.goto(run_url)
    with town.expect_download() as info:
        town.click("button:has-text('出盘')")
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    assert saved.suffix == ".csv" and "张建国" in text and "6222021234567890123" in text and "1234.50" in text
    with town.expect_download() as roster:
        town.click("a:has-text('发放名册')")
    assert roster.value.suggested_filename.endswith(".xlsx")
    town.reload()
    expect(town.locator(".stats").first).to_contain_text("已出盘")
    town.screenshot(path=str(shots / "run-issued-phone.png"), full_page=True)
    _fits_the_screen(town)
    county.goto(run_url)
    county.screenshot(path=str(shots / "run-issued-desktop.png"), full_page=True)
    county.goto(url + "/payments/")
    county.screenshot(path=str(shots / "entitlements-desktop.png"), full_page=True)
    for context in (mobile, desk):
        context.close()
