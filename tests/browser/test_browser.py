"""The pages that matter, in a real browser on a phone-sized screen.

A 乡镇 officer logs in, searches, opens a person (masked number), imports a file with a bad row,
watches the job reach 已完成 and downloads the rejects file; then a queued job's page is watched
while htmx polls it, and the job is run between two polls.
"""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path
from typing import Any

import pytest

from minzheng.testing import PASSWORD, load_test_divisions, make_cast, make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BAD_ROW_FILE = (
    "姓名,公民身份号码,户编号,与户主关系,现住址区划代码\n"
    "王好,330212197803154439,W1,户主,330212100206\n"
    "王错,330212197803154431,W2,户主,330212100206\n"
)


@pytest.fixture
def phone(browser: Any, live_server: Any, settings: Any) -> Any:
    """A logged-out phone-sized page on the live server, with the town officer's county loaded."""
    # The web path proper: the upload starts a thread (run inline only where the database is
    # in-memory SQLite, which another thread cannot share; see jobs.services).
    settings.JOBS_INLINE = False
    load_test_divisions()
    cast = make_cast()
    make_household()
    context = browser.new_context(viewport={"width": 360, "height": 740}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.cast = cast
    yield page
    context.close()  # closes Chromium's keep-alive connections before the live server stops


def log_in(page: Any, url: str) -> None:
    page.goto(url + "/")
    page.fill("#id_username", "lizhen")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")


def test_caseworker_day(phone: Any, live_server: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page = phone
    log_in(page, live_server.url)
    expect(page.locator("h1")).to_have_text("浙江省宁波市鄞州区瞻岐镇")
    expect(page.locator(".who span")).to_have_text("李镇 · 乡镇（街道）民政办")

    page.fill("#q", "张建")
    page.click("button:has-text('查询')")
    page.click("a:text('张建国')")
    expect(page.locator("#id-number")).to_have_text(re.compile(r"^3302\*{10}4412$"))
    assert "330212197803154412" not in page.content()

    upload = tmp_path / "村里.csv"
    upload.write_text(BAD_ROW_FILE, encoding="utf-8-sig")
    page.click("text=数据导入")
    page.set_input_files("#id_file", str(upload))
    page.click("text=上传并导入")
    expect(page.locator("#job-status")).to_have_text("已完成", timeout=60_000)  # the job is slow on a loaded machine
    expect(page.locator("#job-result")).to_contain_text("拒收1")
    expect(page.locator("#progress [role=progressbar]")).to_have_attribute("aria-valuenow", "100")
    with page.expect_download() as info:
        page.click("text=下载错误行")
    saved = tmp_path / "rejects.csv"
    info.value.save_as(saved)
    with saved.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][1:3] == ["王错", "330212197803154431"]
    assert rows[1][-1] == "公民身份号码：校验位错误（应为 9）"
    page.screenshot(path=os.environ.get("MINZHENG_SCREENSHOT", str(tmp_path / "job.png")), full_page=True)


def test_job_page_polls_until_done(phone: Any, live_server: Any, tmp_path: Path) -> None:
    """The progress card replaces itself every second while the job is queued, and stops when done."""
    from playwright.sync_api import expect

    from minzheng.jobs.services import job_enqueue, job_run_now

    page = phone
    upload = tmp_path / "村里.csv"
    upload.write_text(BAD_ROW_FILE, encoding="utf-8-sig")
    job = job_enqueue(
        kind="registry.import_residents",
        params={"path": str(upload), "original_name": upload.name},
        actor=page.cast.town_officer,
    )
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(page.locator("#job-status")).to_have_text("排队中")

    def is_poll(response: Any) -> bool:
        return response.url.endswith(f"/jobs/{job.pk}/") and response.request.headers.get("hx-request") == "true"

    with page.expect_response(is_poll) as poll:
        pass
    assert "排队等待…" in poll.value.text()
    # Run it right after a poll answered: the server is idle for the next second, so the
    # test thread's database work cannot interleave with a request's (they may share one
    # in-memory SQLite connection).
    assert job_run_now(job).status == "done"
    expect(page.locator("#job-status")).to_have_text("已完成", timeout=3_000)
    expect(page.locator("#job-result")).to_contain_text("接收1")
    assert page.locator("#progress[hx-trigger]").count() == 0  # polling stopped
