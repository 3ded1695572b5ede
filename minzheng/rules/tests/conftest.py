"""Fixtures shared by the rules tests: the shipped catalogue and parameters, one Spark session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from minzheng.rules.engine import DEFAULT_PARAMS, Catalogue, YamlParamSource, load_catalogue


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return load_catalogue()


@pytest.fixture(scope="session")
def default_params() -> YamlParamSource:
    return YamlParamSource.from_files(DEFAULT_PARAMS)


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The process's one SparkSession (local[2]), shared with the verification batch's helper."""
    pytest.importorskip("pyspark")
    from minzheng.verification.engine.spark import spark_session

    yield spark_session()
