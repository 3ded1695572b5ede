"""Rules engine: Django-free; policies as YAML compiled to Polars expressions.

Public surface (used by minzheng.rules services, CLI, tasks and the benchmark):
- `load_catalogue(path=None) -> Catalogue`; `CatalogueError` (Chinese, names file and line)
- parameters: `ParamValue`, `ParamSource`, `ParamMissing`, `YamlParamSource`, `params_table`,
  `DEFAULT_PARAMS` (the shipped parameter files: rules, eldercare and meals; load them with
  `YamlParamSource.from_files(DEFAULT_PARAMS)`), `shipped_param_files()`
- inputs: see `inputs.py` for the exact `persons` / `households` schema
- `evaluate_household(...) -> list[Decision]`, `evaluate_batch(...) -> polars.DataFrame`
  (`DECISION_SCHEMA`), `explain(...)`, `evaluate_partition` / `PartitionEvaluator` (Spark)
"""

from __future__ import annotations

from pathlib import Path

from minzheng.rules.engine.catalogue import Catalogue, CatalogueError, Policy, load_catalogue
from minzheng.rules.engine.evaluate import (
    DECISION_SCHEMA,
    SPARK_DECISION_SCHEMA,
    Decision,
    EvaluationError,
    evaluate_batch,
    evaluate_household,
)
from minzheng.rules.engine.explain import explain
from minzheng.rules.engine.inputs import InputError
from minzheng.rules.engine.params import (
    PARAM_TABLE_SCHEMA,
    ParamMissing,
    ParamSource,
    ParamValue,
    TableParamSource,
    YamlParamSource,
    params_table,
)
from minzheng.rules.engine.partition import PartitionEvaluator, evaluate_partition, partition_input

_PACKAGE = Path(__file__).resolve().parents[2]  # minzheng/
# Every shipped parameter file: the catalogue's own defaults and the apps' files, whose keys some
# policies read (homecare: eldercare.hours.*; meal: meals.*; case types: cases.*). Each key lives in exactly one file.
DEFAULT_PARAMS: tuple[Path, ...] = (
    _PACKAGE / "rules" / "data" / "params_default.yaml",
    _PACKAGE / "eldercare" / "data" / "params.yaml",
    _PACKAGE / "meals" / "data" / "params.yaml",
    _PACKAGE / "cases" / "data" / "params.yaml",  # procedure limits the case types read (not policies)
    _PACKAGE / "payments" / "data" / "params.yaml",  # start months, re-check periods, 免申即享 (not policies)
    _PACKAGE / "rescue" / "data" / "params.yaml",  # stay limit and follow-up intervals (not policies)
    _PACKAGE / "childvisits" / "data" / "params.yaml",  # visit frequencies, child case limits (not policies)
    _PACKAGE / "volunteers" / "data" / "params.yaml",  # time-bank transfer rule (not policies)
    _PACKAGE / "institutions" / "data" / "params.yaml",  # operating subsidy per bed and level, ratings, circle
    _PACKAGE / "disaster" / "data" / "params.yaml",  # relief standards, stock expiry warning, case limits
    _PACKAGE / "socialorgs" / "data" / "params.yaml",  # 年报 due date, rating cut-offs, filing limits (not policies)
)


def shipped_param_files() -> tuple[Path, ...]:
    """The shipped parameter files, in import order (rules defaults first)."""
    return DEFAULT_PARAMS


__all__ = [
    "DECISION_SCHEMA",
    "DEFAULT_PARAMS",
    "PARAM_TABLE_SCHEMA",
    "SPARK_DECISION_SCHEMA",
    "Catalogue",
    "CatalogueError",
    "Decision",
    "EvaluationError",
    "InputError",
    "ParamMissing",
    "ParamSource",
    "ParamValue",
    "PartitionEvaluator",
    "Policy",
    "TableParamSource",
    "YamlParamSource",
    "evaluate_batch",
    "evaluate_household",
    "evaluate_partition",
    "explain",
    "load_catalogue",
    "params_table",
    "partition_input",
    "shipped_param_files",
]
