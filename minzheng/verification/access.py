"""一键核对（家庭经济状况核对）: who may see or change what. The only place this app's role decisions are made."""

from __future__ import annotations

from typing import Any


def nav_entries(user: Any) -> list[tuple[str, str]]:
    """(label, url) navigation entries this user's role may use; [] for none."""
    return []
