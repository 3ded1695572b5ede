"""The order lifecycle on the workflow kernel, as a table: every allowed and every refused pair."""

from __future__ import annotations

from itertools import product
from typing import Any

from minzheng.eldercare import orders
from minzheng.eldercare.lifecycle import MACHINE, TRANSITIONS, TransitionError
from minzheng.eldercare.models import Order, OrderStatus
from minzheng.eldercare.testing import CareWorld
from minzheng.eldercare.tests.helpers import at, place
from minzheng.workflow.models import TransitionLog

S = OrderStatus
# The table as it stood before the move onto the kernel (lifecycle.TRANSITIONS, issue 5): the machine
# must allow exactly these pairs, with the same action names.
BEFORE = {
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


def test_the_machine_allows_exactly_the_old_table() -> None:
    assert TRANSITIONS == BEFORE
    assert set(MACHINE.states) == set(S.values)
    assert {s.id for s in MACHINE.states.values() if s.final} == {S.SETTLED, S.CANCELLED, S.MISSED}
    assert {t.target for t in MACHINE.transitions if t.reason} == {S.PLACED, S.CANCELLED, S.MISSED}


def test_every_pair_through_the_kernel_allowed_or_refused_naming_both_states(cast: Any, care: CareWorld) -> None:
    order = place(cast, care.elder, ["SC01"], at(10, 9))
    for source, target in product(S.values, S.values):
        Order.objects.filter(pk=order.pk).update(status=source)
        order.refresh_from_db()
        logged = TransitionLog.objects.filter(object_type="eldercare_order", object_id=str(order.pk)).count()
        if (source, target) in BEFORE:
            orders._transition(order, target, actor=cast.hotline_operator, reason="表驱动测试")
            order.refresh_from_db()
            assert order.status == target, (source, target)
            last = TransitionLog.objects.filter(object_type="eldercare_order", object_id=str(order.pk)).last()
            assert (last.source, last.target, last.action) == (source, target, BEFORE[(source, target)])
            continue
        try:
            orders._transition(order, target, actor=cast.hotline_operator, reason="表驱动测试")
        except TransitionError as exc:
            assert f"当前为“{S(source).label}”，不能变为“{S(target).label}”" in str(exc), (source, target)
        else:
            raise AssertionError(f"{source} → {target} should be refused")
        order.refresh_from_db()
        assert order.status == source
        assert TransitionLog.objects.filter(object_type="eldercare_order", object_id=str(order.pk)).count() == logged


def test_a_step_needing_a_reason_is_refused_without_one_for_every_such_pair(cast: Any, care: CareWorld) -> None:
    order = place(cast, care.elder, ["SC01"], at(10, 9))
    for (source, target), action in BEFORE.items():
        if target not in (S.PLACED, S.CANCELLED, S.MISSED):
            continue
        Order.objects.filter(pk=order.pk).update(status=source)
        order.refresh_from_db()
        try:
            orders._transition(order, target, actor=cast.hotline_operator, reason="  ")
        except TransitionError as exc:
            assert f"{action}须说明原因" in str(exc)
        else:
            raise AssertionError(f"{source} → {target} without a reason should be refused")


def test_a_stale_copy_loses_the_race_and_the_order_is_moved_once(cast: Any, care: CareWorld) -> None:
    """Two operators holding the same order: the second one's compare-and-set finds it moved."""
    order = place(cast, care.elder, ["SC01"], at(10, 9))
    stale = Order.objects.get(pk=order.pk)
    orders.order_cancel(actor=cast.hotline_operator, order=order, reason="家属取消")
    try:
        orders._transition(stale, S.DISPATCHED, actor=cast.hotline_operator)
    except TransitionError as exc:
        assert "本件已被他人处理" in str(exc) and "已取消" in str(exc) and "已派单" in str(exc)
    else:
        raise AssertionError("the stale copy should lose")
    order.refresh_from_db()
    assert order.status == S.CANCELLED
    assert TransitionLog.objects.filter(object_type="eldercare_order", object_id=str(order.pk)).count() == 2
