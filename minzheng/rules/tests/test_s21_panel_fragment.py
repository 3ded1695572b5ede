"""Issue 16, fifth pass: the panel's rendered fragment cached under the result's key.

A warm request renders no template and loads the household with one raw statement; it must
still re-render after any input change, answer 404 to a user who may not see the household
(whoever filled the cache), hold nothing of the user who filled it, and write its audit row.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields

import pytest
from django.core.cache import cache
from django.http import Http404
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.registry.access import access_household
from minzheng.registry.models import Household, Person
from minzheng.rules.eligibility import fen_text
from minzheng.rules.panel import TEMPLATE, visible_household
from minzheng.rules.tests.helpers_r2 import AS_OF, new_dibao_standard, world_fixture  # noqa: F401
from minzheng.testing import Cast

PANEL = "/rules/households/{}/panel/?as_of=" + AS_OF.isoformat()
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_X_MINZHENG_FRAGMENT": "1"}


@pytest.fixture(autouse=True)
def empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def rendered(response: object) -> list[str]:
    return [t.name for t in response.templates]  # type: ignore[attr-defined]


def test_warm_hit_renders_no_template_and_is_audited(world: dict[str, Household], cast: Cast) -> None:
    client = client_for(cast.town_officer)
    url = PANEL.format(world["poor"].pk)
    first = client.get(url, **HTMX)
    second = client.get(url, **HTMX)
    assert first.status_code == second.status_code == 200
    assert TEMPLATE in rendered(first)
    assert rendered(second) == []  # the fragment came from the cache
    assert second.content == first.content
    reads = AuditEvent.objects.filter(object_type="eligibility", object_id="HQ-001").order_by("seq")
    assert reads.count() == 2  # a cached answer is a read of personal data too
    cold, warm = reads
    assert warm.data == cold.data and warm.summary == cold.summary and warm.actor_username == "lizhen"
    assert warm.data["eligible"]  # the policy names stored next to the fragment


def test_member_change_re_renders_the_new_value(world: dict[str, Household], cast: Cast) -> None:
    client = client_for(cast.town_officer)
    url = PANEL.format(world["poor"].pk)
    assert "张建国" in client.get(url, **HTMX).content.decode()
    # A bulk update: no save(), no updated_at; the member's row itself is keyed.
    Person.objects.filter(household=world["poor"], name="张建国").update(name="张新国")
    after = client.get(url, **HTMX)
    assert TEMPLATE in rendered(after)
    assert "张新国" in after.content.decode() and "张建国" not in after.content.decode()
    cache.clear()
    assert client.get(url, **HTMX).content == after.content  # what an empty cache renders


def test_parameter_approval_re_renders_the_new_amount(world: dict[str, Household], cast: Cast) -> None:
    client = client_for(cast.town_officer)
    url = PANEL.format(world["poor"].pk)
    assert fen_text(354300) in client.get(url, **HTMX).content.decode()
    new_dibao_standard(cast)()
    page = client.get(url, **HTMX).content.decode()
    assert fen_text(3 * 130000) in page and fen_text(354300) not in page


def test_a_warm_fragment_is_not_served_outside_the_jurisdiction(world: dict[str, Household], cast: Cast) -> None:
    url = PANEL.format(world["poor"].pk)
    filled = client_for(cast.town_officer).get(url, **HTMX)
    assert filled.status_code == 200
    assert client_for(cast.other_town_officer).get(url, **HTMX).status_code == 404
    assert client_for(cast.provider).get(url, **HTMX).content == b""  # a role that does not decide
    assert not AuditEvent.objects.filter(object_type="eligibility", actor_username="zhaoxian").exists()


def test_the_fragment_holds_nothing_of_the_user_who_filled_it(world: dict[str, Household], cast: Cast) -> None:
    url = PANEL.format(world["poor"].pk)
    by_town = client_for(cast.town_officer).get(url, **HTMX)
    warm_for_village = client_for(cast.village_worker).get(url, **HTMX)
    assert rendered(warm_for_village) == []
    cache.clear()
    cold_for_village = client_for(cast.village_worker).get(url, **HTMX)
    assert TEMPLATE in rendered(cold_for_village)
    assert warm_for_village.content == cold_for_village.content == by_town.content
    for text in ("李镇", "lizhen", "王村", "wangcun", "csrfmiddlewaretoken"):
        assert text not in by_town.content.decode()


def test_visible_household_answers_as_access_household(world: dict[str, Household], cast: Cast) -> None:
    """The panel's raw access check against the registry's own, for every role and every household."""
    pks = [h.pk for h in world.values()] + [max(h.pk for h in world.values()) + 1]
    for f in fields(cast):
        user = getattr(cast, f.name)
        for pk in pks:
            try:
                expected: Household | None = access_household(user, pk)
            except Http404:
                expected = None
            try:
                got: Household | None = visible_household(user, pk)
            except Http404:
                got = None
            assert (got is None) == (expected is None), (f.name, pk)
            if got is not None and expected is not None:
                assert (got.pk, got.household_no, got.division_id) == (pk, expected.household_no, expected.division_id)
                assert got.grid_address == expected.grid_address  # the other columns are read on access
