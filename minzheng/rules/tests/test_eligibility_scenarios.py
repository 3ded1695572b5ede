"""Every policy's YAML scenarios through the app's three paths with the parameters in the database.

The engine's own scenario tests use in-memory parameters; here the shipped parameter files are imported
into the Parameter table (and each scenario's overrides as rows of its own village), and the
decisions of the one-household path, the Polars batch and the Spark batch must all meet every
expectation and be identical.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from minzheng.rules import eligibility
from minzheng.rules.engine import DEFAULT_PARAMS, load_catalogue
from minzheng.rules.engine.scenarios import Scenario, check, scenario_frames, scenarios
from minzheng.rules.inputs_db import EngineInputs
from minzheng.rules.params_db import DbParamSource
from minzheng.rules.services import params_import

SCENARIOS = scenarios(load_catalogue())
FIELDS = ["policy_id", "person_id", "eligible", "amount_fen", "quantity", "excluded_by", "failed_conditions"]


def _village(sc: Scenario, index: int) -> str:
    """A village code of its own under the scenario's town, so its overrides touch nobody else."""
    return sc.region if not sc.params else sc.region[:9] + f"{900 + index:03d}"


def _override_file(tmp_path: Path) -> Path:
    doc: dict[str, Any] = {}
    for i, sc in enumerate(SCENARIOS):
        for key, value in sc.params.items():
            entry = doc.setdefault(key, {"values": []})
            entry["values"].append(
                {"region": _village(sc, i), "from": sc.as_of, "value": value, "reference": "场景设定"}
            )
    path = tmp_path / "overrides.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


def _inputs(items: list[tuple[int, Scenario]]) -> EngineInputs:
    persons, households = scenario_frames([sc for _, sc in items], unique_regions=False)
    villages = {sc.key: _village(sc, i) for i, sc in items}
    catalogue = eligibility.catalogue()
    # Everybody enrolled in everything: the batch then writes every decision, not only eligible ones.
    every = pl.lit(list(catalogue.policies))
    region = pl.col("household_id").replace_strict(villages, return_dtype=pl.String())
    persons = persons.with_columns(region_code=region, enrolled=every, household_no=pl.col("household_id"))
    households = households.with_columns(region_code=region, enrolled=every)
    return EngineInputs(persons=persons, households=households, verified=set())


def _rows(frame: pl.DataFrame) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in frame.select("household_id", *FIELDS).iter_rows(named=True):
        out[row.pop("household_id")].append(row)
    return out


def _household_rows(inputs: EngineInputs, as_of: dt.date) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    source = DbParamSource()
    for household_id in inputs.households["household_id"].to_list():
        one = EngineInputs(
            persons=inputs.persons.filter(pl.col("household_id") == household_id),
            households=inputs.households.filter(pl.col("household_id") == household_id),
            verified=set(),
        )
        for d in eligibility.decide_household(one, as_of, source=source):
            out[household_id].append({f: getattr(d, f) for f in FIELDS})
    return out


def _sorted(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(tuple(str(r[f]) for f in FIELDS) for r in rows)


@pytest.mark.django_db
def test_scenarios_on_household_batch_and_spark_with_db_parameters(tmp_path: Path) -> None:
    for path in DEFAULT_PARAMS:
        params_import(actor=None, path=path)
    params_import(actor=None, path=_override_file(tmp_path))
    by_date: dict[dt.date, list[tuple[int, Scenario]]] = defaultdict(list)
    for i, sc in enumerate(SCENARIOS):
        by_date[sc.as_of].append((i, sc))
    problems: list[str] = []
    checked = 0
    for as_of, items in sorted(by_date.items()):
        inputs = _inputs(items)
        paths = {
            "一户": _household_rows(inputs, as_of),
            "批量 polars": _rows(eligibility.decide_batch(inputs, as_of, engine="polars")),
            "批量 spark": _rows(eligibility.decide_batch(inputs, as_of, engine="spark")),
        }
        for _, sc in items:
            for name, rows in paths.items():
                problems += [f"[{name}] {p}" for p in check(eligibility.catalogue(), sc, rows[sc.key])]
            first = _sorted(paths["一户"][sc.key])
            assert _sorted(paths["批量 polars"][sc.key]) == first, sc.key
            assert _sorted(paths["批量 spark"][sc.key]) == first, sc.key
            checked += 1
    assert problems == []
    assert checked == len(SCENARIOS) >= 20
