"""One county partition as a single Arrow table: what Spark's `groupBy(...).applyInArrow` hands over.

Spark gives one table per group, so persons carry their household's columns
(`household_region_code`, `household_enrolled`, and the household input fields). `partition_input`
builds that table; `PartitionEvaluator` is the picklable function Spark runs on executors: it
loads the catalogue from its directory once per process and returns DECISION_SCHEMA rows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from minzheng.rules.engine.catalogue import Catalogue, load_catalogue
from minzheng.rules.engine.evaluate import DECISION_SCHEMA, evaluate_partition_frames
from minzheng.rules.engine.inputs import ENROLLED, HOUSEHOLD_FIELDS, normalise_households, normalise_persons

# What Spark's Arrow reader accepts (Polars writes large_string / large_list).
ARROW_DECISION_SCHEMA = pa.schema(
    [
        ("household_id", pa.string()),
        ("person_id", pa.string()),
        ("policy_id", pa.string()),
        ("eligible", pa.bool_()),
        ("amount_fen", pa.int64()),
        ("quantity", pa.int64()),
        ("excluded_by", pa.string()),
        ("failed_conditions", pa.list_(pa.string())),
        ("enrolled", pa.bool_()),
        ("missing", pa.list_(pa.string())),
    ]
)

_HOUSEHOLD_COLUMNS = {"region_code": "household_region_code", ENROLLED: "household_enrolled"} | {
    f.column: f.column for f in HOUSEHOLD_FIELDS
}


def partition_input(persons: Any, households: Any) -> pl.DataFrame:
    """persons ⨝ households → one row per person with the household's columns, plus `county`."""
    p, h = normalise_persons(persons), normalise_households(households)
    h = h.select("household_id", *(pl.col(c).alias(a) for c, a in _HOUSEHOLD_COLUMNS.items()))
    joined = p.join(h, on="household_id", how="left", maintain_order="left")
    return joined.with_columns(pl.col("household_region_code").str.slice(0, 6).alias("county"))


def split_partition(table: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    households = (
        table.select("household_id", *_HOUSEHOLD_COLUMNS.values())
        .unique("household_id", keep="first", maintain_order=True)
        .rename({a: c for c, a in _HOUSEHOLD_COLUMNS.items()})
    )
    persons = table.drop(*(c for c in _HOUSEHOLD_COLUMNS.values() if c in table.columns and c not in ("region_code",)))
    return persons.drop("county", strict=False), households


def evaluate_partition(catalogue: Catalogue, table: Any, as_of: dt.date, params_table: pl.DataFrame) -> pa.Table:
    """Decisions for one partition table (see `partition_input`) as Arrow."""
    frame = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)
    if frame.height == 0:
        return pl.DataFrame(schema=DECISION_SCHEMA).to_arrow().cast(ARROW_DECISION_SCHEMA)
    persons, households = split_partition(frame)
    result = evaluate_partition_frames(catalogue, persons, households, as_of, params_table)
    return result.to_arrow().cast(ARROW_DECISION_SCHEMA)


class PartitionEvaluator:
    """`df.groupBy("county").applyInArrow(PartitionEvaluator(dir, as_of, params).function(), SPARK_DECISION_SCHEMA)`."""

    def __init__(self, catalogue_dir: Path | None, as_of: dt.date, params_table: pl.DataFrame) -> None:
        self.catalogue_dir = str(catalogue_dir) if catalogue_dir else None
        self.as_of = as_of
        self.params_ipc = params_table.to_arrow()
        self._catalogue: Catalogue | None = None

    def function(self) -> Callable[[pa.Table], pa.Table]:
        """A plain typed function: Spark infers the Arrow eval type from the hints of what it is given."""
        evaluator = self

        def evaluate_group(table: pa.Table) -> pa.Table:
            return evaluator(table)

        return evaluate_group

    def __getstate__(self) -> dict[str, Any]:
        return {"catalogue_dir": self.catalogue_dir, "as_of": self.as_of, "params_ipc": self.params_ipc}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._catalogue = None

    def __call__(self, table: pa.Table) -> pa.Table:
        if self._catalogue is None:
            self._catalogue = load_catalogue(Path(self.catalogue_dir) if self.catalogue_dir else None)
        params = pl.from_arrow(self.params_ipc)
        assert isinstance(params, pl.DataFrame)
        return evaluate_partition(self._catalogue, table, self.as_of, params)
