"""The in-memory parameter source: region fallback, dated values, the pre-resolved batch table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.rules.engine import ParamMissing, TableParamSource, YamlParamSource, params_table
from minzheng.rules.engine.evaluate import EvaluationError, typed_value
from minzheng.rules.engine.params import region_chain
from minzheng.rules.engine.units import parse_unit

SOURCE = YamlParamSource.from_mapping(
    {
        "dibao.standard": {
            "description": "最低生活保障标准",
            "unit": "元/人/月",
            "values": [
                {"region": "33", "from": dt.date(2020, 1, 1), "value": 900, "reference": "省"},
                {"region": "330212", "from": dt.date(2022, 7, 1), "value": 1181, "reference": "鄞州区 2022"},
                {"region": "330212000000", "from": dt.date(2024, 7, 1), "value": "1210.5", "reference": "鄞州区 2024"},
                {"region": "330212001", "from": dt.date(2023, 1, 1), "value": 1300, "reference": "下应街道"},
            ],
        }
    }
)


def test_region_chain_village_to_national() -> None:
    assert region_chain("330212001005") == ["330212001005", "330212001", "330212", "3302", "33", ""]
    assert region_chain("330212000000") == ["330212", "3302", "33", ""]


@pytest.mark.parametrize(
    ("region", "as_of", "value", "source_region", "since"),
    [
        ("330212002001", dt.date(2022, 6, 30), 900, "33", dt.date(2020, 1, 1)),  # county not yet in force
        ("330212002001", dt.date(2022, 7, 1), 1181, "330212", dt.date(2022, 7, 1)),
        ("330212002001", dt.date(2025, 1, 1), Decimal("1210.5"), "330212", dt.date(2024, 7, 1)),  # latest
        ("330212001005", dt.date(2025, 1, 1), 1300, "330212001", dt.date(2023, 1, 1)),  # the town wins
        ("330411002001", dt.date(2025, 1, 1), 900, "33", dt.date(2020, 1, 1)),  # another county: province
    ],
)
def test_resolution(region: str, as_of: dt.date, value: object, source_region: str, since: dt.date) -> None:
    pv = SOURCE("dibao.standard", region, as_of)
    assert (pv.value, pv.region_code, pv.effective_from, pv.unit) == (value, source_region, since, "元/人/月")


def test_nothing_in_force() -> None:
    with pytest.raises(ParamMissing) as info:
        SOURCE("dibao.standard", "110101001001", dt.date(2025, 1, 1))
    assert str(info.value) == "参数“dibao.standard”在地区 110101001001 于 2025-01-01 没有生效的取值"


def test_table_round_trip() -> None:
    table = params_table(SOURCE, ["dibao.standard"], ["330212001005", "330212002001"], dt.date(2025, 1, 1))
    assert table.height == 2
    back = TableParamSource(table)("dibao.standard", "330212002001", dt.date(2025, 1, 1))
    assert (back.value, back.region_code, back.reference) == (Decimal("1210.5"), "330212", "鄞州区 2024")


def test_money_becomes_fen_exactly() -> None:
    assert typed_value("k", "1210.5", "元/人/月", parse_unit("元/人/月")) == 121050
    assert typed_value("k", "20", "万元", parse_unit("元")) == 20_000_000
    assert typed_value("k", "80", "%", parse_unit("比例")) == 0.8
    with pytest.raises(EvaluationError) as info:
        typed_value("k", "1.005", "元", parse_unit("元"))
    assert str(info.value) == "参数“k”：金额 1.005 元 不是整分"
