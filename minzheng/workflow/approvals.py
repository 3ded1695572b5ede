"""One maker-checker for every monthly approval (care statements, meal settlements …).

待审核 → 已审核: each (re)build enters the object into 待审核 under the builder's name, so the
kernel's `four_eyes: [draft]` refuses every builder as approver; the guard adds the check across
accounts (`accounts.access.independent_of`): nor may the approver's account have been created or
changed by the builder. An app declares its approval in one call and keeps no copy of the rule.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from minzheng.workflow.machine import Machine, load
from minzheng.workflow.services import Binding, bind, guard


def maker_checker(
    model: type[models.Model], *, object_type: str, label: str, noun: str = "结算单", maker_field: str = "built_by"
) -> Machine:
    """Bind `model` (its `status` holds draft / approved) to a 待审核 → 已审核 machine with four eyes."""
    guard_name = f"{object_type}.independent"
    machine = load(
        object_type,
        {
            "label": label,
            "states": {
                "draft": {"label": "待审核", "initial": True},
                "approved": {"label": "已审核", "final": True},
            },
            "transitions": [
                {"from": "draft", "to": "approved", "action": "审核", "four_eyes": ["draft"], "guards": [guard_name]},
            ],
        },
    )
    bind(model, Binding(object_type=object_type, machine=lambda obj: machine, state_field="status"))

    @guard(guard_name)
    def _independent_of_builder(obj: Any, actor: Any, data: dict[str, Any]) -> str | None:
        from minzheng.accounts.access import independent_of

        maker = getattr(obj, maker_field)
        if maker is None or not getattr(actor, "is_authenticated", False):
            return None
        if actor.pk == maker.pk:  # built before the history was kept: the field still names the maker
            return f"审核人不能是生成{noun}的人"
        if not independent_of(actor, maker):
            return f"审核人账号由{noun}生成人 {maker.username} 创建或修改过，不能审核该{noun}"
        return None

    return machine
