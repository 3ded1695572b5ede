"""What the rules engine says about a case: a screening, never itself the decision.

The case's stage asks the engine (at 乡镇审核 and again at 审核确认) for the one policy
its type names, for the household (or, for a person-level type, the applicant), on the
day of the step. Undecided (待核对) comes back as eligible None with what is missing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.cases.casetypes import case_type
from minzheng.cases.models import Case


def _pick(policies: list[dict[str, Any]], policy_id: str, person_id: int | None) -> dict[str, Any] | None:
    for row in policies:
        if row.get("policy_id") != policy_id:
            continue
        if person_id is None or row.get("person_id") == person_id:
            return row
    return None


def screen(case: Case, as_of: dt.date | None = None) -> dict[str, Any]:
    from minzheng.rules.eligibility import household_result

    ctype = case_type(case.case_type)
    as_of = as_of or timezone.localdate()
    person_id = case.applicant_id if ctype.subject == "person" else None
    try:
        result = household_result(case.household, as_of)
    except Exception as exc:  # an engine failure must not block the officer; it is shown as 待核对
        return {"eligible": None, "amount_fen": None, "explanation": [], "missing": [f"规则判定失败：{exc}"]}
    row = _pick(result.get("policies") or [], ctype.policy, person_id)
    if row is None:
        return {"eligible": None, "amount_fen": None, "explanation": [], "missing": ["规则目录中没有该户的判定结果"]}
    explanation = [e.get("text", str(e)) if isinstance(e, dict) else str(e) for e in row.get("explanation") or []]
    return {
        "as_of": as_of.isoformat(),
        "eligible": row.get("eligible"),
        "amount_fen": row.get("amount_fen"),
        "explanation": explanation,
        "missing": list(row.get("missing") or []),
    }
