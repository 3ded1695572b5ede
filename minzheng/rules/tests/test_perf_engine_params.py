"""Issue 16, calculation speed-ups that must not change a decision.

- Persons take their varying parameters from their household by a gather (no second join on the
  region code) only when they live in its region; a person registered elsewhere keeps her own
  region's value.
- The parameter table's regions are normalised and cut to the source's depth in Polars: the same
  set of codes as `_normalise_region(code)[:depth]` per code.
- A YAML parameter source indexes its rows by region: the value in force is the same.
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from minzheng.rules.engine import Catalogue, YamlParamSource, evaluate_batch, params_table
from minzheng.rules.engine.params import _normalise_region, _normalised_prefixes

AS_OF = dt.date(2025, 1, 1)
# 高龄津贴 set per county: a person-level policy reading a parameter that varies in the batch.
COUNTIES = {"330212": 100, "330281": 300}


def _source(default_params: YamlParamSource) -> YamlParamSource:
    rows = [{"region": c, "from": "2024-01-01", "value": v, "reference": "测试"} for c, v in COUNTIES.items()]
    return default_params.overlay({"gaoling.amount": {"values": rows}})


def _gaoling(catalogue: Catalogue, source: YamlParamSource, person_regions: list[str]) -> dict[str, int]:
    """Two households of one 85-year-old each, in 330212 and 330281; persons' regions as given."""
    persons = pl.DataFrame(
        {
            "person_id": ["a", "b"],
            "household_id": ["h1", "h2"],
            "region_code": person_regions,
            "birth_date": [dt.date(1940, 3, 1)] * 2,
        }
    )
    households = pl.DataFrame({"household_id": ["h1", "h2"], "region_code": ["330212001001", "330281001001"]})
    regions = set(person_regions) | set(households.get_column("region_code"))
    table = params_table(source, catalogue.param_keys(), regions, AS_OF)
    out = evaluate_batch(catalogue, persons, households, AS_OF, table).filter(pl.col("policy_id") == "gaoling")
    return dict(zip(out.get_column("person_id"), out.get_column("amount_fen"), strict=True))


def test_person_in_the_household_region_takes_its_value(catalogue: Catalogue, default_params: YamlParamSource) -> None:
    amounts = _gaoling(catalogue, _source(default_params), ["330212001001", "330281001001"])
    assert amounts == {"a": 10_000, "b": 30_000}


def test_person_registered_elsewhere_keeps_her_own_region_value(
    catalogue: Catalogue, default_params: YamlParamSource
) -> None:
    # Person a lives in a 330212 household but her address is in 330281: 300 元, not 100 元.
    amounts = _gaoling(catalogue, _source(default_params), ["330281002002", "330281001001"])
    assert amounts == {"a": 30_000, "b": 30_000}


def test_vectorised_region_prefixes_match_the_python_normalisation() -> None:
    rng = random.Random(1)  # noqa: S311 - test data, not a secret
    codes = {"".join(rng.choice("0000000123") for _ in range(12)) for _ in range(5_000)}
    codes |= {"330212000000", "33", "3302", "330000001001", "", " 330212 ", "330212001000", "000000000000"}
    for width in (0, 2, 4, 6, 9, 12):
        expected = {_normalise_region(c)[:width] if width else "" for c in codes}
        assert set(_normalised_prefixes(pl.Series(sorted(codes)), width)) == expected


def test_indexed_yaml_source_resolves_as_the_scan_did(default_params: YamlParamSource) -> None:
    # Later rows win ties (overlays override), per region, through the chain village → national.
    source = default_params.overlay(
        {
            "dibao.standard": {
                "values": [
                    {"region": "330212", "from": "2024-01-01", "value": 1000, "reference": "一"},
                    {"region": "330212", "from": "2024-01-01", "value": 1100, "reference": "二"},
                    {"region": "330212001", "from": "2025-06-01", "value": 1300, "reference": "以后"},
                ]
            }
        }
    )
    value = source("dibao.standard", "330212001001", AS_OF)
    assert (value.value, value.region_code, value.reference) == (1100, "330212", "二")
    later = source("dibao.standard", "330212001001", dt.date(2025, 7, 1))
    assert (later.value, later.region_code) == (1300, "330212001")
