"""Issue 9 item 10: pages work under the Content-Security-Policy, and polling says it polls.

The policy forbids inline scripts; a page that relied on one would log a CSP violation in the
console and lose its behaviour. The 12349 console's poll carries X-Minzheng-Poll, so it does not
keep an idle session alive.
"""

from __future__ import annotations

from typing import Any

import pytest

from minzheng.testing import PASSWORD, load_test_divisions, make_cast, make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Any, url: str, username: str) -> None:
    page.goto(url + "/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(url + "/")


def test_pages_run_under_the_policy_and_polls_are_marked(browser: Any, live_server: Any) -> None:
    from playwright.sync_api import expect

    load_test_divisions()
    make_cast()
    make_household()
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        violations: list[str] = []
        page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
        log_in(page, live_server.url, "lizhen")
        page.goto(live_server.url + "/registry/")
        assert page.evaluate("typeof htmx") == "object"  # the vendored script runs
        page.fill("#q", "张建")
        page.click("button:has-text('查询')")
        expect(page.locator("a:text('张建国')")).to_be_visible()
        page.goto(live_server.url + "/accounts/password/")
        expect(page.locator("h1")).to_have_text("修改密码")
        page.click("button.link")  # 退出
        log_in(page, live_server.url, "rexian")
        with page.expect_request(lambda r: r.url.endswith("/emergency/poll/"), timeout=15_000) as poll:
            page.goto(live_server.url + "/emergency/")
        assert poll.value.headers.get("x-minzheng-poll") == "1"  # htmx polls under the policy
        assert poll.value.headers.get("x-csrftoken")  # the body's CSRF header still merges in
        assert violations == []
    finally:
        context.close()
