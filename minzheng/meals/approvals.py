"""The meal settlement's approval: the kernel's one maker-checker (workflow/approvals.py), with Chinese errors."""

from __future__ import annotations

from typing import Any

from minzheng.meals.models import Settlement
from minzheng.workflow.approvals import maker_checker
from minzheng.workflow.machine import Machine
from minzheng.workflow.services import TransitionRefused, start, transition

MACHINE: Machine = maker_checker(Settlement, object_type="meals_settlement", label="助餐月度结算")


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
