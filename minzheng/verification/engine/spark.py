"""The batch on Spark: the same `batch.run_partition` under `groupBy("county", "chunk").applyInArrow`.

A province runs this on its cluster with the members and the feed store on shared storage; tests
and a county run it in local mode. Nothing here decides anything: each group of members (one county
chunk) goes through the pure partition function, and the rows come back cast to `RESULT_SCHEMA`
(Polars emits large_string, Spark wants the declared types). Django-free.

The SparkSession is created on first use. Python workers must run the project's interpreter
(`PYSPARK_PYTHON = sys.executable`), or they would not find polars, duckdb and this package.
"""

from __future__ import annotations

import os
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any

import polars as pl
import pyarrow as pa

from minzheng.verification.engine.batch import RESULT_SCHEMA, BatchSpec, run_partition

_lock = threading.Lock()
_session: Any = None


def spark_session(master: str | None = None) -> Any:
    """The process's SparkSession (local[2] unless `MINZHENG_SPARK_MASTER` or `master` says otherwise)."""
    global _session
    with _lock:
        if _session is None:
            os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
            os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
            from pyspark.sql import SparkSession

            # pyspark 4.3 warns on pandas ≥ 3 at every Arrow UDF; applyInArrow does not use pandas.
            warnings.filterwarnings("ignore", "PySpark does not yet fully support pandas", FutureWarning)

            master = master or os.environ.get("MINZHENG_SPARK_MASTER", "local[2]")
            if master.startswith("local"):
                os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")  # one machine: no hostname lookups
            _session = (
                SparkSession.builder.master(master)
                .appName("minzheng-verify-batch")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")  # the CLI draws its own progress bar
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                .config("spark.driver.memory", os.environ.get("MINZHENG_SPARK_DRIVER_MEMORY", "2g"))
                .config("spark.sql.session.timeZone", "Asia/Shanghai")
                .getOrCreate()
            )
            _session.sparkContext.setLogLevel("ERROR")
        return _session


def spark_stop() -> None:
    global _session
    with _lock:
        if _session is not None:
            _session.stop()
            _session = None


def _spark_schema() -> Any:
    from pyspark.sql.pandas.types import from_arrow_schema

    return from_arrow_schema(RESULT_SCHEMA)


def partition_function(spec: BatchSpec, links: pa.Table | None = None) -> Callable[[pa.Table], pa.Table]:
    """What each Spark task runs on its group: the pure partition function, one thread per task."""
    worker_spec = BatchSpec(spec.as_of, spec.snapshots, spec.digest_key, threads=1)

    def fn(members: pa.Table) -> pa.Table:
        return run_partition(members, worker_spec, links).cast(RESULT_SCHEMA)

    return fn


def run_spark(
    members: pa.Table, spec: BatchSpec, *, skip: set[str] | None = None, links: pa.Table | None = None
) -> dict[str, pa.Table]:
    """Every partition of `members` (with county and chunk, see `batch.assign_chunks`) on Spark.

    Returns partition key → its rows, like `batch.run_local` yields them. `skip`: keys already done.
    """
    from pyspark.sql import functions as sf

    spark = spark_session()
    df = spark.createDataFrame(members)
    if skip:
        df = df.filter(~sf.concat_ws(":", sf.col("county"), sf.col("chunk").cast("string")).isin(sorted(skip)))
    out = df.groupBy("county", "chunk").applyInArrow(partition_function(spec, links), _spark_schema()).toArrow()
    out = out.cast(RESULT_SCHEMA)
    if out.num_rows == 0:
        return {}
    frame = pl.from_arrow(out)
    assert isinstance(frame, pl.DataFrame)
    return {
        f"{county}:{chunk}": part.sort("household_no").to_arrow().cast(RESULT_SCHEMA)
        for (county, chunk), part in frame.partition_by("county", "chunk", as_dict=True).items()
    }


def run_all_spark(
    members: pa.Table, spec: BatchSpec, *, chunk_households: int, links: pa.Table | None = None
) -> pa.Table:
    """The whole population in one table sorted by 户编号 (compare with `batch.run_all`)."""
    from minzheng.verification.engine.batch import assign_chunks

    parts = run_spark(assign_chunks(members, chunk_households), spec, links=links)
    if not parts:
        return RESULT_SCHEMA.empty_table()
    return pa.concat_tables(parts.values()).sort_by("household_no")
