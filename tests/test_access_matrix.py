"""The access matrix: every page of every app, as every role, inside and outside the jurisdiction.

Issue 9's outside probe sent about 6,700 requests; this is its standing form in CI. One household of
合一村 (瞻岐镇) is on the registry. For every URL pattern without parameters, every role of the test
cast: no page crashes, every entry the role's own top bar offers answers 200, and no page shows that
household's full identity number or phone (lists mask them; a full number is shown only after an
audited unmask, which is a POST). For every pattern with one integer parameter, the outsiders (an
officer of another town, a volunteer, a social organisation's account, a caregiver) ask for the
household's and its members' primary keys: whatever object the pattern names, nothing of that
household may come back.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from minzheng.core import navigation
from minzheng.testing import CAST_SPEC, Cast, make_household

# Pages that end the session or are the API's own schema pages: not a page a role "uses".
SKIP = {"accounts/logout/", "api/v1/docs", "api/v1/openapi.json"}
SECRETS = ("330212197803154412", "13805741234")  # the family's head: full identity number, full phone
OUTSIDERS = ("other_town_officer", "volunteer", "org_account", "caregiver")
# An entry the top bar offers answers 200, or 302 to where the role starts (an operator whose institution is
# not yet registered is sent to say so); these two ask for the role's own record, which this cast has not:
# a volunteer's account is opened by the 社工站, not by logging in (volunteers/tests cover both with records).
WITHOUT_RECORD = {("volunteer", "/volunteers/me/")}


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern))
        else:
            yield prefix + str(p.pattern), p


def _plain_and_one_int() -> tuple[list[str], list[str]]:
    plain, one_int = [], []
    for route, _ in _patterns(get_resolver()):
        if route in SKIP or route.startswith("^") or "(" in route:
            continue
        if "<" not in route:
            plain.append("/" + route)
        elif route.count("<") == 1 and "<int:" in route:
            one_int.append("/" + route)
    return plain, one_int


PLAIN, ONE_INT = _plain_and_one_int()


def _text(response: object) -> str:
    """The body of a page or JSON answer (a workbook or PDF is checked by its own app's tests)."""
    kind = response.get("Content-Type", "")  # type: ignore[attr-defined]
    if not kind.startswith(("text/", "application/json")) or getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="replace")  # type: ignore[attr-defined]


def _release(response: object) -> None:
    """Close an export's open file. Not response.close(): that sends request_finished, which closes the
    database connection under the test's transaction (PostgreSQL then refuses every later query)."""
    for closer in getattr(response, "_resource_closers", []):
        closer()


def _nav_urls(user: object) -> set[str]:
    return {url.split("?")[0] for _, entries in navigation.groups_for(user) for _, url in entries}


@pytest.mark.parametrize("role", list(CAST_SPEC))
def test_every_page_as_every_role(cast: Cast, role: str) -> None:
    make_household()
    user = getattr(cast, role)
    client = Client()
    client.force_login(user)
    offered = _nav_urls(user)
    problems = []
    for url in PLAIN:
        response = client.get(url)
        body = _text(response)
        _release(response)
        if response.status_code >= 500:
            problems.append(f"{url}: {response.status_code}")
        if url in offered and response.status_code not in (200, 302) and (role, url) not in WITHOUT_RECORD:
            problems.append(f"{url}: 导航中提供给 {role} 却返回 {response.status_code}")
        problems += [f"{url}: 出现完整号码 {s}" for s in SECRETS if s in body]
    assert problems == []
    assert offered - set(PLAIN) == set()  # every entry the top bar offers was walked above


@pytest.mark.parametrize("role", OUTSIDERS)
def test_outsiders_get_nothing_of_the_household_by_any_id(cast: Cast, role: str) -> None:
    household, people = make_household()
    client = Client()
    client.force_login(getattr(cast, role))
    problems = []
    for pk in sorted({household.pk, *(p.pk for p in people)}):
        for route in ONE_INT:
            url = route.split("<")[0] + str(pk) + route.split(">", 1)[1]
            response = client.get(url)
            _release(response)
            if response.status_code >= 500:
                problems.append(f"{url}: {response.status_code}")
                continue
            body = _text(response)
            problems += [f"{url}: {s}" for s in (*SECRETS, "张建国", "李秀英") if s in body]
    assert problems == []
