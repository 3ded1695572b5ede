"""The batch on Spark: the engine's partition function under `groupBy("county").applyInArrow`.

The same `engine.partition.evaluate_partition` the Polars path runs per county, so both engines
give the same decisions. The SparkSession is the process's one session (shared with the
verification batch: `verification.engine.spark.spark_session`, local[2] unless configured).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import polars as pl
import pyarrow as pa

from minzheng.rules.engine.catalogue import Catalogue
from minzheng.rules.engine.evaluate import DECISION_SCHEMA, SPARK_DECISION_SCHEMA
from minzheng.rules.engine.partition import PartitionEvaluator, partition_input


def _plain_types(table: pa.Table) -> pa.Table:
    """Polars writes large_string / large_list; Spark's Arrow reader wants the plain types."""
    fields = []
    for f in table.schema:
        t = f.type
        if pa.types.is_large_string(t):
            t = pa.string()
        elif pa.types.is_large_list(t) and pa.types.is_large_string(t.value_type):
            t = pa.list_(pa.string())
        elif pa.types.is_large_list(t):
            t = pa.list_(t.value_type)
        fields.append(pa.field(f.name, t))
    return table.cast(pa.schema(fields))


def _partition_function(catalogue: Catalogue, as_of: dt.date, table: pl.DataFrame) -> Callable[[pa.Table], pa.Table]:
    """A plain typed function (Spark reads its type hints) around the picklable evaluator."""
    evaluator = PartitionEvaluator(catalogue.source_dir, as_of, table)

    def fn(group: pa.Table) -> pa.Table:
        return _plain_types(evaluator(group))

    return fn


def evaluate_spark(
    catalogue: Catalogue, persons: pl.DataFrame, households: pl.DataFrame, as_of: dt.date, table: pl.DataFrame
) -> pl.DataFrame:
    """Decisions (DECISION_SCHEMA) for these inputs, one Spark group per county."""
    from minzheng.verification.engine.spark import spark_session

    spark = spark_session()
    rows = _plain_types(partition_input(persons, households).to_arrow())
    df = spark.createDataFrame(rows)
    out = df.groupBy("county").applyInArrow(_partition_function(catalogue, as_of, table), SPARK_DECISION_SCHEMA)
    out = out.toArrow()
    frame = pl.from_arrow(out)
    assert isinstance(frame, pl.DataFrame)
    if frame.height == 0:
        return pl.DataFrame(schema=DECISION_SCHEMA)
    return frame.cast(DECISION_SCHEMA)  # type: ignore[arg-type]
