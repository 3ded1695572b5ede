"""The navigation registry: apps add their entries from ready(); core knows no app."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from minzheng.core import navigation


@pytest.fixture
def empty_registry() -> Iterator[None]:
    saved = dict(navigation._SOURCES)
    navigation._SOURCES.clear()
    yield
    navigation._SOURCES.clear()
    navigation._SOURCES.update(saved)


def test_groups_follow_their_order_and_skip_empty_ones(empty_registry: None) -> None:
    navigation.register("b", group="乙", group_order=20, order=10, entries=lambda user: [("b1", "/b1")])
    navigation.register("a2", group="甲", group_order=10, order=20, entries=lambda user: [("a2", "/a2")])
    navigation.register("a1", group="甲", group_order=10, order=10, entries=lambda user: [("a1", "/a1")])
    navigation.register("c", group="丙", group_order=30, order=10, entries=lambda user: [])
    assert navigation.groups_for(object()) == [("甲", [("a1", "/a1"), ("a2", "/a2")]), ("乙", [("b1", "/b1")])]


def test_a_second_ready_replaces_rather_than_doubles(empty_registry: None) -> None:
    for _ in range(2):
        navigation.register("a", group="甲", group_order=10, order=10, entries=lambda user: [("a", "/a")])
    assert navigation.groups_for(object()) == [("甲", [("a", "/a")])]
