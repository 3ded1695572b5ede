"""Issue 16: a batch of one county with ≥ 10,000 households where every parameter is one value.

Such a batch takes the group-by-then-stack path, and a stage whose household nodes read only
parameters (all literals here) used to be evaluated on a one-row stand-in frame: Polars refused
to stack one row beside 10,000 (ShapeError), as `bench/rules_bench.py --child 3000000 0 subset` did.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import polars as pl
import pytest

from minzheng.rules.engine import Catalogue, YamlParamSource, evaluate_batch, load_catalogue, params_table
from minzheng.rules.engine.catalogue import DEFAULT_DIR

AS_OF = dt.date(2025, 1, 1)
VILLAGE = "330212001005"
# The benchmark's subset: no policy in it reads a member column in the stage that failed.
SUBSET = ["_common", "dibao", "dibao_edge", "tekun", "orphan", "gaoling", "disability_care", "virtual_job"]


@pytest.fixture(scope="module")
def subset_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Catalogue:
    target: Path = tmp_path_factory.mktemp("subset-policies")
    for name in SUBSET:
        shutil.copy(DEFAULT_DIR / f"{name}.yaml", target / f"{name}.yaml")
    return load_catalogue(target)


def _one_county(n: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """n households of two in one village: every parameter is a single value (a literal)."""
    persons = pl.DataFrame(
        {
            "person_id": [f"p{i}" for i in range(2 * n)],
            "household_id": [f"h{i // 2}" for i in range(2 * n)],
            "region_code": [VILLAGE] * (2 * n),
            "birth_date": [dt.date(1940 + (i * 7) % 70, 1 + i % 12, 1) for i in range(2 * n)],
            "income_wage_fen": [(i * 3_711) % 300_000 for i in range(2 * n)],
            "no_legal_supporter": [i % 5 == 0 for i in range(2 * n)],
        }
    )
    households = pl.DataFrame({"household_id": [f"h{i}" for i in range(n)], "region_code": [VILLAGE] * n})
    return persons, households


def test_one_county_of_10000_households_with_constant_parameters(
    subset_catalogue: Catalogue, default_params: YamlParamSource
) -> None:
    n = 10_000  # the first size that takes the group-by-then-stack path
    persons, households = _one_county(n)
    table = params_table(default_params, subset_catalogue.param_keys(), [VILLAGE], AS_OF)
    whole = evaluate_batch(subset_catalogue, persons, households, AS_OF, table)
    # The same households in passes under 10,000 (the joined chain, which never failed) decide alike.
    halves = pl.concat(
        evaluate_batch(
            subset_catalogue,
            persons.filter(pl.col("household_id").is_in(part.get_column("household_id").implode())),
            part,
            AS_OF,
            table,
        )
        for part in (households.head(n // 2), households.tail(n - n // 2))
    )
    key = ["household_id", "policy_id", "person_id"]
    assert whole.filter(pl.col("policy_id") == "dibao").height > 100
    assert whole.sort(key, nulls_last=True).to_dicts() == halves.sort(key, nulls_last=True).to_dicts()
