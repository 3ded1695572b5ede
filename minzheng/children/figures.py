"""Dashboard figure of child welfare: children by category as the rules last decided (core.figures)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

from minzheng.core.figures import Figure


def by_category(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.children.models import ChildCategory

    counts: Counter[tuple[str, str]] = Counter()
    for code, categories in ChildCategory.objects.values_list("division_code", "categories").iterator():
        for cid in categories or ():
            counts[(code, cid)] += 1
    for (code, cid), n in counts.items():
        yield code, cid, n


def _labels() -> dict[str, str]:
    from minzheng.children.categories import CATEGORIES

    return {cid: label for cid, (_, label) in CATEGORIES.items()}


FIGURES = [
    Figure("children.by_category", "儿童（按类别）", "儿童福利", "人", by_category, link="/children/?category={bucket}",
           chart="bar", order=10, bucket_labels=_labels),
]  # fmt: skip
