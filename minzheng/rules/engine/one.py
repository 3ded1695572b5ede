"""One household (or a few): the plain-Python rows when certain, the Polars plans otherwise.

`evaluate_household` and `explain` come here. The batch (`evaluate_batch`, Spark partitions)
keeps the Polars plans: there a plan's fixed cost is shared by a county.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import polars as pl

from minzheng.rules.engine.catalogue import Catalogue
from minzheng.rules.engine.evaluate import (
    DECISION_SCHEMA,
    PREGION,
    Decision,
    PartitionParams,
    decision_rows,
    decisions_from_frame,
    evaluate_frames,
    partition_params,
)
from minzheng.rules.engine.inputs import normalise_households, normalise_persons
from minzheng.rules.engine.params import ParamSource, params_table
from minzheng.rules.engine.small import Row, remember, schema_key
from minzheng.rules.engine.small_run import rows


@dataclass(slots=True)
class Prepared:
    persons: pl.DataFrame  # normalised
    households: pl.DataFrame
    table: pl.DataFrame  # the parameters table of their regions
    params: PartitionParams
    key: tuple[Any, ...]  # what fixes the frames' dtypes (small.schema_key)


def prepare(catalogue: Catalogue, persons: Any, households: Any, as_of: dt.date, source: ParamSource) -> Prepared:
    persons_n, households_n = normalise_persons(persons), normalise_households(households)
    regions = set(persons_n.get_column("region_code")) | set(households_n.get_column("region_code"))
    table = params_table(source, catalogue.param_keys(), regions, as_of)
    params = partition_params(catalogue, table, regions)
    varying = [c for c in (params.by_region.columns if params.by_region is not None else []) if c != PREGION]
    return Prepared(persons_n, households_n, table, params, schema_key(params.literals, varying))


def evaluated_rows(
    catalogue: Catalogue, prep: Prepared, as_of: dt.date, explanations: bool = False
) -> tuple[list[Row], list[Row]] | None:
    """Every node's value per person and per household, computed in Python; None: run the plans."""
    found = rows(catalogue, prep.persons, prep.households, as_of, prep.params, explanations)
    return None if found is None else (found[0], found[1])


def plan_frames(catalogue: Catalogue, prep: Prepared, as_of: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The Polars plans; their dtypes are recorded so the next household can take the Python path."""
    p, h = evaluate_frames(catalogue, prep.persons, prep.households, as_of, prep.table)
    remember(catalogue, prep.key, "p", dict(p.schema))
    remember(catalogue, prep.key, "h", dict(h.schema))
    return p, h


def evaluate_household(
    catalogue: Catalogue, persons: Any, households: Any, as_of: dt.date, params: ParamSource
) -> list[Decision]:
    """Every policy for every member of the given household(s): eligible or not, with the amount."""
    prep = prepare(catalogue, persons, households, as_of, params)
    found = evaluated_rows(catalogue, prep, as_of)
    if found is None:
        p, h = plan_frames(catalogue, prep, as_of)
        found = p.to_dicts(), h.to_dicts()
    out = decision_rows(catalogue, found[0], found[1], prep.params.literals)
    return decisions_from_frame(catalogue, pl.DataFrame(out, schema=DECISION_SCHEMA))
