"""An organisation files its 年报 on a phone (390×844) and the county officer accepts it on the desk: the
org account's own page, the report form saved and submitted, the officer's year view, the review."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from minzheng.testing import PASSWORD, load_test_divisions, make_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
YEAR = timezone.localdate().year - 1


@pytest.fixture
def org(live_server: Any) -> Any:
    from minzheng.accounts.units import ORG_CREDIT_CODE
    from minzheng.socialorgs.demo import register_org
    from minzheng.socialorgs.models import Kind
    from minzheng.testing import VILLAGE_A

    load_test_divisions()
    cast = make_cast()
    return register_org(cast.socialorg_officer, cast.county_approver, name="鄞州区公益服务中心", kind=Kind.SERVICE,
                        village=VILLAGE_A, serial=10, days_ago=3 * 365, credit_code=ORG_CREDIT_CODE)  # fmt: skip


def _login(context: Any, url: str, username: str) -> Any:
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".who")
    return page


def test_org_files_its_report_and_the_officer_accepts(browser: Any, live_server: Any, org: Any, tmp_path: Any) -> None:
    from playwright.sync_api import expect

    from minzheng.socialorgs.models import AnnualReport

    phone_context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = _login(phone_context, live_server.url, "zuzhi")
    phone.goto(live_server.url + "/socialorgs/mine/")
    phone.click(f"text={YEAR} 年度")
    figures = {"staff": "3", "members": "45", "activities": "14", "beneficiaries": "620", "villages_served": "4",
               "income": "120000", "expense": "90000.50", "net_assets": "40000"}  # fmt: skip
    for field, value in figures.items():
        phone.fill(f"#id_{field}", value)
    phone.select_option("#id_party_org", "yes")
    phone.select_option("#id_disclosed", "yes")
    phone.fill("#id_summary", "全年开展助老助残活动十四次")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    phone.click("text=报送")
    expect(phone.locator(".msg-success")).to_contain_text(f"{YEAR} 年度年报已报送")
    expect(phone.locator("#report-status")).to_have_text("已报送待审查")
    phone_context.close()

    desk_context = browser.new_context()
    desk = _login(desk_context, live_server.url, "shaozu")
    desk.goto(f"{live_server.url}/socialorgs/reports/?year={YEAR}")
    desk.click("#group-submitted >> text=鄞州区公益服务中心")
    expect(desk.locator("#report-status")).to_have_text("已报送待审查")
    desk.select_option("#id_result", "pass")
    desk.fill("#id_opinion", "材料齐全，数据一致")
    desk.click("text=审查通过")
    expect(desk.locator(".msg-success")).to_contain_text("年报已审查通过")
    expect(desk.locator("#report-status")).to_have_text("已审查")
    report = AnnualReport.objects.get(org=org, year=YEAR)
    assert (report.status, report.result, report.expense_fen) == ("accepted", "pass", 9_000_050)
    desk_context.close()
