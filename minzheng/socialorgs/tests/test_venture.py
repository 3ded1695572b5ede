"""公益创投 from call to evaluation: registered applicants only, several reviewers, the award within the budget,
instalments with four eyes and after a passed mid-term, the round closed only when every project is evaluated."""

from __future__ import annotations

import pytest

from minzheng.socialorgs import items
from minzheng.socialorgs import services as register
from minzheng.socialorgs import services_venture as venture
from minzheng.socialorgs.models import Organisation
from minzheng.socialorgs.models_venture import Application
from minzheng.socialorgs.services import SocialOrgError
from minzheng.socialorgs.tests.conftest import TODAY, make_org
from minzheng.testing import VILLAGE_A, Cast
from minzheng.workflow.services import TransitionRefused
from minzheng.workitems.models import WorkItem


def test_round_from_call_to_close(cast: Cast, org: Organisation) -> None:
    other = make_org(cast, "咸祥镇志愿者协会", 80)
    shut = make_org(cast, "异常协会", 81)
    register.abnormal_enter(shut, reason="未报年报", actor=cast.socialorg_officer)
    rnd = venture.round_create(
        venture.Call("2026年度社区公益创投", 2026, 10_000_000, 6_000_000, TODAY), actor=cast.socialorg_officer
    )
    ask = {"summary": "每周为独居老人送餐并陪伴", "division_code": VILLAGE_A}
    mine = venture.apply(rnd, org, title="银龄陪伴", requested_fen=6_000_000, actor=cast.org_account, **ask)
    theirs = venture.apply(rnd, other, title="儿童课堂", requested_fen=5_000_000, actor=cast.socialorg_officer, **ask)
    with pytest.raises(SocialOrgError, match="活动异常名录内"):
        venture.apply(rnd, shut, title="某项目", requested_fen=100_000, actor=cast.socialorg_officer, **ask)
    with pytest.raises(SocialOrgError, match=r"不超过单个项目上限 60,000\.00 元"):
        venture.apply(rnd, org, title="大项目", requested_fen=7_000_000, actor=cast.org_account, **ask)
    with pytest.raises(SocialOrgError, match="不在评审阶段"):
        venture.score(mine, value=90, actor=cast.socialorg_officer)
    venture.round_close_call(rnd, actor=cast.socialorg_officer)
    experts = ["", "钱专家", "孙专家"]  # "": the officer scores as an expert (邵组); the others' sheets entered
    for expert, a, b in zip(experts, (90, 85, 80), (70, 66, 64), strict=True):
        venture.score(mine, value=a, expert=expert, actor=cast.socialorg_officer)
        if expert != experts[-1]:
            venture.score(theirs, value=b, expert=expert, actor=cast.socialorg_officer)
    with pytest.raises(SocialOrgError, match="评审专家 邵组 已为该项目评分，不能重复评分"):
        venture.score(mine, value=10, actor=cast.socialorg_officer)
    with pytest.raises(TransitionRefused, match="评审人数不足 3 人：儿童课堂"):
        venture.round_award(rnd, actor=cast.county_approver)
    venture.score(theirs, value=60, expert="孙专家", actor=cast.county_approver)
    awarded = venture.round_award(rnd, actor=cast.county_approver)
    # Best first: 银龄陪伴 60,000 of the 100,000 budget, 儿童课堂 gets the remaining 40,000 (asked 50,000).
    assert [(a.title, a.awarded_fen) for a in awarded] == [("银龄陪伴", 6_000_000), ("儿童课堂", 4_000_000)]
    first, second = Application.objects.get(pk=mine.pk).instalments.order_by("seq")
    assert (first.amount_fen, second.amount_fen, second.after_midterm) == (3_600_000, 2_400_000, True)
    items.refresh_items()
    assert WorkItem.objects.filter(kind="venture_instalment", status="open", role="county_approver").count() == 4
    with pytest.raises(TransitionRefused, match="四眼原则"):
        venture.instalment_approve(first, actor=cast.county_approver)  # who planned it (at the award)
    venture.instalment_approve(first, actor=cast.socialorg_officer)
    venture.instalment_pay(first, voucher="鄞财拨0001", on=TODAY, actor=cast.socialorg_officer)
    with pytest.raises(TransitionRefused, match="中期评估合格后拨付"):
        venture.instalment_approve(second, actor=cast.socialorg_officer)
    with pytest.raises(SocialOrgError, match="请先完成中期评估"):
        venture.evaluate(mine, stage="final", value=90, on=TODAY, actor=cast.socialorg_officer)
    venture.evaluate(mine, stage="midterm", value=82, on=TODAY, actor=cast.socialorg_officer)
    venture.instalment_approve(second, actor=cast.socialorg_officer)
    with pytest.raises(TransitionRefused, match="尚未结项评估：银龄陪伴、儿童课堂"):
        venture.round_close(rnd, actor=cast.socialorg_officer)
    mine = Application.objects.get(pk=mine.pk)
    theirs = Application.objects.get(pk=theirs.pk)
    venture.evaluate(mine, stage="final", value=88, on=TODAY, actor=cast.socialorg_officer)
    venture.evaluate(theirs, stage="midterm", value=70, on=TODAY, actor=cast.socialorg_officer)
    venture.evaluate(theirs, stage="final", value=50, on=TODAY, actor=cast.socialorg_officer)
    venture.round_close(rnd, actor=cast.socialorg_officer)
    statuses = dict(Application.objects.values_list("title", "status"))
    assert statuses == {"银龄陪伴": "closed", "儿童课堂": "failed"}
