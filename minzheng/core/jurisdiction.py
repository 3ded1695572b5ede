"""Jurisdiction = a division-code prefix. Scoping uses an index-friendly range.

`code LIKE '3302%'` cannot use a B-tree index on SQLite (LIKE is case-insensitive
there); `code >= '3302' AND code < '3302:'` can, on SQLite and PostgreSQL
alike, because ':' sorts right after '9' and codes are all digits.
"""

from __future__ import annotations

from django.db.models import Q


def prefix_q(field: str, prefix: str) -> Q:
    if not prefix:
        return Q()
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": prefix + ":"})


def covers(prefix: str, code: str) -> bool:
    return code.startswith(prefix)


def text_prefix_q(field: str, text: str) -> Q:
    """Index-friendly `startswith` for text such as names (same trick, any script)."""
    return Q(**{f"{field}__gte": text, f"{field}__lt": text + "\U0010ffff"})


def within(field: str, requested: str | None) -> Q:
    """A list's `?division=` (the dashboard's drill-down links): narrows a queryset already scoped to the
    user's jurisdiction. It is ANDed with that scope, so a code outside it lists nobody, never more."""
    code = (requested or "").strip()
    return prefix_q(field, code) if code.isdigit() and len(code) <= 12 else Q()
