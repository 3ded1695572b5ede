"""A village worker signs for relief materials on a phone (390×844): the distribution page, the name, a
signature drawn on the pad (the page's own script under the CSP), and the receipt with its image; no page
scrolls sideways."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from minzheng.testing import COUNTY, PASSWORD, VILLAGE_A, load_test_divisions, make_cast

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dist(live_server: Any) -> Any:
    from minzheng.disaster import services_stock as stock
    from minzheng.disaster.models import Item, Warehouse

    load_test_divisions()
    cast = make_cast()
    house = Warehouse.objects.create(code="YZ-01", name="鄞州区救灾物资储备库", division_code=COUNTY)
    quilt = Item.objects.create(code="MB", name="棉被", unit="床")
    stock.lot_receive(house, quilt.pk, batch_no="A", quantity=50, received_on=timezone.localdate(), expires_on=None,
                      source="采购", actor=cast.disaster_officer)  # fmt: skip
    return stock.distribution_issue(
        house, VILLAGE_A, [stock.Line(quilt.pk, 20)], event=None, actor=cast.disaster_officer
    )


def test_a_village_worker_signs_for_materials_on_a_phone(browser: Any, live_server: Any, dist: Any) -> None:
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844})
    phone = context.new_page()
    phone.set_default_timeout(10_000)
    errors: list[str] = []
    # Script errors and failed responses, except the browser's own favicon request (the site has none).
    phone.on(
        "console", lambda m: errors.append(m.text) if m.type == "error" and "load resource" not in m.text else None
    )
    phone.on("response", lambda r: errors.append(r.url) if r.status >= 400 and "favicon" not in r.url else None)
    phone.goto(live_server.url + "/")
    phone.fill("#id_username", "wangcun")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_selector(".who")
    phone.goto(live_server.url + f"/disaster/distributions/{dist.pk}/")
    expect(phone.locator("table")).to_contain_text("棉被")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.fill("#received_by", "王村")
    phone.click("text=确认签收")  # no ink yet: the page asks for a signature and posts nothing
    expect(phone.locator("#sign-hint")).to_have_text("请在签名框内签字")
    box = phone.locator("#pad").bounding_box()
    phone.mouse.move(box["x"] + 20, box["y"] + 80)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(box["x"] + 20 + step * 22, box["y"] + 80 + (-1) ** step * 25)
    phone.mouse.up()
    phone.click("text=确认签收")
    expect(phone.locator(".msg-success")).to_contain_text("已签收")
    dist.refresh_from_db()
    assert dist.received_by == "王村" and dist.signature is not None
    # Polled from here: Playwright's wait_for_function evaluates a string in the page, which the CSP forbids.
    for _ in range(50):
        if phone.evaluate("document.querySelector('img[alt=签名]').complete"):
            break
        phone.wait_for_timeout(100)
    assert phone.evaluate("document.querySelector('img[alt=签名]').naturalWidth") == 340
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert not errors, errors
    context.close()  # closes Chromium's keep-alive connections before the live server stops
