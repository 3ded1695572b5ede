"""Dashboard figures of the cases: applications by stage, working days to a decision, overdue (core.figures)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import Count, Q

from minzheng.core.figures import Figure


def by_stage(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    from minzheng.cases.models import Case

    yield from Case.objects.values_list("division_code", "status").annotate(n=Count("id")).order_by()


def decision_days(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    """One row per decided case: working days from 受理 to the decision (the median is taken on roll-up)."""
    from minzheng.cases.models import Case
    from minzheng.workdays.selectors import working_days_between

    decided = Case.objects.filter(decided_on__isnull=False, decided_on__lte=as_of)
    for code, received, on in decided.values_list("division_code", "received_on", "decided_on").iterator():
        yield code, "", max(working_days_between(received, on), 0)


def overdue(as_of: dt.date) -> Iterator[tuple[str, str, int]]:
    """Open cases past their stage or whole-procedure deadline (as cases.selectors.overdue)."""
    from minzheng.cases.casetypes import finals_of_any_type
    from minzheng.cases.models import Case

    late = Case.objects.exclude(status__in=finals_of_any_type()).filter(Q(stage_due_on__lt=as_of) | Q(due_on__lt=as_of))
    for code, n in late.values_list("division_code").annotate(n=Count("id")).order_by():
        yield code, "", n


def _stage_labels() -> dict[str, str]:
    from minzheng.cases.casetypes import case_types

    labels: dict[str, str] = {}
    for ctype in case_types().values():
        for state in ctype.machine.states:
            labels.setdefault(state, ctype.machine.state_label(state))
    return labels


FIGURES = [
    Figure(
        "cases.by_stage",
        "申请（按环节）",
        "社会救助",
        "件",
        by_stage,
        link="/cases/?tab=all",
        chart="bar",
        order=10,
        bucket_labels=_stage_labels,
    ),
    Figure(
        "cases.decision_days",
        "受理到决定（中位数）",
        "社会救助",
        "工作日",
        decision_days,
        link="/cases/?tab=all",
        combine="median",
        order=20,
    ),
    Figure("cases.overdue", "逾期未办结", "社会救助", "件", overdue, link="/cases/?tab=overdue", order=30),
]
