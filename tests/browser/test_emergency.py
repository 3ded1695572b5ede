"""一键通 in a real browser: a terminal's alarm pops up on the 12349 console, climbs the ladder on
its timer in the scheduler thread (as `minzheng serve` runs it; the page only redraws), and the
operator closes it with an outcome."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.utils import timezone

from minzheng.eldercare.testing import make_elder
from minzheng.testing import PASSWORD, load_test_divisions, make_cast, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_alarm_escalates_on_the_console_and_closes(browser: Any, live_server: Any, settings: Any) -> None:
    from minzheng.emergency import services
    from minzheng.emergency.models import EscalationStep, Incident

    settings.EMERGENCY_RUNG_SECONDS = {"operator": 3}
    load_test_divisions()
    cast = make_cast()
    device = services.device_register(
        actor=cast.village_worker, elder=make_elder(), serial="YJT-9", installed_on=dt.date(2026, 1, 1)
    )
    services.alarm_receive(actor=None, kind="button", device=device, now=timezone.now())

    from minzheng.scheduler.services import start_scheduler_thread

    stop = threading.Event()
    ticker = start_scheduler_thread(stop=stop, idle_sleep=0.5)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        _console(context.new_page(), live_server.url, cast)
    finally:
        context.close()  # the console polls every 5 s: stop it before the live server goes away
        stop.set()
        ticker.join(10)
    incident = Incident.objects.get()
    assert incident.status == "closed" and incident.closed_by == cast.hotline_operator
    assert EscalationStep.objects.filter(incident=incident).count() == 2


def _console(page: Any, url: str, cast: Any) -> None:
    from playwright.sync_api import expect

    page.set_default_timeout(15_000)
    page.goto(url + "/")
    page.fill("#id_username", cast.hotline_operator.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    nav_go(page, "紧急呼叫")
    row = page.locator("#incidents tbody tr").first
    expect(row).to_contain_text("周阿婆")
    expect(row).to_contain_text("按键呼叫")
    # No reload: the scheduler climbs the ladder (every 10 s) and the console's poll redraws the row.
    expect(row).to_contain_text("通知家属", timeout=30_000)
    row.locator("a").click()
    expect(page.locator("h1")).to_contain_text("紧急呼叫")
    expect(page.locator("body")).to_contain_text("13905740002")  # the son, to dial
    expect(page.locator("table.cards")).to_contain_text("3 秒内未响应，自动升级")
    page.select_option("#id_outcome", "false_alarm")
    page.fill("#id_note", "老人误按")
    page.click("button:has-text('结束事件')")
    expect(page.locator("h1")).to_contain_text("已结束：误报")
