"""Issue 16: the eligibility panel's result cached per (household, as-of), keyed on its inputs.

A second request is answered from the cache (far fewer SQL queries: the fingerprint's, not the
registry + verification + parameter reads of the computation) and is still audited; a member
edit, a tag change, a parameter approval and a new verification report each give a new key, so
the next request recomputes and equals the uncached result.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from minzheng.audit.models import AuditEvent
from minzheng.registry.models import Household, Person
from minzheng.registry.services import person_update
from minzheng.rules.eligibility import _household_result, household_result
from minzheng.rules.tests.helpers_r2 import AS_OF, new_dibao_standard, world_fixture  # noqa: F401
from minzheng.testing import Cast

PANEL = "/rules/households/{}/panel/?as_of=" + AS_OF.isoformat()


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def counted(call: Callable[[], Any]) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as ctx:
        out = call()
    return out, len(ctx.captured_queries)


def dibao(result: dict[str, Any]) -> dict[str, Any]:
    return next(p for p in result["policies"] if p["policy_id"] == "dibao")


def test_second_request_from_cache_and_still_audited(world: dict[str, Household], cast: Cast) -> None:
    client = Client()
    client.force_login(cast.town_officer)
    url = PANEL.format(world["poor"].pk)
    first, cold = counted(lambda: client.get(url))
    second, warm = counted(lambda: client.get(url))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert warm < cold - 5, (warm, cold)  # the computation's reads are skipped
    reads = AuditEvent.objects.filter(object_type="eligibility", object_id="HQ-001", actor_username="lizhen")
    assert reads.count() == 2  # a cached answer is a read of personal data too


def test_cached_equals_uncached(world: dict[str, Household]) -> None:
    for household in world.values():
        household_result(household, AS_OF)
        assert household_result(household, AS_OF) == _household_result(household, AS_OF)


def hit_then(household: Household, change: Callable[[], None]) -> tuple[int, int, dict[str, Any]]:
    """(queries of a cached call, of the call after `change`, that call's result)."""
    household_result(household, AS_OF)
    _, hit = counted(lambda: household_result(household, AS_OF))
    change()
    result, after = counted(lambda: household_result(household, AS_OF))
    return hit, after, result


def test_member_edit_recomputes(world: dict[str, Household], cast: Cast) -> None:
    poor = world["poor"]
    head = poor.members.get(name="张建国")

    def edit() -> None:
        person_update(actor=cast.town_officer, person=head, changes={"phone": "13800000000"})

    hit, after, _ = hit_then(poor, edit)
    assert after > hit
    # Bulk updates (no updated_at bump) of columns the engine reads: the rows themselves are keyed.
    before = household_result(poor, AS_OF)
    hit, after, result = hit_then(poor, lambda: Person.objects.filter(pk=head.pk).update(birth_date="1940-03-15"))
    assert after > hit and result != before
    child = poor.members.get(name="张小明")
    hit, after, result = hit_then(poor, lambda: Person.objects.filter(pk=child.pk).update(household=world["car"]))
    assert after > hit
    assert len({p["person_id"] for p in result["policies"] if p["person_id"]}) == 2  # two members left
    assert result == _household_result(poor, AS_OF)


def test_tag_change_recomputes(world: dict[str, Household], cast: Cast) -> None:
    poor = world["poor"]
    head = poor.members.get(name="张建国")
    assert dibao(household_result(poor, AS_OF))["enrolled"] is False
    from minzheng.payments.services import entitlement_create

    def enrol() -> None:  # enrolment is an entitlement; its projected tags are what the cache keys on
        entitlement_create(
            programme_id="dibao", subject=poor, payee=head, amount_fen=100000, from_month=AS_OF,
            source="case", reason="测试", actor=cast.town_officer, members=3,
        )  # fmt: skip

    hit, after, result = hit_then(poor, enrol)
    assert after > hit
    assert dibao(result)["enrolled"] is True
    assert result == _household_result(poor, AS_OF)


def test_parameter_approval_recomputes(world: dict[str, Household], cast: Cast) -> None:
    poor = world["poor"]
    assert dibao(household_result(poor, AS_OF))["amount_fen"] == 354300
    hit, after, result = hit_then(poor, new_dibao_standard(cast))
    assert after > hit
    assert dibao(result)["amount_fen"] == 3 * 130000
    assert result == _household_result(poor, AS_OF)


def test_new_verification_report_recomputes(world: dict[str, Household]) -> None:
    from minzheng.verification.services import household_verify

    poor = world["poor"]

    def report() -> None:
        household_verify(actor=None, household=poor, as_of=AS_OF, authorisation_ref="SQ-2026-001")

    hit, after, result = hit_then(poor, report)
    assert after > hit
    assert result == _household_result(poor, AS_OF)
