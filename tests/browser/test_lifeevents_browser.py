"""身后一件事 in a real browser (390 px, no sideways scroll): the window's one form for a death in a 低保
household, the caseworker confirming the household's recomputed amount, each department finishing its
items in its inbox (人力社保 and the 殡仪馆 on their own accounts; the window recording the replies of
departments not yet on the platform), through to 全部办结 and the family's progress page."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from minzheng.testing import PASSWORD, load_test_divisions, make_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(live_server: Any) -> Any:
    from minzheng.lifeevents.tests.conftest import build_world

    load_test_divisions()
    make_cast()
    return build_world()


def _login(browser: Any, url: str, username: str) -> Any:
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(url + "/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector(".who")
    return context, page


def _narrow(page: Any) -> None:
    # After a click the old document may be gone and the new one not yet parsed (documentElement null).
    page.wait_for_load_state("load")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, page.url


def _finish_inbox(page: Any, url: str, reply: str) -> int:
    """Open each item of the inbox and finish it with a reply and a receipt number."""
    from playwright.sync_api import expect

    done = 0
    page.goto(url + "/lifeevents/inbox/")
    _narrow(page)
    while page.locator("#inbox a.button").count():
        page.locator("#inbox a.button").first.click()
        page.wait_for_selector("#reply")
        _narrow(page)
        page.fill("#reply", reply)
        page.fill("#reply_ref", f"HZ-{done + 1:03d}")
        page.click("#step-form button[value=done]")
        expect(page.locator(".msg-success")).to_contain_text("已办结")
        done += 1
    return done


def test_a_death_at_the_window_through_to_all_tasks_done(
    browser: Any, live_server: Any, world: Any, tmp_path: Any
) -> None:
    from playwright.sync_api import expect

    from minzheng.lifeevents.models import LifeEvent
    from minzheng.payments.models import Entitlement

    url = live_server.url
    window_ctx, window = _login(browser, url, "lizhen")
    window.goto(url + "/lifeevents/window/?kind=death&q=张建国")
    window.click("text=填写联办申请")
    _narrow(window)
    window.fill("#id_reporter_name", "李秀英")
    window.fill("#id_reporter_id_number", world.wife.id_number)
    window.fill("#id_reporter_phone", "13905745678")
    window.fill("#id_reporter_relation", "配偶")
    window.fill("#id_authorisation_no", "SQ-2026-0101")
    window.fill("#id_died_on", timezone.localdate().isoformat())
    window.check("#id_has_pension")
    window.screenshot(path=str(tmp_path / "window.png"), full_page=True)
    window.click("#event-form button")
    expect(window.locator(".msg-success")).to_contain_text("个部门事项已分派")
    _narrow(window)
    event = LifeEvent.objects.get(person=world.head)
    # The household's 低保 recomputed for two: (1181 − 0) × 2 = 236200 分, confirmed before the payroll.
    expect(window.locator("#benefits .amount")).to_contain_text("236200")
    window.click("#benefits button[value=apply]")
    expect(window.locator(".msg-success")).to_contain_text("已确认")
    assert Entitlement.objects.get(household=world.family, status="active").amount_fen == 236_200
    # The town office: its 民政 item and the replies of 公安 and 医保 (no accounts on the platform yet).
    assert _finish_inbox(window, url, "已办结（部门回执）") == 4
    for username, expected in (("sunshe", 3), ("yinzang", 2)):  # 人力社保, then the 殡仪馆
        ctx, page = _login(browser, url, username)
        assert _finish_inbox(page, url, "已办结") == expected
        ctx.close()
    event.refresh_from_db()
    assert event.case.status == "done" and event.notified_at is not None
    window.goto(url + f"/lifeevents/{event.pk}/")
    expect(window.locator("#stage")).to_have_text("全部办结")
    window_ctx.close()
    family_ctx = browser.new_context(viewport={"width": 390, "height": 844})
    family = family_ctx.new_page()
    family.goto(url + f"/lifeevents/family/{event.token}/")
    expect(family.locator("#stage")).to_have_text("全部办结")
    expect(family.locator("#progress")).to_have_text("9/9")
    expect(family.locator(".msg-success")).to_contain_text("已全部办结")
    _narrow(family)
    family.screenshot(path=str(tmp_path / "family.png"), full_page=True)
    family_ctx.close()  # closes Chromium's keep-alive connections before the live server stops
