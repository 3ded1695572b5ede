"""Typed identity numbers in other apps' forms: every lookup audited, rate-limited per user apart from searches."""

from __future__ import annotations

from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.registry.services import LOOKUP_REFUSED, number_lookup, search_allowed
from minzheng.testing import Cast, make_household

WRONG_ID = "330212197803164418"  # valid, but nobody's


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def _open(client: Client, number: str) -> str:
    """The children list after opening a file for `number` (the answer is a flash message)."""
    return client.post("/children/open/", {"id_number": number}, follow=True).content.decode()


def test_a_form_stops_answering_after_too_many_numbers(cast: Cast, settings: object) -> None:
    settings.REGISTRY_LOOKUP_RATE = "2/minute"  # type: ignore[attr-defined]
    make_household()
    client = _client(cast.child_director)
    assert ["本辖区户籍中没有此人" in _open(client, WRONG_ID) for _ in range(2)] == [True, True]
    refused = _open(client, WRONG_ID)
    assert LOOKUP_REFUSED in refused and "本辖区户籍中没有此人" not in refused
    rows = AuditEvent.objects.filter(object_type="person_number").order_by("pk")
    assert [r.data["refused"] for r in rows] == [False, False, True]
    looked_up = "按身份号码查找居民（儿童建档）"
    assert [r.summary for r in rows] == [looked_up, looked_up, f"{looked_up}，被拒绝（过于频繁）"]
    assert WRONG_ID not in str(list(rows.values_list("summary", "data")))  # the length only, as for searches
    # Another user keeps their own allowance.
    other = _open(_client(cast.child_supervisor), WRONG_ID)
    assert LOOKUP_REFUSED not in other


def test_lookups_and_searches_have_separate_allowances(cast: Cast, settings: object) -> None:
    settings.REGISTRY_LOOKUP_RATE = "1/minute"  # type: ignore[attr-defined]
    settings.REGISTRY_SEARCH_RATE = "1/minute"  # type: ignore[attr-defined]
    assert number_lookup(actor=cast.village_worker, number=WRONG_ID, purpose="助餐订餐") is None
    assert search_allowed(cast.village_worker)  # a lookup does not use up the search allowance
    assert number_lookup(actor=cast.village_worker, number=WRONG_ID, purpose="助餐订餐") == LOOKUP_REFUSED
