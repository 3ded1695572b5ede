"""Reads for 地名 pages: the scoped register with search, an application's allowed steps, the public lookup."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from minzheng.core.jurisdiction import text_prefix_q
from minzheng.divisions.models import Division
from minzheng.placenames import access
from minzheng.placenames.models import NamingApplication, PlaceName
from minzheng.placenames.services import machine_of


def search(qs: QuerySet[PlaceName], q: str, category: str = "", status: str = "") -> QuerySet[PlaceName]:
    """By the start of the name or of its sign spelling (e.g. “瞻岐” or “Zhanqi”)."""
    q = q.strip()
    if q:
        qs = qs.filter(text_prefix_q("name", q) | Q(roman_sign__istartswith=q) | Q(code=q.upper()))
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("division_code", "name")


def places(user: Any, q: str = "", category: str = "", status: str = "") -> QuerySet[PlaceName]:
    return search(access.places_visible_to(user), q, category, status)


def public_places(q: str) -> list[PlaceName]:
    """What anyone may look up: names in use (and renamed ones, so an old name finds its new one)."""
    if not q.strip():
        return []
    qs = PlaceName.objects.exclude(status=PlaceName.Status.ABOLISHED)
    found = list(search(qs, q)[:50])
    renamed = PlaceName.objects.filter(changes__old_name__startswith=q.strip()).exclude(pk__in=[p.pk for p in found])
    return found + list(renamed[:20])


def division_names(codes: set[str]) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=codes).values_list("code", "name"))


def steps_for(app: NamingApplication, user: Any) -> list[dict[str, Any]]:
    """The steps this user's role may take from the current state, with the inputs each needs."""
    needs = {"publicity": ["expert_opinion", "publicity_until"], "approved": ["approval_no"]}
    out = []
    for t in machine_of(app).allowed_from(app.status):
        if t.roles and getattr(user, "role", None) not in t.roles:
            continue
        out.append({"to": t.target, "action": t.action, "reason": t.reason, "needs": needs.get(t.target, [])})
    return out
