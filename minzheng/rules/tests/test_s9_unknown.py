"""Issue 9 item 6 on the engine: unknown is not zero (three-valued logic), decided only by known values.

And item 9's explanation wording: grades as ordinals, a locally unset amount said in a resident's words.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from minzheng.rules.engine import (
    Catalogue,
    YamlParamSource,
    evaluate_batch,
    evaluate_household,
    explain,
    params_table,
)
from minzheng.rules.engine.inputs import FIELDS_BY_COLUMN

AS_OF = dt.date(2025, 1, 1)
VILLAGE = "330212001005"
INCOME = ("income_wage_fen", "income_pension_fen", "income_unemployment_fen", "income_other_fen")


def _frames(members: list[dict[str, Any]], hid: str = "h1") -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = [
        {"person_id": f"{hid}-{i}", "household_id": hid, "region_code": VILLAGE, **m} for i, m in enumerate(members)
    ]
    schema = {"person_id": pl.String(), "household_id": pl.String(), "region_code": pl.String()}
    schema |= {c: FIELDS_BY_COLUMN[c].dtype for r in rows for c in r if c in FIELDS_BY_COLUMN}
    return pl.DataFrame(rows, schema=schema), pl.DataFrame({"household_id": [hid], "region_code": [VILLAGE]})


def _one(decisions: list[Any], policy_id: str, person_id: str | None = None) -> Any:
    return next(d for d in decisions if d.policy_id == policy_id and d.person_id == person_id)


def test_unknown_income_leaves_dibao_undecided_and_names_it(
    catalogue: Catalogue, default_params: YamlParamSource
) -> None:
    """Before the fix a null income was filled with 0: 低保 eligible, 1181.00 元 × 2."""
    persons, households = _frames(
        [
            {"birth_date": dt.date(1980, 1, 1), **dict.fromkeys(INCOME, None)},
            {"birth_date": dt.date(1982, 1, 1), **dict.fromkeys(INCOME, 0)},
        ]
    )
    dibao = _one(evaluate_household(catalogue, persons, households, AS_OF, default_params), "dibao")
    assert dibao.eligible is None and dibao.amount_fen == 0
    assert dibao.missing[:4] == ["工资性收入", "养老金收入", "失业金收入", "其他收入"]


def test_known_values_still_decide_around_an_unknown(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    """AND with a known False is False: a car worth 800,000 元 decides 低保 whatever the income."""
    persons, households = _frames(
        [
            {
                "birth_date": dt.date(1980, 1, 1),
                **dict.fromkeys(INCOME, None),
                "vehicle_count": 2,
                "vehicle_value_fen": 80_000_000,
            }
        ]
    )
    dibao = _one(evaluate_household(catalogue, persons, households, AS_OF, default_params), "dibao")
    assert dibao.eligible is False and dibao.missing == [] and "vehicle" in dibao.failed_conditions


def test_absent_column_is_the_known_default(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    """A source that never delivers a column (no such feed) does not block: the default applies."""
    persons, households = _frames([{"birth_date": dt.date(1980, 1, 1)}])
    dibao = _one(evaluate_household(catalogue, persons, households, AS_OF, default_params), "dibao")
    assert dibao.eligible is True and dibao.amount_fen == 118100


def test_batch_keeps_undecided_rows_with_missing(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    persons, households = _frames([{"birth_date": dt.date(1980, 1, 1), **dict.fromkeys(INCOME, None)}])
    table = params_table(default_params, catalogue.param_keys(), [VILLAGE], AS_OF)
    batch = evaluate_batch(catalogue, persons, households, AS_OF, table)
    row = batch.filter(pl.col("policy_id") == "dibao").to_dicts()[0]
    assert row["eligible"] is None and "工资性收入" in row["missing"]
    one = _one(evaluate_household(catalogue, persons, households, AS_OF, default_params), "dibao")
    assert set(one.missing) <= set(row["missing"])  # the batch names at least what one household names


def test_household_sum_over_an_unknown_member_is_unknown(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    persons, households = _frames(
        [
            {"birth_date": dt.date(1980, 1, 1), "deposits_fen": 0},
            {"birth_date": dt.date(1982, 1, 1), "deposits_fen": None},
        ]
    )
    dibao = _one(evaluate_household(catalogue, persons, households, AS_OF, default_params), "dibao")
    assert dibao.eligible is None and dibao.missing == ["存款"]


def test_grade_is_said_as_an_ordinal(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    """Before: "残疾等级 二级，高于 1 级" (一级 is the most severe)."""
    params = default_params.overlay(
        {
            "disability.living_subsidy": {
                "values": [{"region": "330212", "from": "2024-01-01", "value": 100, "reference": "测试"}]
            }
        }
    )
    persons, households = _frames(
        [{"birth_date": dt.date(1980, 1, 1), "disability_category": "视力", "disability_grade": 2}]
    )
    texts = [e["text"] for d in explain(catalogue, persons, households, AS_OF, params) for e in d.explanation]
    joined = "\n".join(texts)
    assert "高于 1 级" not in joined and "残疾等级 二级" not in joined
    assert "残疾等级为二级" in joined


def test_unset_local_amount_is_said_plainly(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    """Before: "高龄津贴标准 0.00 元，等于 0.00 元" shown as a failed condition."""
    persons, households = _frames([{"birth_date": dt.date(1930, 1, 1)}])
    gaoling = _one(explain(catalogue, persons, households, AS_OF, default_params), "gaoling", "h1-0")
    texts = [e["text"] for e in gaoling.explanation]
    assert not any("0.00 元，等于 0.00 元" in t for t in texts)
    assert any(t.startswith("当地尚未设定") for t in texts)
