"""The care statement's approval on the workflow kernel: 待审核 → 已审核, maker-checker in one place.

Four eyes is the kernel's: whoever built (or rebuilt) the statement entered it into 待审核, so the
history names them and `four_eyes: [draft]` refuses them as approver. The guard adds the check across
accounts (`accounts.access.independent_of`): nor may the approver's account have been created or
changed by the builder, the same rule as the meal settlement and the parameter maker-checker.
"""

from __future__ import annotations

from typing import Any

from minzheng.eldercare.models import Statement
from minzheng.workflow.machine import Machine, load
from minzheng.workflow.services import Binding, bind, guard

GUARD = "eldercare.statement_independent"
MACHINE: Machine = load(
    "eldercare_statement",
    {
        "label": "居家养老服务结算单",
        "states": {
            "draft": {"label": "待审核", "initial": True},
            "approved": {"label": "已审核", "final": True},
        },
        "transitions": [
            {"from": "draft", "to": "approved", "action": "审核", "four_eyes": ["draft"], "guards": [GUARD]},
        ],
    },
)
bind(Statement, Binding(object_type="eldercare_statement", machine=lambda statement: MACHINE, state_field="status"))


@guard(GUARD)
def _independent_of_builder(statement: Statement, actor: Any, data: dict[str, Any]) -> str | None:
    from minzheng.accounts.access import independent_of

    maker = statement.built_by
    if maker is None or not getattr(actor, "is_authenticated", False):
        return None
    if actor.pk == maker.pk:
        return "审核人不能是生成结算单的人"
    if not independent_of(actor, maker):
        return f"审核人账号由结算单生成人 {maker.username} 创建或修改过，不能审核该结算单"
    return None
