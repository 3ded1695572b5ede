"""Reads over child files, scoped to the user's jurisdiction; lists are masked.

Exposed to the other apps (childvisits, cases): `children_visible_to`, `child_categories`,
`children_in_village`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from minzheng.children import access
from minzheng.children.categories import CATEGORIES
from minzheng.children.models import ChildCategory, ChildFile, Guardian, ParentSituation
from minzheng.core.jurisdiction import prefix_q
from minzheng.core.masking import mask_id_number, mask_name

CATEGORY_LABELS = {cid: label for cid, (_, label) in CATEGORIES.items()}


def children_visible_to(user: Any) -> QuerySet[ChildFile]:
    """Child files within the user's jurisdiction (none for a role that may not read them)."""
    return access.files_visible_to(user)


def child_categories(child: ChildFile) -> list[str]:
    """The category ids the rules engine found for this child at its last computation (待核对 not included)."""
    found = ChildCategory.objects.filter(child=child).values_list("categories", flat=True).first()
    return list(found or [])


def child_pending(child: ChildFile) -> list[str]:
    found = ChildCategory.objects.filter(child=child).values_list("pending", flat=True).first()
    return list(found or [])


def children_in_village(code: str) -> QuerySet[ChildFile]:
    """Every child file in a village (or any division prefix): the visit plans read this."""
    return ChildFile.objects.filter(prefix_q("division_code", code)).select_related("person", "category")


def filtered(qs: QuerySet[ChildFile], *, category: str = "", village: str = "", pending: bool = False) -> Any:
    qs = qs.select_related("person", "category")
    if village:
        qs = qs.filter(prefix_q("division_code", village))
    if category or pending:
        # JSON containment differs between SQLite and PostgreSQL: filter the stored lists in Python.
        rows = ChildCategory.objects.filter(child__in=qs.values("pk")).values_list("child_id", "categories", "pending")
        ids = [cid for cid, cats, pend in rows if _matches(category, pending, cats, pend)]
        qs = qs.filter(pk__in=ids)
    return qs.order_by("division_code", "person__birth_date", "pk")


def _matches(category: str, pending: bool, cats: list[str], pend: list[str]) -> bool:
    """待核对 with a category: pending on that category; 待核对 alone: pending on any; else found."""
    if pending:
        return category in pend if category else bool(pend)
    return category in cats


@dataclass
class ChildRow:
    pk: int
    name: str
    id_number: str
    age: int
    division_code: str
    categories: list[str]
    pending: list[str]

    @classmethod
    def of(cls, child: ChildFile, today: Any) -> ChildRow:
        cat = getattr(child, "category", None) if hasattr(child, "category") else None
        return cls(
            child.pk,
            mask_name(child.person.name),
            mask_id_number(child.person.id_number),
            age_on(child.person.birth_date, today),
            child.division_code,
            [CATEGORY_LABELS[c] for c in (cat.categories if cat else [])],
            [CATEGORY_LABELS[c] for c in (cat.pending if cat else [])],
        )


def age_on(birth: Any, day: Any) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def situations(child: ChildFile) -> QuerySet[ParentSituation]:
    return child.situations.select_related("parent_person", "recorded_by").order_by("parent", "-since", "-pk")


def guardians(child: ChildFile) -> QuerySet[Guardian]:
    return child.guardians.select_related("person").order_by("-is_primary", "-since", "-pk")


def linked(child: ChildFile) -> dict[str, Any]:
    """Payments (Entitlement where person = child) and cases that name this child."""
    from minzheng.payments.models import Entitlement

    out: dict[str, Any] = {"entitlements": list(Entitlement.objects.filter(person=child.person).order_by("-pk")[:20])}
    from minzheng.cases.models import Case

    # A child case (孤儿 / 事实无人抚养) names the child as the applicant.
    out["cases"] = list(Case.objects.filter(applicant=child.person).order_by("-pk")[:20])
    return out
