"""The engine on hand-built households: explanations, exclusions, exact amounts, batch = partition."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest

from minzheng.rules.engine import (
    Catalogue,
    EvaluationError,
    YamlParamSource,
    evaluate_batch,
    evaluate_household,
    evaluate_partition,
    explain,
    params_table,
    partition_input,
)
from minzheng.rules.engine.inputs import FIELDS_BY_COLUMN

AS_OF = dt.date(2025, 1, 1)
VILLAGE = "330212001005"  # 鄞州区 下应街道 东兴社区
REGIONS = {"330212": "鄞州区", "330400": "嘉兴市", "33": "浙江省", "330212001": "下应街道"}


def _household(
    members: list[dict[str, Any]], hid: str = "h1", region: str = VILLAGE
) -> tuple[pl.DataFrame, pl.DataFrame]:
    rows = [{"person_id": f"{hid}-{i}", "household_id": hid, "region_code": region, **m} for i, m in enumerate(members)]
    # A key one member states and another leaves out is that field's known default for the other
    # (a null would be "unknown" and leave the policy undecided).
    keys = {k for r in rows for k in r if k in FIELDS_BY_COLUMN}
    rows = [{**{k: FIELDS_BY_COLUMN[k].default for k in keys}, **r} for r in rows]
    return pl.DataFrame(rows), pl.DataFrame({"household_id": [hid], "region_code": [region]})


def _decision(decisions: list[Any], policy_id: str, person_id: str | None = None) -> Any:
    return next(d for d in decisions if d.policy_id == policy_id and d.person_id == person_id)


def test_explanation_names_values_parameter_region_and_date(
    catalogue: Catalogue, default_params: YamlParamSource
) -> None:
    persons, households = _household(
        [{"birth_date": dt.date(1970, 1, 1), "income_wage_fen": 300000}, {"birth_date": dt.date(1971, 1, 1)}]
    )
    dibao = _decision(explain(catalogue, persons, households, AS_OF, default_params, REGIONS), "dibao")
    assert dibao.eligible is False
    assert dibao.failed_conditions == ["income"]
    assert dibao.explanation[0] == {
        "condition": "income",
        "passed": False,
        "text": "家庭月人均收入 1500.00 元，高于当地低保标准 1181.00 元（鄞州区，2022-07-01 起）",
    }
    deposits = dibao.explanation[1]
    assert deposits["passed"] is True
    assert deposits["text"].startswith("人均存款和有价证券 0.00 元，低于人均存款限额 56688.00 元（")
    assert "存款限额月数：鄞州区，2022-07-01 起" in deposits["text"]


def test_amount_explained_and_exact_to_the_fen(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    # 1000.01 元 over three members: per-capita 333.3366… 元; the gap method gives exactly 3543 − 1000.01.
    persons, households = _household(
        [
            {"birth_date": dt.date(1975, 3, 1), "income_wage_fen": 100001},
            {"birth_date": dt.date(1977, 6, 1)},
            {"birth_date": dt.date(2012, 9, 1)},
        ]
    )
    dibao = _decision(explain(catalogue, persons, households, AS_OF, default_params, REGIONS), "dibao")
    assert dibao.eligible and dibao.amount_fen == 254299
    assert dibao.explanation[-1] == {
        "condition": "amount",
        "passed": True,
        "text": "最低生活保障金额：（当地低保标准 1181.00 元 － 家庭月人均收入 333.34 元） × "
        "共同生活家庭人口 3 人 = 2542.99 元/月",
    }


def test_tekun_takes_precedence_over_dibao(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    persons, households = _household([{"birth_date": dt.date(1942, 5, 1), "no_legal_supporter": True}])
    decisions = explain(catalogue, persons, households, AS_OF, default_params, REGIONS)
    tekun = _decision(decisions, "tekun", "h1-0")
    dibao = _decision(decisions, "dibao")
    assert tekun.eligible and tekun.amount_fen == 153530  # 18423.60 元/年 ÷ 12
    assert not dibao.eligible and dibao.excluded_by == "tekun" and dibao.amount_fen == 0
    assert dibao.explanation[-1] == {
        "condition": "excluded_by",
        "passed": False,
        "text": "同时符合特困人员救助供养条件，按规定不再重复享受最低生活保障",
    }


def test_dated_parameters_switch_on_their_effective_date(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    persons, households = _household([{"birth_date": dt.date(1980, 1, 1)}])
    raised = default_params.overlay(
        {"dibao.standard": {"values": [{"region": "330212", "from": "2025-07-01", "value": 1240, "reference": "测试"}]}}
    )
    before = _decision(evaluate_household(catalogue, persons, households, dt.date(2025, 6, 30), raised), "dibao")
    after = _decision(evaluate_household(catalogue, persons, households, dt.date(2025, 7, 1), raised), "dibao")
    assert (before.amount_fen, after.amount_fen) == (118100, 124000)


def test_missing_parameter_is_named(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    """Issue 9 item 7 (was: the whole household refused with ParamMissing): the policy reading the
    parameter is undecided and names the key; every other policy is still decided."""
    persons, households = _household([{"birth_date": dt.date(1980, 1, 1)}])
    decisions = evaluate_household(catalogue, persons, households, dt.date(2022, 6, 30), default_params)
    dibao = _decision(decisions, "dibao")
    assert dibao.eligible is None
    assert any("dibao.standard" in m for m in dibao.missing)
    orphan = _decision(decisions, "orphan", "h1-0")
    assert orphan.eligible is False and orphan.missing == []


def test_parameter_in_the_wrong_unit_is_refused(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    yearly = default_params.overlay(
        {
            "dibao.standard": {
                "unit": "元/人/年",
                "values": [{"region": "330212", "from": "2024-01-01", "value": 14172, "reference": "测试"}],
            }
        }
    )
    table = params_table(yearly, catalogue.param_keys(), [VILLAGE], AS_OF)
    table = table.with_columns(
        pl.when(pl.col("key") == "dibao.standard").then(pl.lit("元/人/年")).otherwise("unit").alias("unit")
    )
    persons, households = _household([{"birth_date": dt.date(1980, 1, 1)}])
    with pytest.raises(EvaluationError) as info:
        evaluate_batch(catalogue, persons, households, AS_OF, table)
    assert str(info.value) == "参数“dibao.standard”的单位为 元/年，政策目录要求 元/月"


def test_person_in_unknown_household(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    persons, _ = _household([{"birth_date": dt.date(1980, 1, 1)}], hid="h9")
    _, households = _household([{"birth_date": dt.date(1980, 1, 1)}], hid="h1")
    with pytest.raises(EvaluationError) as info:
        evaluate_household(catalogue, persons, households, AS_OF, default_params)
    assert str(info.value) == "人员 h9-0 的 household_id 不在 households 表中"


def _population() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Three households in two towns of 鄞州 and one in 嘉兴 (two counties)."""
    frames = [
        _household([{"birth_date": dt.date(1980, 1, 1)}, {"birth_date": dt.date(1954, 1, 1)}], "a", "330212001005"),
        _household([{"birth_date": dt.date(1980, 1, 1), "income_wage_fen": 120000}], "b", "330212002001"),
        _household(
            [{"birth_date": dt.date(1942, 5, 1), "no_legal_supporter": True, "enrolled": ["dibao"]}],
            "c",
            "330212002001",
        ),
        _household([{"birth_date": dt.date(1980, 1, 1)}, {"birth_date": dt.date(1950, 1, 1)}], "d", "330411002001"),
    ]
    persons = pl.concat(
        [
            p.with_columns(
                pl.col("enrolled").cast(pl.List(pl.String))
                if "enrolled" in p.columns
                else pl.lit([], pl.List(pl.String)).alias("enrolled")
            )
            for p, _ in frames
        ],
        how="diagonal",
    )
    # Columns one household states and another does not: the known default there, not unknown.
    persons = persons.with_columns(
        pl.col(c).fill_null(FIELDS_BY_COLUMN[c].default)
        for c in persons.columns
        if c in FIELDS_BY_COLUMN and FIELDS_BY_COLUMN[c].default is not None
    )
    return persons, pl.concat([h for _, h in frames])


def test_batch_rows_partitions_and_town_level_parameters(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    # 下应街道 (330212001) gets its own, higher standard: one county partition with two values → joined, not a literal.
    params = default_params.overlay(
        {
            "dibao.standard": {
                "values": [{"region": "330212001", "from": "2024-01-01", "value": 1300, "reference": "测试"}]
            }
        }
    )
    persons, households = _population()
    table = params_table(params, catalogue.param_keys(), set(households.get_column("region_code")), AS_OF)
    batch = evaluate_batch(catalogue, persons, households, AS_OF, table)
    dibao = {r["household_id"]: r for r in batch.filter(pl.col("policy_id") == "dibao").iter_rows(named=True)}
    assert dibao["a"]["amount_fen"] == 260000  # 1300 × 2, the town's standard
    assert "b" not in dibao  # 1200 > 1181: not eligible, not enrolled → no row
    assert dibao["c"]["eligible"] is False and dibao["c"]["excluded_by"] == "tekun" and dibao["c"]["enrolled"] is False
    assert dibao["d"]["amount_fen"] == 162000  # 嘉兴 810 × 2
    virtual = batch.filter(pl.col("policy_id") == "virtual_job").to_dicts()
    assert [(r["household_id"], r["amount_fen"]) for r in virtual] == [("d", 50000)]  # 嘉兴 only
    # The person-level enrolment of c in dibao is the household's business: dibao rows come from households.
    table_spark = partition_input(persons, households)
    parts = [
        pl.from_arrow(evaluate_partition(catalogue, table_spark.filter(pl.col("county") == c), AS_OF, table))
        for c in sorted(set(table_spark.get_column("county")))
    ]
    key = ["household_id", "policy_id", "person_id"]
    assert pl.concat(parts).sort(key, nulls_last=True).to_dicts() == batch.sort(key, nulls_last=True).to_dicts()


def test_enrolled_but_not_eligible_is_kept(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    persons, households = _household([{"birth_date": dt.date(1980, 1, 1), "income_wage_fen": 500000}])
    households = households.with_columns(pl.lit(["dibao"]).alias("enrolled"))
    table = params_table(default_params, catalogue.param_keys(), [VILLAGE], AS_OF)
    rows = evaluate_batch(catalogue, persons, households, AS_OF, table).to_dicts()
    assert rows == [
        {
            "household_id": "h1",
            "person_id": None,
            "policy_id": "dibao",
            "eligible": False,
            "amount_fen": 0,
            "quantity": None,
            "excluded_by": None,
            "failed_conditions": ["income"],
            "enrolled": True,
            "missing": [],
        }
    ]


def test_aggregates_by_relation(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    from minzheng.rules.engine.evaluate import household_frames

    persons, households = _household(
        [
            {"birth_date": dt.date(1975, 3, 1), "relation": "02"},
            {"birth_date": dt.date(1977, 6, 1), "relation": "10"},
            {"birth_date": dt.date(2012, 9, 1), "relation": "30"},
            {"birth_date": dt.date(1998, 9, 1), "relation": "20", "prison": True},
        ]
    )
    _, h, _ = household_frames(catalogue, persons, households, AS_OF, default_params)
    row = h.row(0, named=True)
    assert (row["子女人数"], row["未成年子女人数"], row["有配偶"], row["保障人口"]) == (1, 1, True, 3)


def test_large_and_small_passes_decide_alike(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    """≥ 10,000 households take the group-by-then-stack path, fewer the joined chain: same rows."""
    n = 10_400
    persons = pl.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(2 * n)],
            "household_id": [f"h{i // 2}" for i in range(2 * n)],
            "region_code": [VILLAGE] * (2 * n),
            "birth_date": [dt.date(1940 + (i * 7) % 70, 1 + i % 12, 1) for i in range(2 * n)],
            "income_wage_fen": [(i * 3_711) % 300_000 for i in range(2 * n)],
            "no_legal_supporter": [i % 5 == 0 for i in range(2 * n)],
            "disability_grade": [i % 9 if i % 9 <= 4 else 0 for i in range(2 * n)],
        }
    ).cast({"disability_grade": pl.Int8})
    households = pl.DataFrame({"household_id": [f"h{i}" for i in range(n)], "region_code": [VILLAGE] * n})
    table = params_table(default_params, catalogue.param_keys(), [VILLAGE], AS_OF)
    whole = evaluate_batch(catalogue, persons, households, AS_OF, table)
    halves = [
        evaluate_batch(
            catalogue,
            persons.filter(pl.col("household_id").is_in(part.get_column("household_id").implode())),
            part,
            AS_OF,
            table,
        )
        for part in (households.head(n // 2), households.tail(n - n // 2))
    ]
    key = ["household_id", "policy_id", "person_id"]
    assert whole.height > 1000
    assert whole.sort(key, nulls_last=True).to_dicts() == pl.concat(halves).sort(key, nulls_last=True).to_dicts()
