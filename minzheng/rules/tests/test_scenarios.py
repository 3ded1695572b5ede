"""Every policy's YAML scenarios, on the one-household path, the batch path and Spark local mode."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

import polars as pl
import pytest

from minzheng.rules.engine import (
    SPARK_DECISION_SCHEMA,
    Catalogue,
    PartitionEvaluator,
    YamlParamSource,
    evaluate_batch,
    evaluate_household,
    load_catalogue,
    partition_input,
)
from minzheng.rules.engine.scenarios import (
    Scenario,
    check,
    scenario_frames,
    scenario_params,
    scenario_params_table,
    scenarios,
)

SCENARIOS = scenarios(load_catalogue())


def _enrol_everywhere(catalogue: Catalogue, frame: pl.DataFrame) -> pl.DataFrame:
    # The batch writes only eligible, excluded or enrolled rows; enrolling everybody in everything
    # makes it write every row so each expectation (failed conditions too) can be checked.
    return frame.with_columns(pl.lit(list(catalogue.policies)).alias("enrolled"))


def _batch_inputs(catalogue: Catalogue, items: list[Scenario]) -> tuple[pl.DataFrame, pl.DataFrame]:
    persons, households = scenario_frames(items)
    return _enrol_everywhere(catalogue, persons), _enrol_everywhere(catalogue, households)


def _by_date() -> dict[dt.date, list[Scenario]]:
    groups: dict[dt.date, list[Scenario]] = defaultdict(list)
    for sc in SCENARIOS:
        groups[sc.as_of].append(sc)
    return groups


@pytest.fixture(scope="module")
def batch_rows(catalogue: Catalogue, default_params: YamlParamSource) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for as_of, items in _by_date().items():
        persons, households = _batch_inputs(catalogue, items)
        table = scenario_params_table(catalogue, default_params, items)
        for row in evaluate_batch(catalogue, persons, households, as_of, table).iter_rows(named=True):
            rows[row["household_id"]].append(row)
    return rows


def test_every_policy_has_scenarios(catalogue: Catalogue) -> None:
    covered = {sc.policy_id for sc in SCENARIOS}
    assert covered == set(catalogue.policies)
    assert len(catalogue.policies) >= 20


@pytest.mark.parametrize("sc", SCENARIOS, ids=[f"{s.key} {s.name}" for s in SCENARIOS])
def test_scenario_one_household(catalogue: Catalogue, default_params: YamlParamSource, sc: Scenario) -> None:
    persons, households = scenario_frames([sc], unique_regions=False)
    decisions = evaluate_household(catalogue, persons, households, sc.as_of, scenario_params(default_params, sc))
    rows = [
        {
            "policy_id": d.policy_id,
            "person_id": d.person_id,
            "eligible": d.eligible,
            "amount_fen": d.amount_fen,
            "quantity": d.quantity,
            "failed_conditions": d.failed_conditions,
            "excluded_by": d.excluded_by,
        }
        for d in decisions
    ]
    assert check(catalogue, sc, rows) == []


@pytest.mark.parametrize("sc", SCENARIOS, ids=[f"{s.key} {s.name}" for s in SCENARIOS])
def test_scenario_batch(catalogue: Catalogue, sc: Scenario, batch_rows: dict[str, list[dict[str, Any]]]) -> None:
    assert check(catalogue, sc, batch_rows[sc.key]) == []


def test_scenarios_on_spark_equal_batch(catalogue: Catalogue, default_params: YamlParamSource, spark: Any) -> None:
    """All scenarios of one date through `groupBy("county").applyInArrow`: the same rows as the batch."""
    as_of, items = max(_by_date().items(), key=lambda kv: len(kv[1]))
    persons, households = _batch_inputs(catalogue, items)
    table = scenario_params_table(catalogue, default_params, items)
    frame = spark.createDataFrame(partition_input(persons, households).to_arrow())
    evaluator = PartitionEvaluator(None, as_of, table)
    got = pl.from_arrow(frame.groupBy("county").applyInArrow(evaluator.function(), SPARK_DECISION_SCHEMA).toArrow())
    assert isinstance(got, pl.DataFrame)
    want = evaluate_batch(catalogue, persons, households, as_of, table)
    key = ["household_id", "policy_id", "person_id"]
    assert got.sort(key, nulls_last=True).to_dicts() == want.sort(key, nulls_last=True).to_dicts()
    assert got.height == want.height > 100
    for sc in items:
        mine = got.filter(pl.col("household_id") == sc.key).to_dicts()
        assert check(catalogue, sc, mine) == []
