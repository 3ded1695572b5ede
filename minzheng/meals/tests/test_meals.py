"""老年助餐: subsidy from dated regional parameters, orders, hand-over, settlement to the fen, export."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.core.masking import mask_id_number
from minzheng.meals import services
from minzheng.meals.exports import settlement_export
from minzheng.meals.models import Canteen, MealOrder, Menu, Settlement
from minzheng.meals.subsidy import ParamMissingError, meal_subsidy
from minzheng.meals.testing import load_params, make_person
from minzheng.rules.selectors import param_resolve
from minzheng.testing import VILLAGE_A, Cast

DAY = dt.date(2026, 12, 2)
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(cast: Cast) -> dict[str, Any]:
    load_params()
    canteen = services.canteen_create(actor=cast.town_officer, name="合一村老年食堂", division_code=VILLAGE_A)
    canteen.staff.add(cast.provider)
    lunch = services.menu_publish(
        actor=cast.provider, canteen=canteen, date=DAY, meal="lunch", dishes="红烧肉、青菜、米饭", price_fen=1200
    )
    dinner = services.menu_publish(
        actor=cast.provider, canteen=canteen, date=DAY, meal="dinner", dishes="面条", price_fen=1000
    )
    people = {
        "old": make_person("钱老伯", "19450101", "011"),  # 81
        "dibao": make_person("孙阿姨", "19560301", "022", tags="低保"),  # 70, 低保
        "young": make_person("李大叔", "19700101", "031"),  # 56
    }
    return {"canteen": canteen, "lunch": lunch, "dinner": dinner, **people}


def place(world: dict[str, Any], who: str, meal: str, actor: Any, mode: str = "dine_in") -> MealOrder:
    return services.order_place(actor=actor, menu=world[meal], person=world[who], mode=mode, now=NOW)


def test_lanshan_values_from_the_seed(db: None) -> None:
    """岚山区 (371103): 5 元/人/天, free lunch from 75; through the real parameter resolution."""
    load_params()
    region = "371103100200"  # a village of 岚山区: resolution falls back to the county row
    args = {"statuses": set(), "region": region, "on": DAY, "resolve": param_resolve}
    free = meal_subsidy(age=75, meal="lunch", price_fen=1200, used_today_fen=0, **args)
    assert (free.subsidy_fen, free.pay_fen) == (1200, 0)
    assert "75 周岁以上免费午餐" in free.basis[0].text and free.basis[1].region == "371103"
    lunch = meal_subsidy(age=74, meal="lunch", price_fen=1200, used_today_fen=0, **args)
    assert (lunch.subsidy_fen, lunch.pay_fen) == (500, 700)
    assert "meals.subsidy.per_day = 5元/人/天（371103，2019-01-01 起" in lunch.basis[1].text
    later = meal_subsidy(age=74, meal="dinner", price_fen=800, used_today_fen=500, **args)
    assert (later.subsidy_fen, later.pay_fen) == (0, 800)
    young = meal_subsidy(age=59, meal="lunch", price_fen=1200, used_today_fen=0, **args)
    assert young.subsidy_fen == 0 and young.basis[0].text == "59 岁，未满 60 周岁，不享受助餐补贴"
    # Before 鄞州区's rows take effect, only the national defaults (no amount) apply.
    early = {**args, "region": "330212100201", "on": dt.date(2023, 12, 1)}
    before = meal_subsidy(age=80, meal="lunch", price_fen=1200, used_today_fen=0, **early)
    assert before.subsidy_fen == 0


def test_missing_parameters_are_named(db: None) -> None:
    with pytest.raises(
        ParamMissingError, match=r"参数“meals\.min_age”在地区 330212100201 于 2026-12-02 没有生效的取值"
    ):
        meal_subsidy(age=80, statuses=set(), meal="lunch", price_fen=1, used_today_fen=0, region="330212100201",
                     on=DAY, resolve=param_resolve)  # fmt: skip


def test_orders_spend_the_daily_allowance_and_status_adds(world: dict[str, Any], cast: Cast) -> None:
    worker = cast.village_worker
    dibao_lunch = place(world, "dibao", "lunch", worker)
    assert (dibao_lunch.subsidy_fen, dibao_lunch.pay_fen) == (800, 400)  # 5 元 + 低保 3 元 (demo values, 鄞州区)
    assert dibao_lunch.basis[0]["text"].startswith("70 岁，低保对象，每日补贴 8.00 元")
    assert place(world, "dibao", "dinner", worker).subsidy_fen == 0
    old_lunch = place(world, "old", "lunch", worker)
    assert (old_lunch.subsidy_fen, old_lunch.pay_fen) == (1200, 0)  # free lunch, outside the allowance
    old_dinner = place(world, "old", "dinner", worker, mode="delivery")
    assert (old_dinner.subsidy_fen, old_dinner.pay_fen) == (500, 500)
    assert place(world, "young", "lunch", worker).subsidy_fen == 0
    with pytest.raises(services.MealsError, match="孙阿姨 已订 2026-12-02 午餐"):
        place(world, "dibao", "lunch", worker)
    # Cancelling gives the allowance back to the day.
    services.order_cancel(actor=worker, order=dibao_lunch, reason="住院")
    again = place(world, "dibao", "lunch", worker)
    assert again.subsidy_fen == 800
    assert AuditEvent.objects.filter(object_type="meals_order").count() == 7


def test_settlement_to_the_fen_approval_and_export(world: dict[str, Any], cast: Cast, settings: Any) -> None:
    staff = cast.provider
    orders = [
        place(world, w, m, cast.village_worker) for w, m in (("dibao", "lunch"), ("old", "lunch"), ("old", "dinner"))
    ]
    place(world, "young", "lunch", cast.village_worker)  # never handed out: not settled
    for o in orders:
        services.order_hand_over(actor=staff, order=o, now=NOW)
    with pytest.raises(services.MealsError, match="状态为已取餐"):
        services.order_hand_over(actor=staff, order=orders[0], now=NOW)
    s = services.settlement_build(actor=cast.town_officer, canteen=world["canteen"], month=DAY, now=NOW)
    assert (s.meals, s.persons, s.price_fen, s.subsidy_fen, s.pay_fen) == (3, 2, 3400, 2500, 900)
    with pytest.raises(services.MealsError, match="审核人不能是生成结算单的人"):
        services.settlement_approve(actor=cast.town_officer, settlement=s, now=NOW)
    services.settlement_approve(actor=cast.county_approver, settlement=s, now=NOW)
    with pytest.raises(services.MealsError, match="已审核，不能重新生成"):
        services.settlement_build(actor=cast.town_officer, canteen=world["canteen"], month=DAY, now=NOW)
    path = settlement_export(actor=cast.county_approver, settlement=s)
    book = openpyxl.load_workbook(path)
    summary = {r[0]: r[1] for r in book["结算汇总"].iter_rows(values_only=True)}
    assert summary["补贴（分）"] == 2500 and summary["应付补贴（元）"] == 25
    rows = list(book["明细"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 3 and {r[3] for r in rows} == {mask_id_number(world[w].id_number) for w in ("dibao", "old")}
    assert not any(world["dibao"].id_number in str(c) for r in rows for c in r)
    assert AuditEvent.objects.filter(object_type="meals_settlement", action="export").count() == 1


def test_price_is_fixed_once_ordered(world: dict[str, Any], cast: Cast) -> None:
    place(world, "old", "dinner", cast.village_worker)
    with pytest.raises(services.MealsError, match="已有人订餐，不能再改价格"):
        services.menu_publish(
            actor=cast.provider, canteen=world["canteen"], date=DAY, meal="dinner", dishes="面条", price_fen=1100
        )
    services.menu_publish(
        actor=cast.provider, canteen=world["canteen"], date=DAY, meal="dinner", dishes="鸡汤面", price_fen=1000
    )
    assert Menu.objects.get(pk=world["dinner"].pk).dishes == "鸡汤面"


def streamed(response: Any) -> bytes:
    data = b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return data


def test_pages_by_role_and_jurisdiction(world: dict[str, Any], cast: Cast) -> None:
    canteen: Canteen = world["canteen"]
    url = f"/meals/canteens/{canteen.pk}/"
    worker = client_for(cast.village_worker)
    page = worker.post(
        f"{url}orders/",
        {"id_number": world["dibao"].id_number, "date": "2026-12-02", "meal": "lunch", "mode": "delivery"},
    )
    assert page.status_code == 302, page.content.decode()
    html = worker.get(f"{url}?day=2026-12-02").content.decode()
    assert "孙阿姨" in html and "8.00" in html and "4.00" in html and mask_id_number(world["dibao"].id_number) in html
    assert world["dibao"].id_number not in html
    bad = worker.post(
        f"{url}orders/", {"id_number": world["old"].id_number, "date": "2026-12-03", "meal": "lunch", "mode": "dine_in"}
    )
    assert "合一村老年食堂 未发布 2026-12-03 的该餐次菜单" in bad.content.decode()
    # The canteen's staff hand out; a 村 worker cannot; a neighbouring town sees nothing.
    order = MealOrder.objects.get(person=world["dibao"])
    assert worker.post(f"/meals/orders/{order.pk}/hand-over/").status_code == 404
    assert client_for(cast.provider).post(f"/meals/orders/{order.pk}/hand-over/").status_code == 302
    assert MealOrder.objects.get(pk=order.pk).status == "delivered"
    for outsider in (cast.other_town_officer, cast.auditor, cast.caregiver):
        assert client_for(outsider).get(url).status_code == 404
    assert client_for(cast.other_town_officer).get("/meals/").content.decode().count("合一村老年食堂") == 0
    menu = client_for(cast.provider).post(
        f"{url}menus/", {"date": "2026-12-03", "meal": "lunch", "dishes": "鱼", "price": "11.50"}
    )
    assert menu.status_code == 302 and Menu.objects.get(date="2026-12-03").price_fen == 1150
    town = client_for(cast.town_officer)
    built = town.post("/meals/settlements/", {"canteen": canteen.pk, "month": "2026-12"})
    settlement = Settlement.objects.get()
    assert built["Location"] == f"/meals/settlements/{settlement.pk}/" and settlement.subsidy_fen == 800
    assert client_for(cast.county_approver).post(f"/meals/settlements/{settlement.pk}/approve/").status_code == 302
    xlsx = streamed(client_for(cast.provider).get(f"/meals/settlements/{settlement.pk}/export/"))
    assert openpyxl.load_workbook(io.BytesIO(xlsx))["结算汇总"]["B9"].value == 800
    assert client_for(cast.other_town_officer).get(f"/meals/settlements/{settlement.pk}/").status_code == 404
