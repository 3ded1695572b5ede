"""一键核对 in a real browser: the household page's panel, the button, the 核对报告 and its PDF.

A 乡镇 officer opens the test family's household page, presses 一键核对 without an authorisation
reference (refused, with the reason), fills it in, lands on the report and downloads the PDF.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from minzheng.demo.feedrows import DIGEST_KEY
from minzheng.testing import PASSWORD, load_test_divisions, make_cast, make_household
from minzheng.verification.tests.test_household import ingest_family

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_one_click_verification(browser: Any, live_server: Any, settings: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    settings.FEED_DIGEST_KEY = DIGEST_KEY.decode()
    load_test_divisions()
    make_cast()
    household, _ = make_household()
    ingest_family(Path(settings.FEEDS_DIR) / "store", tmp_path / "files")
    context = browser.new_context(viewport={"width": 360, "height": 740}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "lizhen")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/registry/households/{household.pk}/")
        button = page.locator("#verify-button")
        expect(button).to_have_text("一键核对")
        page.fill("#id_as_of", "2026-12-01")
        page.evaluate("document.querySelector('#id_authorisation_ref').removeAttribute('required')")
        button.click()
        expect(page.locator("#verification-card .error").first).to_contain_text("请填写核对授权书编号")
        page.fill("#id_authorisation_ref", "SQ-2026-0042")
        page.fill("#id_as_of", "2026-12-01")
        page.locator("#verify-button").click()
        expect(page.locator("h1")).to_have_text("家庭经济状况核对报告")
        expect(page.locator("#report-no")).to_contain_text("HD-330212-")
        expect(page.locator("#authorisation")).to_have_text("SQ-2026-0042")
        expect(page.get_by_text("公安车辆：名下小型轿车 浙B12345，车辆价值 85,000.00 元").first).to_be_visible()
        if os.environ.get("MZ_SCREENSHOTS"):  # for looking at the page while developing it
            page.screenshot(path=os.path.join(os.environ["MZ_SCREENSHOTS"], "report.png"), full_page=True)
        with page.expect_download() as info:
            page.get_by_text("下载 PDF").click()
        pdf = Path(info.value.path()).read_bytes()
        assert pdf.startswith(b"%PDF")
    finally:
        context.close()


def test_report_fits_a_phone(browser: Any, live_server: Any, settings: Any, tmp_path: Path) -> None:
    """Issue 9: the 核对报告 overflowed a 390 px phone; its tables now scroll inside their own box.

    The report is made long on purpose: a member with a long name and relation, and a finding drawn
    from forty source rows (a monthly feed over six months lists every row it used).
    """
    from playwright.sync_api import expect

    from minzheng.verification.models import VerificationReport
    from minzheng.verification.services import household_verify

    settings.FEED_DIGEST_KEY = DIGEST_KEY.decode()
    load_test_divisions()
    cast = make_cast()
    household, _ = make_household()
    ingest_family(Path(settings.FEEDS_DIR) / "store", tmp_path / "files")
    import datetime as dt

    report = household_verify(
        actor=cast.town_officer, household=household, as_of=dt.date(2026, 12, 1), authorisation_ref="SQ-2026-0042"
    )
    summary = report.summary
    member = summary["members"][0]
    member["name"], member["relation"] = "欧阳娜仁托娅", "配偶的祖父母或外祖父母"
    member["findings"][0]["evidence"]["rows"] = list(range(100_001, 100_041))
    VerificationReport.objects.filter(pk=report.pk).update(summary=summary)
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "lizhen")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{live_server.url}/verification/reports/{report.pk}/")
        expect(page.locator("h1")).to_have_text("家庭经济状况核对报告")
        expect(page.get_by_text("100001、100002").first).to_be_visible()
        if os.environ.get("MZ_SCREENSHOTS"):
            page.screenshot(path=os.path.join(os.environ["MZ_SCREENSHOTS"], "report-phone.png"), full_page=True)
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"the page scrolls sideways: {widths[0]} px wide in a {widths[1]} px window"
    finally:
        context.close()
