"""部门数据 in a real browser: a 核对中心 user uploads a GB18030 feed, sees the job finish, gets the rejects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from minzheng.testing import PASSWORD, load_test_divisions, make_cast, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROWS = [
    "公民身份号码,姓名,号牌号码,车辆类型,初次登记日期,车辆价值",
    "330212195403154414,张三,浙B12345,小型轿车,2020-03-01,86000.00",
    "３３０２１２１９８００４２２６０２３,李　四,浙B54321,轻型货车,2021/5/6,12.5万",
]


def test_verification_center_uploads_a_feed(browser: Any, live_server: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from minzheng.verification.models import FeedDelivery

    load_test_divisions()
    make_cast()
    upload = tmp_path / "vehicle_2026-12-01.csv"
    upload.write_bytes(("\r\n".join(ROWS) + "\r\n").encode("gb18030"))
    context = browser.new_context(viewport={"width": 360, "height": 740}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "hedui")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        nav_go(page, "部门数据")
        expect(page.locator("h1")).to_have_text("部门数据")
        page.select_option("#id_feed_id", "vehicle")
        page.set_input_files("#id_file", str(upload))
        page.click("button:has-text('上传并导入')")
        expect(page.locator("#job-status")).to_have_text("已完成", timeout=60_000)  # slow job on a loaded machine
        expect(page.locator("#job-result")).to_contain_text("接收")
        with page.expect_download() as download:
            page.click("text=下载错误行")
        body = Path(download.value.path()).read_text(encoding="utf-8-sig")
        assert "车辆价值：“12.5万”不是有效金额" in body
        page.click("text=返回部门数据")
        expect(page.locator("#feed-deliveries")).to_contain_text("vehicle_2026-12-01.csv")
    finally:
        context.close()
    delivery = FeedDelivery.objects.get()
    assert (delivery.rows, delivery.accepted, delivery.rejected, delivery.encoding) == (2, 1, 1, "gb18030")
