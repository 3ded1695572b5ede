"""一键核对（家庭经济状况核对）: who may see or change what. The only place this app's role decisions are made."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import covers

# 匹配复核 (identity matching review): the 核对中心's work; nobody else confirms a link.
MATCH_REVIEW = {Role.VERIFICATION_CENTER}


def _has(user: Any, roles: set[Role]) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.role in roles)


def can_review_matches(user: Any) -> bool:
    return _has(user, MATCH_REVIEW)


def can_review_candidate(user: Any, candidate: Any) -> bool:
    """Role, and the candidate person inside the user's jurisdiction."""
    return can_review_matches(user) and covers(user.jurisdiction, candidate.division_code)


def nav_entries(user: Any) -> list[tuple[str, str]]:
    """(label, url) navigation entries this user's role may use; [] for none."""
    entries: list[tuple[str, str]] = []
    if can_review_matches(user):
        entries.append(("匹配复核", reverse("verification:match_review")))
    return entries
