"""The parameter maker-checker on the workflow kernel: 待审核 → 已生效 or 已驳回.

Four eyes is the kernel's: the proposer entered the change into 待审核 (its history's first row),
and `four_eyes: [pending]` refuses them as approver or rejecter. Guards keep the rule for changes
proposed before the history was kept (the proposer field) and add, for approval, the check across
accounts (`accounts.access.independent_of`), as for the care statement and the meal settlement.
"""

from __future__ import annotations

from typing import Any

from minzheng.rules.models import ParameterChange
from minzheng.workflow.machine import Machine, load
from minzheng.workflow.services import Binding, TransitionRefused, bind, guard, transition

NOT_PROPOSER = "rules.not_proposer"
INDEPENDENT = "rules.independent_of_proposer"
SAME_PERSON = "审核人不能是提出人：参数调整须由另一名工作人员审核（双人复核）"
MACHINE: Machine = load(
    "parameter_change",
    {
        "label": "政策参数调整",
        "states": {
            "pending": {"label": "待审核", "initial": True},
            "approved": {"label": "已生效", "final": True},
            "rejected": {"label": "已驳回", "final": True},
        },
        "transitions": [
            {
                "from": "pending",
                "to": "approved",
                "action": "审核通过",
                "four_eyes": ["pending"],
                "guards": [NOT_PROPOSER, INDEPENDENT],
            },
            {
                "from": "pending",
                "to": "rejected",
                "action": "驳回",
                "reason": True,
                "four_eyes": ["pending"],
                "guards": [NOT_PROPOSER],
            },
        ],
    },
)
bind(ParameterChange, Binding(object_type="parameter_change", machine=lambda change: MACHINE, state_field="status"))


@guard(NOT_PROPOSER)
def _not_proposer(change: ParameterChange, actor: Any, data: dict[str, Any]) -> str | None:
    return SAME_PERSON if change.proposed_by_id == getattr(actor, "pk", None) else None


@guard(INDEPENDENT)
def _independent(change: ParameterChange, actor: Any, data: dict[str, Any]) -> str | None:
    from minzheng.accounts.access import independent_of

    maker = change.proposed_by
    if getattr(actor, "is_authenticated", False) and not independent_of(actor, maker):
        who = f"审核人账号由提出人 {maker.username} 创建或修改过"
        return f"{who}，不能审核其提出的参数调整：请由另一名独立的工作人员审核"
    return None


def decide(change: ParameterChange, to: str, *, actor: Any, note: str, now: Any, client_ip: str = "") -> None:
    """The checker's step through the kernel (history row, typed audit event, compare-and-set)."""
    from minzheng.rules.services import RulesError

    changes = {"decided_by": actor, "decided_at": now, "decision_note": note}
    try:
        transition(change, to, actor=actor, reason=note, changes=changes, client_ip=client_ip)
    except TransitionRefused as exc:
        raise RulesError(SAME_PERSON if exc.code == "four_eyes" else str(exc)) from exc
