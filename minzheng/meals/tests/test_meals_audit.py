"""Every meals page that shows who eats where, or what is paid for whom, leaves an audit row."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from minzheng.audit.models import AuditEvent
from minzheng.meals import services
from minzheng.meals.models import Canteen, Settlement
from minzheng.meals.testing import load_params, make_person
from minzheng.meals.tests.test_meals import streamed
from minzheng.testing import VILLAGE_A, Cast

DAY = dt.date(2026, 12, 2)
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def served(cast: Cast) -> Settlement:
    """One canteen, one lunch handed out, the month's settlement built."""
    load_params()
    canteen = services.canteen_create(actor=cast.town_officer, name="合一村老年食堂", division_code=VILLAGE_A)
    canteen.staff.add(cast.provider)
    menu = services.menu_publish(
        actor=cast.provider, canteen=canteen, date=DAY, meal="lunch", dishes="青菜、米饭", price_fen=1200
    )
    person = make_person("钱老伯", "19450101", "011")
    order = services.order_place(actor=cast.town_officer, menu=menu, person=person, mode="dine_in", now=NOW)
    services.order_hand_over(actor=cast.provider, order=order, now=NOW)
    return services.settlement_build(actor=cast.town_officer, canteen=canteen, month=DAY.replace(day=1), now=NOW)


def _get(user: Any, url: str) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(url, REMOTE_ADDR="10.1.2.3")


def _views(user: Any) -> list[tuple[str, str, str]]:
    rows = AuditEvent.objects.filter(actor=user, action=AuditEvent.Action.VIEW).order_by("seq")
    return list(rows.values_list("object_type", "object_id", "client_ip"))


def test_canteen_list_and_day_orders_are_audited(cast: Cast, served: Settlement) -> None:
    canteen: Canteen = served.canteen
    assert _get(cast.town_officer, reverse("meals:canteens")).status_code == 200
    page = _get(cast.town_officer, reverse("meals:canteen", args=[canteen.pk]) + f"?day={DAY}")
    assert page.status_code == 200 and "钱老伯" in page.content.decode()
    assert _views(cast.town_officer) == [
        ("meals_canteen", "", "10.1.2.3"),
        ("meals_canteen", str(canteen.pk), "10.1.2.3"),
    ]
    day_view = AuditEvent.objects.filter(actor=cast.town_officer, object_id=str(canteen.pk)).latest("seq")
    assert day_view.summary == "查看 合一村老年食堂 2026-12-02 订餐名单（1 份）"


def test_settlement_list_detail_and_export_are_audited(cast: Cast, served: Settlement) -> None:
    for name in ("meals:settlements", "meals:settlement", "meals:export"):
        args = [] if name == "meals:settlements" else [served.pk]
        response = _get(cast.county_approver, reverse(name, args=args))
        assert response.status_code == 200
    streamed(response)  # the export is a FileResponse: close its file
    rows = AuditEvent.objects.filter(actor=cast.county_approver).order_by("seq")
    assert list(rows.values_list("action", "object_type", "object_id")) == [
        ("view", "meals_settlement", ""),
        ("view", "meals_settlement", str(served.pk)),
        ("export", "meals_settlement", str(served.pk)),
    ]
    assert "合一村老年食堂 2026年12月 助餐结算（1 人）" in rows[1].summary


def test_an_implausible_day_shows_today_with_a_chinese_message(cast: Cast, served: Settlement) -> None:
    """0001-01-01 used to overflow the week arithmetic (a 500)."""
    page = _get(cast.town_officer, reverse("meals:canteen", args=[served.canteen_id]) + "?day=0001-01-01")
    assert page.status_code == 200
    assert "超出可处理的范围" in page.content.decode()
