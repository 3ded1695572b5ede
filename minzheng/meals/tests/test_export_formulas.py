"""Formula injection: a planted diner's or canteen's name comes out of the monthly settlement inert."""

from __future__ import annotations

from typing import Any

import openpyxl
import pytest

from minzheng.core.tests.test_sheets import FORMULAS, assert_inert_xlsx, assert_number
from minzheng.meals import services
from minzheng.meals.exports import settlement_export
from minzheng.meals.models import Canteen, Settlement
from minzheng.meals.tests.test_meals import DAY, NOW, place, world  # noqa: F401  (world is a fixture)
from minzheng.registry.models import Person
from minzheng.testing import Cast


@pytest.mark.parametrize("payload", FORMULAS)
def test_settlement_export_writes_planted_names_as_text(
    world: dict[str, Any],  # noqa: F811
    cast: Cast,
    payload: str,
) -> None:
    order = place(world, "dibao", "lunch", cast.village_worker)
    services.order_hand_over(actor=cast.provider, order=order, now=NOW)
    Person.objects.filter(pk=world["dibao"].pk).update(name=payload)
    Canteen.objects.filter(pk=world["canteen"].pk).update(name=payload + "食堂")
    built = services.settlement_build(actor=cast.town_officer, canteen=world["canteen"], month=DAY, now=NOW)
    settlement = Settlement.objects.select_related("canteen").get(pk=built.pk)
    book = openpyxl.load_workbook(settlement_export(actor=cast.county_approver, settlement=settlement))
    summary, detail = book["结算汇总"], book["明细"]
    assert_inert_xlsx(summary["B1"], payload + "食堂")  # 助餐点
    assert_number(summary["B6"], 12) and assert_number(summary["B9"], 800)  # 元 and 分 stay numbers
    assert summary["B6"].number_format == "0.00" and summary["A1"].font.b
    assert [c.value for c in detail[1]][:3] == ["日期", "餐次", "姓名"]
    assert_inert_xlsx(detail["C2"], payload)
    assert_number(detail["F2"], 12) and assert_number(detail["G2"], 8) and assert_number(detail["H2"], 4)
    assert detail["G2"].number_format == "0.00"
