"""Dashboard figures of the eligibility worklists: 应享未享 and 不应享而享, found and acted on (core.figures).

Each region's newest finished run is counted (adding runs up would count one household once per
run); whether a finding was acted on is its 待办's status, the one place that is recorded.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator

from minzheng.core.figures import Figure

STATUS_LABELS = {"open": "待处理", "resolved": "已处理", "dismissed": "无需处理"}


def _latest_runs() -> list[int]:
    from minzheng.rules.models import EligibilityRun

    done = EligibilityRun.objects.filter(status=EligibilityRun.Status.DONE)
    done = done.order_by("region_code", "-finished_at", "-id")
    latest: dict[str, int] = {}
    for region, pk in done.values_list("region_code", "id"):
        latest.setdefault(region, pk)
    return list(latest.values())


def _items(kind: str) -> Iterator[tuple[str, str, int]]:
    from minzheng.rules.items import SOURCE, fingerprint
    from minzheng.rules.models import WorklistItem
    from minzheng.workitems.models import WorkItem

    settled = dict(WorkItem.objects.filter(source=SOURCE, kind=kind).values_list("fingerprint", "status"))
    rows = WorklistItem.objects.filter(run_id__in=_latest_runs(), kind=kind)
    fields = ("kind", "policy_id", "household_id", "person_id", "division_code")
    counts = Counter((r.division_code, settled.get(fingerprint(r), "open")) for r in rows.only(*fields).iterator())
    for (division, status), n in counts.items():
        yield division, status, n


def missing(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    return _items("missing")


def undue(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    return _items("undue")


FIGURES = [
    Figure("rules.missing", "应享未享（已处理 / 待处理）", "社会救助", "件", missing,
           link="/rules/worklist/?kind=missing&status={bucket}", chart="pie", order=60, bucket_labels=STATUS_LABELS),
    Figure("rules.undue", "不应享而享（已处理 / 待处理）", "社会救助", "件", undue,
           link="/rules/worklist/?kind=undue&status={bucket}", chart="pie", order=65, bucket_labels=STATUS_LABELS),
]  # fmt: skip
