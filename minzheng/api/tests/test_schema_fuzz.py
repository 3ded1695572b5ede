"""The API against its own OpenAPI description (schemathesis): no 5xx, only documented status codes,
bodies that match the documented schemas, for requests generated from that description.

The schema is read in-process (openapi.json needs a login) and the requests go to the WSGI app with a
town officer's real Bearer token on the test database, so the generated cases meet real scoping:
most ids are outside the jurisdiction (404), some households exist (make_household).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from minzheng.accounts.services import token_issue
from minzheng.api.api import api
from minzheng.config.wsgi import application
from minzheng.testing import Cast, make_household

schema = schemathesis.openapi.from_dict(api.get_openapi_schema())
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def bearer(cast: Cast) -> dict[str, str]:
    make_household()
    return {"Authorization": f"Bearer {token_issue(actor=None, user=cast.town_officer, label='fuzz')}"}


@schema.parametrize()
@settings(
    max_examples=25,
    deadline=None,
    database=None,  # nothing written under the repo (.hypothesis/)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_api_conforms_to_its_schema(case: schemathesis.Case, bearer: dict[str, str]) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS, app=application)
