"""Reads of cases for pages and the API: scoped lists, one case with its history and decision."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from minzheng.cases.access import cases_visible_to
from minzheng.cases.casetypes import case_type, finals_of_any_type
from minzheng.cases.models import Case
from minzheng.workdays.selectors import settled
from minzheng.workflow.services import history


def stage_label(case: Case) -> str:
    return case_type(case.case_type).machine.state_label(case.status)


def is_open(case: Case) -> bool:
    return not case_type(case.case_type).machine.states[case.status].final


def overdue(user: Any, today: Any = None) -> QuerySet[Case]:
    """Open cases past their stage deadline or their whole-procedure deadline."""
    from django.db.models import Q

    today = today or timezone.localdate()
    finals = finals_of_any_type()
    late = Q(stage_due_on__lt=today) | Q(due_on__lt=today)
    return cases_visible_to(user).exclude(status__in=finals).filter(late)


def overdue_by_town(user: Any, today: Any = None) -> list[dict[str, Any]]:
    """Overdue cases counted per 乡镇（街道） of the user's jurisdiction, most first."""
    from collections import Counter

    from minzheng.divisions.selectors import division_names

    counts = Counter(code[:9] for code in overdue(user, today).values_list("division_code", flat=True))
    names = division_names(f"{town}000" for town in counts)
    return [{"town": names.get(f"{t}000", t), "n": n} for t, n in counts.most_common()]


def case_state(case: Case) -> dict[str, Any]:
    """The API's answer for one case (also what the page shows at its top)."""
    out: dict[str, Any] = {
        "case_no": case.case_no,
        "case_type": case.case_type,
        "status": case.status,
        "status_label": stage_label(case),
        "stage_due_on": case.stage_due_on,
        "due_on": case.due_on,
        "deadlines_settled": settled(*filter(None, [case.received_on, case.due_on, case.stage_due_on])),
        "received_on": case.received_on,
    }
    return out


def case_detail(case: Case) -> dict[str, Any]:
    out = case_state(case)
    out["history"] = [
        {
            "from": h.source,
            "to": h.target,
            "action": h.action,
            "by": h.actor_username,
            "at": h.at,
            "on": h.on,
            "reason": h.reason,
        }
        for h in history(case)
    ]
    if case.decision_eligible is not None:
        out["decision"] = {
            "eligible": case.decision_eligible,
            "amount_fen": case.decision_amount_fen,
            "explanation": case.engine_explanation,
            "engine_eligible": case.engine_eligible,
            "override_reason": case.override_reason,
        }
    elif case.engine_explanation or case.engine_missing:
        out["screening"] = {
            "eligible": case.engine_eligible,
            "amount_fen": case.engine_amount_fen,
            "explanation": case.engine_explanation,
            "missing": case.engine_missing,
        }
    return out
