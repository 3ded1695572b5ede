"""Dashboard figure of verification: 核对工作清单 findings by kind, and how many are still open (core.figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count

from minzheng.core.figures import Figure


def findings(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.verification.models import WorklistItem

    yield from WorklistItem.objects.values_list("division_code", "kind").annotate(n=Count("id")).order_by()


def pending(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    """Findings whose 待办 is still open."""
    from minzheng.verification.items import SOURCE
    from minzheng.workitems.models import WorkItem

    open_items = WorkItem.objects.filter(source=SOURCE, status=WorkItem.Status.OPEN)
    yield from open_items.values_list("division_code", "kind").annotate(n=Count("id")).order_by()


def _kinds() -> dict[str, str]:
    from minzheng.verification.models import WorklistItem

    return {k.value: str(k.label) for k in WorklistItem.Kind}


FIGURES = [
    Figure("verification.findings", "核对发现（按类型）", "核对", "件", findings,
           link="/verification/worklist/?kind={bucket}&status=", chart="pie", order=10, bucket_labels=_kinds),
    Figure("verification.pending", "核对发现待处理", "核对", "件", pending,
           link="/verification/worklist/?kind={bucket}&status=open", chart="bar", order=20, bucket_labels=_kinds),
]  # fmt: skip
