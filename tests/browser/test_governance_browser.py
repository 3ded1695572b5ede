"""A village worker closes an overdue 阳光报告会 question on a phone (390×844): the ledger shows it overdue, the
answer is recorded, the asker's confirmation closes it (销号); the public board and the 信用+ page fit the
screen (no page scrolls sideways)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from minzheng.testing import PASSWORD, VILLAGE_A, load_test_divisions, make_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SHOTS = None  # a directory path keeps the board's screenshot for a look


@pytest.fixture
def question(live_server: Any) -> Any:
    from minzheng.governance import services_questions as ledger

    load_test_divisions()
    cast = make_cast()
    w = cast.village_worker
    held = timezone.localdate() - dt.timedelta(days=30)
    meeting = ledger.meeting_create(
        division_code=VILLAGE_A, held_on=held, place="村文化礼堂", reporter="村委会主任", attendance=80,
        report="三务三资", actor=w,
    )  # fmt: skip
    text = "村西闲置地租金收了没有？"
    q = ledger.question_record(meeting, category="resources", text=text, asker_name="李某", actor=w)
    return ledger.question_assign(q, assignee_kind="department", assignee="镇农办", days=5, on=held, actor=w)


def _fits(page: Any) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_village_worker_closes_an_overdue_question_on_a_phone(
    browser: Any, live_server: Any, question: Any, tmp_path: Any
) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    phone.goto(live_server.url + "/")
    phone.fill("#id_username", "wangcun")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_selector(".who")
    phone.goto(live_server.url + "/governance/questions/?show=overdue")
    expect(phone.locator("tr.late")).to_contain_text("村西闲置地租金")
    _fits(phone)
    phone.click("tr.late a")
    expect(phone.locator(".tag-red")).to_contain_text("逾期")
    phone.fill("#id_answer", "租金 1.2 万元已于上月入账，凭证在公开栏")
    phone.locator("form[action$='/answer/'] button").click()
    expect(phone.locator(".msg-success")).to_contain_text("答复：已办理")
    phone.select_option("#id_way", "phone")
    phone.screenshot(path=str(tmp_path / "question.png"), full_page=True)
    _fits(phone)
    phone.locator("form[action$='/confirm/'] button").click()
    expect(phone.locator(".msg-success")).to_contain_text("销号：已办理")
    question.refresh_from_db()
    assert (question.status, question.confirmation) == ("closed", "电话回访确认：满意")
    for page in ("/governance/credit/", "/governance/topics/", f"/gongkai/{VILLAGE_A}/"):
        phone.goto(live_server.url + page)
        _fits(phone)
    expect(phone.locator("h1")).to_contain_text("公开栏")
    assert "李某" not in phone.content()
    if SHOTS:
        phone.screenshot(path=f"{SHOTS}/board.png", full_page=True)
    context.close()  # closes Chromium's keep-alive connections before the live server stops
