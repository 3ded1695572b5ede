"""The parameter maker-checker on the workflow kernel: the machine as a table, four eyes, independence."""

from __future__ import annotations

from itertools import product

import pytest

from minzheng.accounts.services import user_create
from minzheng.rules.approvals import MACHINE
from minzheng.rules.models import ParameterChange
from minzheng.rules.services import RulesError, param_change_approve, param_change_propose, param_change_reject
from minzheng.rules.tests.test_params import change_data, imported  # noqa: F401 - the fixture
from minzheng.testing import COUNTY, PASSWORD, Cast
from minzheng.workflow import services as workflow
from minzheng.workflow.services import TransitionRefused

S = ParameterChange.Status
ALLOWED = {(S.PENDING, S.APPROVED), (S.PENDING, S.REJECTED)}


def test_the_machine_has_two_decisions_both_under_four_eyes() -> None:
    assert MACHINE.pairs() == ALLOWED
    assert set(MACHINE.states) == set(S.values)
    assert all(t.four_eyes == ("pending",) for t in MACHINE.transitions)
    assert MACHINE.find(S.PENDING, S.REJECTED).reason  # type: ignore[union-attr]


def test_every_pair_through_the_kernel(imported: None, cast: Cast) -> None:  # noqa: F811
    change = param_change_propose(actor=cast.county_approver, data=change_data())
    for source, target in product(S.values, S.values):
        ParameterChange.objects.filter(pk=change.pk).update(status=source)
        change.refresh_from_db()
        if (source, target) in ALLOWED:
            workflow.transition(change, target, actor=cast.sysadmin, reason="表驱动测试")
            change.refresh_from_db()
            assert change.status == target
            continue
        with pytest.raises(TransitionRefused, match=f"不能转为「{MACHINE.state_label(target)}」"):
            workflow.transition(change, target, actor=cast.sysadmin, reason="表驱动测试")


def test_the_proposer_may_neither_approve_nor_reject(imported: None, cast: Cast) -> None:  # noqa: F811
    maker = cast.county_approver
    change = param_change_propose(actor=maker, data=change_data())
    assert [(t.source, t.target, t.actor_id) for t in workflow.history(change)] == [("", "pending", maker.pk)]
    with pytest.raises(RulesError, match="审核人不能是提出人"):
        param_change_approve(actor=maker, change=change)
    with pytest.raises(RulesError, match="审核人不能是提出人"):
        param_change_reject(actor=maker, change=change, note="不同意")
    assert ParameterChange.objects.get(pk=change.pk).status == S.PENDING


def test_a_proposal_from_before_the_history_still_bars_its_proposer(imported: None, cast: Cast) -> None:  # noqa: F811
    maker = cast.county_approver
    change = param_change_propose(actor=maker, data=change_data())
    workflow.history(change)[0].delete()  # as if proposed before the kernel kept a history
    with pytest.raises(RulesError, match="审核人不能是提出人"):
        param_change_approve(actor=maker, change=change)
    assert ParameterChange.objects.get(pk=change.pk).status == S.PENDING


def test_an_account_the_proposer_created_may_not_approve(imported: None, cast: Cast) -> None:  # noqa: F811
    maker = cast.sysadmin
    change = param_change_propose(actor=maker, data=change_data())
    made = user_create(actor=maker, username="chener", role="county_approver", jurisdiction=COUNTY, password=PASSWORD)
    with pytest.raises(RulesError, match="审核人账号由提出人 guanli 创建或修改过"):
        param_change_approve(actor=made, change=change)
    param_change_approve(actor=cast.county_approver, change=change, note="同意")
    change.refresh_from_db()
    assert (change.status, change.decided_by, change.decision_note) == (S.APPROVED, cast.county_approver, "同意")
    assert [(t.source, t.target) for t in workflow.history(change)] == [("", "pending"), ("pending", "approved")]


def test_a_stale_copy_loses_to_the_first_decision(imported: None, cast: Cast) -> None:  # noqa: F811
    change = param_change_propose(actor=cast.county_approver, data=change_data())
    stale = ParameterChange.objects.get(pk=change.pk)
    param_change_reject(actor=cast.sysadmin, change=change, note="数字有误")
    with pytest.raises(TransitionRefused, match="本件已被他人处理：当前为「已驳回」"):
        workflow.transition(stale, S.APPROVED, actor=cast.sysadmin)
    assert ParameterChange.objects.get(pk=change.pk).status == S.REJECTED
