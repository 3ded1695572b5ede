"""The order lifecycle as data: `data/order_machine.yaml`, loaded into a workflow kernel machine.

下单 → 派单 → 接单 → 签到 → 服务中 → 签退 → 回访 → 结算; 取消 before the door; 未上门 after
dispatch; a caregiver may decline a dispatched order (back to 已下单 for another dispatch).
Anything not in the machine is refused with both states named. `TRANSITIONS` is the same
table as a dict, derived from the machine (pages and tests read it).
"""

from __future__ import annotations

from pathlib import Path

import yaml

from minzheng.eldercare.models import OrderStatus as S
from minzheng.workflow.machine import Machine, load

MACHINE: Machine = load(
    "eldercare_order", yaml.safe_load((Path(__file__).with_name("data") / "order_machine.yaml").read_text("utf-8"))
)
TRANSITIONS: dict[tuple[str, str], str] = {(t.source, t.target): t.action for t in MACHINE.transitions}
# Ending an order early (or declining it) must say why: the targets of the steps that need a reason.
NEEDS_REASON = {t.target for t in MACHINE.transitions if t.reason}


class TransitionError(ValueError):
    """Refused transition or missing data; the message is Chinese and names the order and states."""


def check(order_id: int, current: str, target: str) -> str:
    """The action's name, or TransitionError naming both states."""
    step = MACHINE.find(current, target)
    if step is None:
        raise TransitionError(f"订单 {order_id} 当前为“{S(current).label}”，不能变为“{S(target).label}”")
    return step.action


def allowed_from(current: str) -> list[str]:
    return [t.target for t in MACHINE.allowed_from(current)]
