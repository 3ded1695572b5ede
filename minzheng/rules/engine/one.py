"""One household (or a few): the plain-Python rows when certain, the Polars plans otherwise.

`evaluate_household` and `explain` come here. The batch (`evaluate_batch`, Spark partitions)
keeps the Polars plans: there a plan's fixed cost is shared by a county.

Inputs whose columns already have the engine's types are normalised in Python (the same defaults
as `inputs._normalise`); the parameters are read as rows (`params_rows`). The Polars frames and
the parameters table are built only when the plans run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from minzheng.rules.engine.catalogue import Catalogue
from minzheng.rules.engine.evaluate import (
    PREGION,
    Decision,
    PartitionParams,
    decision_rows,
    evaluate_frames,
    partition_params,
    partition_params_small,
)
from minzheng.rules.engine.inputs import (
    ENROLLED,
    HOUSEHOLD_FIELDS,
    HOUSEHOLD_KEYS,
    PERSON_FIELDS,
    PERSON_KEYS,
    InputField,
    normalise_households,
    normalise_persons,
)
from minzheng.rules.engine.params import PARAM_TABLE_SCHEMA, ParamSource, params_rows
from minzheng.rules.engine.small import Row, remember, schema_key
from minzheng.rules.engine.small_run import rows

_LIST = pl.List(pl.String())


@dataclass(slots=True)
class Prepared:
    """One call's inputs: normalised rows, the parameters, and the frames built on demand."""

    raw_persons: Any
    raw_households: Any
    persons_rows: list[Row]
    households_rows: list[Row]
    table_rows: list[dict[str, Any]]  # `params_table`'s rows
    params: PartitionParams
    key: tuple[Any, ...]  # what fixes the frames' dtypes (small.schema_key)
    _frames: dict[str, pl.DataFrame] = field(default_factory=dict)

    @property
    def persons(self) -> pl.DataFrame:
        if "p" not in self._frames:
            self._frames["p"] = normalise_persons(self.raw_persons)
        return self._frames["p"]

    @property
    def households(self) -> pl.DataFrame:
        if "h" not in self._frames:
            self._frames["h"] = normalise_households(self.raw_households)
        return self._frames["h"]

    @property
    def table(self) -> pl.DataFrame:
        if "t" not in self._frames:
            self._frames["t"] = pl.DataFrame(self.table_rows, schema=PARAM_TABLE_SCHEMA)
        return self._frames["t"]


def _python_rows(frame: Any, keys: dict[str, pl.DataType], fields: list[InputField], required: tuple[str, ...]) -> Any:
    """`_normalise(frame).to_dicts()` without the select, when every column already has its type."""
    if not isinstance(frame, pl.DataFrame):
        return None
    schema = frame.schema
    if any(schema.get(c) != t for c, t in keys.items()) or any(c not in schema for c in required):
        return None  # a cast, or the missing-column error: `_normalise` does it
    if any(f.column in schema and schema[f.column] != f.dtype for f in fields):
        return None
    if ENROLLED in schema and schema[ENROLLED] != _LIST:
        return None
    out = []
    for raw in frame.to_dicts():
        row = {c: raw[c] for c in keys}
        for f in fields:
            if f.column not in schema:
                row[f.column] = f.default
                continue
            value = raw[f.column]
            # Known fields take their default for a null; an unknowable one stays null (unknown).
            row[f.column] = f.default if value is None and not f.unknowable else value
        row[ENROLLED] = raw.get(ENROLLED) or []
        out.append(row)
    return out


def prepare(catalogue: Catalogue, persons: Any, households: Any, as_of: dt.date, source: ParamSource) -> Prepared:
    p_rows = _python_rows(persons, PERSON_KEYS, PERSON_FIELDS, ("birth_date",))
    h_rows = _python_rows(households, HOUSEHOLD_KEYS, HOUSEHOLD_FIELDS, ())
    frames: dict[str, pl.DataFrame] = {}
    if p_rows is None:
        frames["p"] = normalise_persons(persons)
        p_rows = frames["p"].to_dicts()
    if h_rows is None:
        frames["h"] = normalise_households(households)
        h_rows = frames["h"].to_dicts()
    regions = {r["region_code"] for r in p_rows} | {r["region_code"] for r in h_rows}
    table = params_rows(source, catalogue.param_keys(), regions, as_of)
    if len(regions) <= 8 and None not in regions:
        units = _units(catalogue)
        params = partition_params_small(
            units, ((r["region_code"], r["key"], r["value"], r["unit"]) for r in table), regions
        )
    else:
        frames["t"] = pl.DataFrame(table, schema=PARAM_TABLE_SCHEMA)
        params = partition_params(catalogue, frames["t"], regions)
    varying = [c for c in (params.by_region.columns if params.by_region is not None else []) if c != PREGION]
    key = schema_key(params.literals, varying)
    return Prepared(persons, households, p_rows, h_rows, table, params, key, frames)


def _units(catalogue: Catalogue) -> dict[str, Any]:
    units = catalogue.cache.get("small:units")
    if units is None:
        units = catalogue.cache["small:units"] = catalogue.param_units()
    return units


def evaluated_rows(
    catalogue: Catalogue, prep: Prepared, as_of: dt.date, explanations: bool = False
) -> tuple[list[Row], list[Row]] | None:
    """Every node's value per person and per household, computed in Python; None: run the plans."""
    found = rows(catalogue, prep.persons_rows, prep.households_rows, as_of, prep.params, explanations)
    return None if found is None else (found[0], found[1])


def plan_frames(catalogue: Catalogue, prep: Prepared, as_of: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The Polars plans; their dtypes are recorded so the next household can take the Python path."""
    p, h = evaluate_frames(catalogue, prep.persons, prep.households, as_of, prep.table)
    remember(catalogue, prep.key, "p", dict(p.schema))
    remember(catalogue, prep.key, "h", dict(h.schema))
    return p, h


def decisions(catalogue: Catalogue, rows_: list[dict[str, Any]]) -> list[Decision]:
    """One Decision per decision row (the rows `decision_rows` builds, from either path)."""
    out = []
    for row in rows_:
        policy = catalogue.policies[row["policy_id"]]
        out.append(
            Decision(
                policy.id,
                policy.name,
                policy.entity,
                row["household_id"],
                row["person_id"],
                row["eligible"],
                int(row["amount_fen"]),
                row["quantity"],
                policy.amount.quantity_unit if policy.amount else "",
                policy.period,
                row["excluded_by"],
                list(row["failed_conditions"]),
                bool(row["enrolled"]),
                missing=list(row["missing"] or []),
            )
        )
    return out


def evaluate_household(
    catalogue: Catalogue, persons: Any, households: Any, as_of: dt.date, params: ParamSource
) -> list[Decision]:
    """Every policy for every member of the given household(s): eligible or not, with the amount."""
    prep = prepare(catalogue, persons, households, as_of, params)
    found = evaluated_rows(catalogue, prep, as_of)
    if found is None:
        p, h = plan_frames(catalogue, prep, as_of)
        found = p.to_dicts(), h.to_dicts()
    return decisions(catalogue, decision_rows(catalogue, found[0], found[1], prep.params.literals))
