"""批量复核 and 核对工作清单 in a real browser: a 核对中心 user starts a batch and settles a death finding's 待办."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from minzheng.testing import PASSWORD, load_test_divisions, make_cast, nav_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AS_OF = dt.date(2026, 11, 1)


def _county(root: Path) -> None:
    from minzheng.demo.feeds import HEADERS, feed_path, write_feeds
    from minzheng.demo.generator import write_residents_file
    from minzheng.registry.importing import residents_import
    from minzheng.verification.engine.ingest import ingest_file
    from minzheng.verification.engine.store import FeedStore

    residents = root / "居民.csv"
    write_residents_file(residents, persons=900, seed=23)
    write_feeds(residents, root / "feeds", as_of=AS_OF, seed=23)
    store = FeedStore(root / "feeds_dir" / "store")
    for feed in HEADERS:
        ingest_file(feed, feed_path(root / "feeds", feed, AS_OF), AS_OF, store)
    residents_import(path=residents, actor=None)


def test_batch_then_worklist(browser: Any, live_server: Any, settings: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    from minzheng.workitems.models import WorkItem

    load_test_divisions()
    make_cast()
    _county(tmp_path)
    settings.FEEDS_DIR = tmp_path / "feeds_dir"
    context = browser.new_context(viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(live_server.url + "/")
        page.fill("#id_username", "hedui")
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        nav_go(page, "批量复核")
        expect(page.locator("h1")).to_have_text("批量复核")
        page.fill("#as_of", AS_OF.isoformat())
        page.click("#start-batch")
        expect(page.locator(".msg")).to_contain_text("已启动批量复核")
        expect(page.locator("#runs .run-status").first).to_contain_text("已完成")
        nav_go(page, "核对工作清单")
        page.select_option("#kind", "new_death")
        page.click("button:has-text('筛选')")
        item = WorkItem.objects.filter(source="verification_worklist", kind="new_death").order_by("id").first()
        assert item is not None
        row = page.locator(f"#item-{item.pk}")
        expect(row).to_contain_text("死亡日期")
        row.locator("input[name=resolution]").fill("已核实，停发")
        row.locator("button:has-text('办结')").click()
        expect(page.locator(".msg")).to_contain_text("已处理")
        expect(page.locator(f"#item-{item.pk}")).to_have_count(0)  # back on the filtered list of open ones
        page.select_option("#status", "resolved")
        page.click("button:has-text('筛选')")
        expect(page.locator(f"#item-{item.pk}")).to_contain_text("已核实，停发")
        page.screenshot(path=str(tmp_path / "worklist.png"), full_page=True)
        item.refresh_from_db()
        assert item.status == "resolved" and item.resolution == "已核实，停发"
    finally:
        context.close()
