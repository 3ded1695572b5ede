"""The order lifecycle as an explicit table: (from, to) → the action's Chinese name.

下单 → 派单 → 接单 → 签到 → 服务中 → 签退 → 回访 → 结算; 取消 before the door; 未上门 after
dispatch; a caregiver may decline a dispatched order (back to 已下单 for another dispatch).
Anything not in the table is refused with both states named.
"""

from __future__ import annotations

from minzheng.eldercare.models import OrderStatus as S

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.PLACED, S.DISPATCHED): "派单",
    (S.DISPATCHED, S.ACCEPTED): "接单",
    (S.DISPATCHED, S.PLACED): "拒单",
    (S.ACCEPTED, S.CHECKED_IN): "签到",
    (S.CHECKED_IN, S.IN_SERVICE): "开始服务",
    (S.IN_SERVICE, S.CHECKED_OUT): "签退",
    (S.CHECKED_OUT, S.VISITED_BACK): "回访",
    (S.VISITED_BACK, S.SETTLED): "结算",
    (S.PLACED, S.CANCELLED): "取消",
    (S.DISPATCHED, S.CANCELLED): "取消",
    (S.ACCEPTED, S.CANCELLED): "取消",
    (S.DISPATCHED, S.MISSED): "未上门",
    (S.ACCEPTED, S.MISSED): "未上门",
}
# Ending an order early must say why.
NEEDS_REASON = {S.CANCELLED, S.MISSED, S.PLACED}


class TransitionError(ValueError):
    """Refused transition or missing data; the message is Chinese and names the order and states."""


def check(order_id: int, current: str, target: str) -> str:
    """The action's name, or TransitionError naming both states."""
    action = TRANSITIONS.get((current, target))
    if action is None:
        raise TransitionError(f"订单 {order_id} 当前为“{S(current).label}”，不能变为“{S(target).label}”")
    return action


def allowed_from(current: str) -> list[str]:
    return [to for (frm, to) in TRANSITIONS if frm == current]
