"""Parquet in, decisions out, one county at a time: memory stays one county's worth.

`persons.parquet` and `households.parquet` carry the columns of `inputs.py`; the decision table is
written as `<out>/county=<code>/decisions.parquet` (Hive-style, so DuckDB, Polars and Spark read
it as one partitioned table).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from minzheng.rules.engine.catalogue import Catalogue
from minzheng.rules.engine.evaluate import evaluate_partition_frames
from minzheng.rules.engine.inputs import normalise_households, normalise_persons


@dataclass(slots=True)
class BatchStats:
    counties: int = 0
    persons: int = 0
    households: int = 0
    decisions: int = 0
    read_s: float = 0.0
    compute_s: float = 0.0
    write_s: float = 0.0
    per_county: dict[str, int] = field(default_factory=dict)


def evaluate_parquet(
    catalogue: Catalogue,
    persons_path: Path,
    households_path: Path,
    as_of: dt.date,
    params_table: pl.DataFrame,
    out_dir: Path,
) -> BatchStats:
    """Evaluate county by county (the first six digits of the household's region code)."""
    stats = BatchStats()
    started = time.perf_counter()
    households_all = pl.read_parquet(households_path).with_columns(
        pl.col("region_code").str.slice(0, 6).alias("county")
    )
    counties = households_all.get_column("county").unique().sort().to_list()
    persons_lazy = pl.scan_parquet(persons_path)
    stats.read_s += time.perf_counter() - started
    for county in counties:
        t0 = time.perf_counter()
        households = normalise_households(households_all.filter(pl.col("county") == county))
        # Persons live in their household's county: their own region code selects the row groups.
        persons = normalise_persons(persons_lazy.filter(pl.col("region_code").str.starts_with(county)).collect())
        t1 = time.perf_counter()
        decisions = evaluate_partition_frames(catalogue, persons, households, as_of, params_table)
        t2 = time.perf_counter()
        target = out_dir / f"county={county}"
        target.mkdir(parents=True, exist_ok=True)
        decisions.write_parquet(target / "decisions.parquet")
        t3 = time.perf_counter()
        stats.read_s += t1 - t0
        stats.compute_s += t2 - t1
        stats.write_s += t3 - t2
        stats.counties += 1
        stats.persons += persons.height
        stats.households += households.height
        stats.decisions += decisions.height
        stats.per_county[county] = decisions.height
    return stats
