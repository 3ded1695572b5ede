"""An institution's operator admits an elder on a phone (390×844): the own-institution page, the admission
form, the resident listed masked; no page scrolls sideways."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.testing import PASSWORD, VILLAGE_A, load_test_divisions, make_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def setup(live_server: Any) -> Any:
    from minzheng.institutions.tests.conftest import elder, make_institution

    load_test_divisions()
    make_cast()
    inst = make_institution()
    return inst, elder("葛阿婆", village=VILLAGE_A, born=dt.date(1938, 2, 1))


def test_operator_admits_an_elder_on_a_phone(browser: Any, live_server: Any, setup: Any) -> None:
    from playwright.sync_api import expect

    inst, person = setup
    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(live_server.url + "/")
    phone.fill("#id_username", "yanglao")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_selector(".who")
    phone.goto(live_server.url + "/institutions/")
    expect(phone.locator("h1")).to_contain_text(inst.name)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("text=办理入住")
    phone.fill("#id_id_number", person.id_number)
    phone.fill("#id_admitted_on", "2025-03-01")
    phone.select_option("#id_care_level", "2")
    phone.fill("#id_level_assessed_on", "2025-02-25")
    phone.fill("#id_bed_no", "201-1")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path="/tmp/i1/admit.png", full_page=True)
    phone.click("text=保存")
    expect(phone.locator(".msg-success")).to_contain_text("已办理入住")
    expect(phone.locator("table").first).to_contain_text("中度失能")
    expect(phone.locator("body")).to_contain_text("葛**")
    phone.screenshot(path="/tmp/i1/detail.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    context.close()  # closes Chromium's keep-alive connections before the live server stops
