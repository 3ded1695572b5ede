"""The rules pages in a real browser on a phone-sized screen (Debian /usr/bin/chromium, Playwright).

A 乡镇 officer opens a household: the 可享政策 panel arrives by htmx with the decision, the amount
to the fen and the Chinese explanation; after a batch, the 应享未享 worklist of the town and its
Excel export.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from minzheng.registry.models import Household
from minzheng.rules.tests.helpers_r2 import run_batch, with_car_fixture, world_fixture  # noqa: F401
from minzheng.testing import PASSWORD, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]  # fmt: skip


@pytest.fixture
def ready(with_car: dict[str, Household]) -> dict[str, Household]:
    """Data and the batch before Chromium starts: no ORM call runs under Playwright's event loop."""
    run_batch()
    return with_car


@pytest.fixture
def page(ready: dict[str, Household], live_server: Any) -> Iterator[Any]:
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # Playwright's loop and the ORM share this thread
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("缺少 /usr/bin/chromium：请执行 apt-get install -y chromium")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740}, accept_downloads=True)
        tab = context.new_page()
        tab.set_default_timeout(20_000)
        yield tab
        context.close()
        browser.close()


def test_panel_and_worklist(ready: dict[str, Household], page: Any, live_server: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    page.goto(live_server.url + "/")
    page.fill("#id_username", "lizhen")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/registry/households/{ready['poor'].pk}/")
    panel = page.locator("#eligibility")
    expect(panel).to_contain_text("最低生活保障")
    expect(panel).to_contain_text("3,543.00 元")
    expect(panel).to_contain_text("家庭月人均收入 0.00 元，低于当地低保标准 1181.00 元（鄞州区，2022-07-01 起）")
    expect(page.locator("#eligibility-missing")).to_contain_text("最低生活保障")

    nav_go(page, "应享未享")
    worklist = page.locator("#worklist")
    expect(worklist).to_contain_text("HQ-001")
    expect(worklist).to_contain_text("HQ-002")
    assert "HQ-003" not in worklist.inner_text()  # another town's household
    with page.expect_download() as info:
        page.click("text=导出 Excel")
    saved = tmp_path / "worklist.xlsx"
    info.value.save_as(saved)
    rows = list(openpyxl.load_workbook(saved).active.iter_rows(values_only=True))
    expect(page.locator("#worklist")).to_contain_text("HQ-001")  # the page is idle again
    assert {r[2] for r in rows[1:]} >= {"HQ-001", "HQ-002"} and "HQ-003" not in {r[2] for r in rows[1:]}
