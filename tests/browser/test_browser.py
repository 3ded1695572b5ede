"""The pages that matter, in a real browser: log in, search, open a person, import with a bad row."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import pytest

from minzheng.testing import PASSWORD, load_test_divisions, make_cast, make_household

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_caseworker_day(browser, live_server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    load_test_divisions()
    make_cast()
    make_household()
    context = browser.new_context(viewport={"width": 390, "height": 844}, accept_downloads=True)  # a phone
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(live_server.url + "/")
    page.fill("#id_username", "lizhen")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("浙江省宁波市鄞州区瞻岐镇")

    page.fill("#q", "张建")
    page.click("button:has-text('查询')")
    page.click("a:text('张建国')")
    expect(page.locator("#id-number")).to_have_text(re.compile(r"^3302\*{10}4412$"))
    assert "330212197803154412" not in page.content()

    upload = tmp_path / "村里.csv"
    upload.write_text(
        "姓名,公民身份号码,户编号,与户主关系,现住址区划代码\n"
        "王好,330212197803154439,W1,户主,330212100206\n"
        "王错,330212197803154431,W2,户主,330212100206\n",
        encoding="utf-8-sig",
    )
    page.click("text=数据导入")
    page.set_input_files("#id_file", str(upload))
    page.click("text=上传并导入")
    expect(page.locator("#job-status")).to_have_text("已完成")
    expect(page.locator("#job-result")).to_contain_text("拒收")
    with page.expect_download() as info:
        page.click("text=下载错误行")
    saved = tmp_path / "rejects.csv"
    info.value.save_as(saved)
    with saved.open(encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[1][1:3] == ["王错", "330212197803154431"]
    assert rows[1][-1].startswith("公民身份号码：校验位错误")
    page.screenshot(path=os.environ.get("MINZHENG_SCREENSHOT", str(tmp_path / "job.png")), full_page=True)
    context.close()  # closes Chromium's keep-alive connections before the live server stops
