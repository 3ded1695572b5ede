"""A village contact's follow-up of a returned person on a phone (390×844): the due list, the entry, the
one-screen form, and the schedule moved a month on; no page scrolls sideways."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from minzheng.testing import PASSWORD, VILLAGE_A, load_test_divisions, make_cast, make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def entry(live_server: Any) -> Any:
    from minzheng.rescue import services_ledger as ledger

    load_test_divisions()
    cast = make_cast()
    person = make_household()[1][0]
    who = ledger.Who(name=person.name, division_code=VILLAGE_A, person=person, id_number=person.id_number)
    on = timezone.localdate() - dt.timedelta(days=32)
    return ledger.entry_open("returned", who, on=on, actor=cast.rescue_staff)


def test_a_village_contact_follows_up_on_a_phone(browser: Any, live_server: Any, entry: Any, tmp_path: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(live_server.url + "/")
    phone.fill("#id_username", "wangcun")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_selector(".who")
    phone.goto(live_server.url + "/rescue/due/")
    expect(phone.locator("tr.late")).to_contain_text("张**")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("tr.late a")
    phone.check("input[value=at_home]")
    phone.fill("#id_note", "本人在家，家属照看")
    phone.screenshot(path=str(tmp_path / "followup.png"), full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.click("text=保存回访")
    expect(phone.locator(".msg-success")).to_contain_text("已登记回访，下次回访")
    entry.refresh_from_db()
    assert entry.next_due_on == timezone.localdate() + dt.timedelta(days=30)
    assert entry.followups.get().note == "本人在家，家属照看"
    context.close()  # closes Chromium's keep-alive connections before the live server stops
