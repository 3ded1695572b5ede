"""Navigation as an extension point: each app registers its entries from its AppConfig.ready().

Core keeps only the registry; the portal's context processor asks it for the entries a user may use.
A group of several entries is shown as a menu (details/summary; the bar of a town officer had grown to
45 links over three rows), a group of one as its link; groups are ordered by `group_order`, and within a
group the apps' entries follow by `order`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# (label, url) pairs an app offers this user; [] for none. The user is the accounts app's User, which
# core may not name (core imports no app).
Entries = Callable[[Any], list[tuple[str, str]]]


@dataclass(frozen=True)
class NavSource:
    group: str
    group_order: int
    order: int
    entries: Entries


_SOURCES: dict[str, NavSource] = {}


def register(key: str, *, group: str, group_order: int, order: int, entries: Entries) -> None:
    """Add (or, on a second ready(), replace) one app's entries under `key` (its app label)."""
    _SOURCES[key] = NavSource(group=group, group_order=group_order, order=order, entries=entries)


def groups_for(user: Any) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(group label, [(entry label, url), ...]), ...]: only the groups this user has entries in."""
    result: list[tuple[str, list[tuple[str, str]]]] = []
    for source in sorted(_SOURCES.values(), key=lambda s: (s.group_order, s.order)):
        entries = source.entries(user)
        if not entries:
            continue
        if result and result[-1][0] == source.group:
            result[-1][1].extend(entries)
        else:
            result.append((source.group, list(entries)))
    return result
