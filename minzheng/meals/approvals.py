"""The meal settlement's approval on the workflow kernel: 待审核 → 已审核, maker-checker in one place.

Four eyes is the kernel's: each (re)build enters the settlement into 待审核 under the builder's
name, so `four_eyes: [draft]` refuses every builder as approver. The guard adds the check across
accounts (`accounts.access.independent_of`): nor may the approver's account have been created or
changed by the last builder. Same shape as the care statement (eldercare/approvals.py).
"""

from __future__ import annotations

from typing import Any

from minzheng.meals.models import Settlement
from minzheng.workflow.machine import Machine, load
from minzheng.workflow.services import Binding, TransitionRefused, bind, guard, start, transition

GUARD = "meals.settlement_independent"
MACHINE: Machine = load(
    "meals_settlement",
    {
        "label": "助餐月度结算",
        "states": {
            "draft": {"label": "待审核", "initial": True},
            "approved": {"label": "已审核", "final": True},
        },
        "transitions": [
            {"from": "draft", "to": "approved", "action": "审核", "four_eyes": ["draft"], "guards": [GUARD]},
        ],
    },
)
bind(Settlement, Binding(object_type="meals_settlement", machine=lambda settlement: MACHINE, state_field="status"))


@guard(GUARD)
def _independent_of_builder(settlement: Settlement, actor: Any, data: dict[str, Any]) -> str | None:
    from minzheng.accounts.access import independent_of

    maker = settlement.built_by
    if maker is None or not getattr(actor, "is_authenticated", False):
        return None
    if actor.pk == maker.pk:  # a settlement built before the history was kept: the field still names the maker
        return "审核人不能是生成结算单的人"
    if not independent_of(actor, maker):
        return f"审核人账号由结算单生成人 {maker.username} 创建或修改过，不能审核该结算单"
    return None


def built(settlement: Settlement, *, actor: Any, client_ip: str = "") -> None:
    """Each (re)build is an entry into 待审核 in the history: the builder becomes a barred approver."""
    start(settlement, actor=actor, client_ip=client_ip)


def approve(settlement: Settlement, *, actor: Any, now: Any, client_ip: str = "") -> None:
    from minzheng.meals.services import MealsError

    try:
        transition(
            settlement,
            Settlement.Status.APPROVED,
            actor=actor,
            changes={"approved_by": actor, "approved_at": now},
            client_ip=client_ip,
        )
    except TransitionRefused as exc:
        if exc.code == "four_eyes":
            raise MealsError("四眼原则：审核人不能是生成结算单的人") from exc
        raise MealsError(str(exc)) from exc
