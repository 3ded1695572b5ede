"""The API against its own OpenAPI description (schemathesis): no 5xx, only documented status codes,
bodies that match the documented schemas, for requests generated from that description.

The schema is read in-process (openapi.json needs a login) and the requests go to the WSGI app with a
town officer's real Bearer token on the test database, so the generated cases meet real scoping:
most ids are outside the jurisdiction (404), some households exist (make_household).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from minzheng.accounts.services import token_issue
from minzheng.api.api import api
from minzheng.config.wsgi import application
from minzheng.testing import Cast, make_household

# Hypothesis keeps its caches in the virtualenv, not in the working tree (.hypothesis/).
set_hypothesis_home_dir(Path(sys.prefix) / "hypothesis")
schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def bearer(cast: Cast) -> Iterator[dict[str, str]]:
    make_household()
    # Straight WSGI calls end with request_finished, whose close_old_connections would close the test's
    # PostgreSQL connection (and its transaction) mid-test; Django's own test Client unhooks it the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {token_issue(actor=None, user=cast.town_officer, label='fuzz')}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,  # no replay of earlier failures: each run is fresh and bounded
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS, app=application)
