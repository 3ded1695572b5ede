"""Dashboard figures of 一键通: incidents by alarm kind, minutes each escalation rung took (core.figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count

from minzheng.core.figures import Figure


def incidents(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.emergency.models import Incident

    yield from Incident.objects.values_list("division_code", "kind").annotate(n=Count("id")).order_by()


def rung_minutes(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    """One row per finished rung: minutes from its start to its end (answered, escalated or closed)."""
    from minzheng.emergency.models import EscalationStep

    steps = EscalationStep.objects.filter(ended_at__isnull=False)
    for code, rung, start, end in steps.values_list(
        "incident__division_code", "rung", "started_at", "ended_at"
    ).iterator():
        yield code, rung, max(int((end - start).total_seconds() // 60), 0)


def _kinds() -> dict[str, str]:
    from minzheng.emergency.models import AlarmKind

    return {k.value: str(k.label) for k in AlarmKind}


def _rungs() -> dict[str, str]:
    from minzheng.emergency.models import Rung

    return {k.value: str(k.label) for k in Rung}


FIGURES = [
    Figure("emergency.incidents", "紧急呼叫事件（按报警类型）", "养老服务", "起", incidents,
           link="/emergency/incidents/", chart="pie", order=40, bucket_labels=_kinds),
    Figure("emergency.rung_minutes", "各升级环节用时（中位数）", "养老服务", "分钟", rung_minutes,
           link="/emergency/incidents/", chart="bar", combine="median", order=50, bucket_labels=_rungs),
]  # fmt: skip
