"""匹配复核 in a real browser: a 核对中心 user confirms one candidate and rejects another."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.testing import PASSWORD, load_test_divisions, make_cast, make_household, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verification_center_reviews_candidates(browser: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    from minzheng.audit.models import AuditEvent
    from minzheng.verification.models import MatchCandidate

    load_test_divisions()
    make_cast()
    _, people = make_household()
    made = [
        MatchCandidate.objects.create(
            feed_id="death",
            as_of=dt.date(2026, 6, 1),
            row=row,
            row_name=name,
            row_id_raw="",
            row_facts={"死亡日期": "2026-03-02"},
            person=person,
            division_code=person.division_code,
            match_weight=weight,
            match_probability=0.3,
            evidence="姓名同音",
        )
        for row, name, person, weight in ((4, "章建国", people[0], -1.1), (7, "李秀瑛", people[1], -2.0))
    ]
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "hedui")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        nav_go(page, "匹配复核")
        expect(page.locator("h1")).to_have_text("匹配复核")
        first = page.locator(f"#candidate-{made[0].pk}")
        expect(first).to_contain_text("章建国")
        expect(first).to_contain_text("张建国")
        first.locator("input[name=reason]").fill("电话核实为本人")
        first.locator("button:has-text('确认')").click()
        expect(page.locator(".msg")).to_contain_text("已确认")
        expect(page.locator(f"#candidate-{made[0].pk}")).to_have_count(0)  # gone from 待确认
        page.locator(f"#candidate-{made[1].pk} button:has-text('否定')").click()
        expect(page.locator(".msg")).to_contain_text("已否定")
        expect(page.locator("body")).to_contain_text("没有“待确认”的匹配候选")
    finally:
        context.close()
    statuses = dict(MatchCandidate.objects.values_list("row", "status"))
    assert statuses == {4: "confirmed", 7: "rejected"}
    assert AuditEvent.objects.filter(action="verification.match_confirm", reason="电话核实为本人").count() == 1


def test_bulk_confirm_on_a_phone(browser: Any, live_server: Any) -> None:
    """Issue 9: preview how many candidates a 把握度 step takes, type a reason, confirm them at once."""
    import os

    from playwright.sync_api import expect

    from minzheng.audit.models import AuditEvent
    from minzheng.verification.models import MatchCandidate

    load_test_divisions()
    make_cast()
    _, people = make_household()
    for row, person, weight in ((4, people[0], 12.0), (5, people[1], 11.0), (6, people[2], 2.0)):
        MatchCandidate.objects.create(
            feed_id="cremation",
            as_of=dt.date(2026, 6, 1),
            row=row,
            row_name=person.name,
            row_id_raw="",
            row_facts={"死亡日期": "2026-03-02"},
            person=person,
            division_code=person.division_code,
            match_weight=weight,
            match_probability=1 / (1 + 2**-weight),
            evidence="姓名一致，出生日期一致",
        )
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "hedui")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        nav_go(page, "匹配复核")
        expect(page.locator(".match-candidate h2").first).to_contain_text("民政 殡葬（遗体火化）")
        expect(page.locator(".match-candidate h2").first).to_contain_text("匹配把握度 很高")
        page.select_option("#bulk", "very_high")
        page.click("text=预览条数")
        expect(page.locator("#bulk-count")).to_contain_text("共 2 条可批量确认")
        page.fill("#bulk-reason", "抽查两条均为本人")
        if os.environ.get("MZ_SCREENSHOTS"):
            page.screenshot(path=os.path.join(os.environ["MZ_SCREENSHOTS"], "match-bulk.png"), full_page=True)
        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
        page.click("#bulk-submit")
        expect(page.locator(".msg")).to_contain_text("已批量确认 2 条（把握度很高及以上）")
    finally:
        context.close()
    assert dict(MatchCandidate.objects.values_list("row", "status")) == {4: "confirmed", 5: "confirmed", 6: "pending"}
    assert AuditEvent.objects.filter(action="verification.match_confirm").count() == 2
    assert AuditEvent.objects.filter(action="verification.match_confirm_bulk").count() == 1
