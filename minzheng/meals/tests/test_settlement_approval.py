"""The meal settlement's approval on the workflow kernel: four eyes against every builder, independent accounts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from minzheng.accounts.services import user_create
from minzheng.audit.models import AuditEvent
from minzheng.meals import services
from minzheng.meals.approvals import MACHINE
from minzheng.meals.models import Canteen, Settlement
from minzheng.testing import COUNTY, PASSWORD, VILLAGE_A, Cast
from minzheng.workflow import services as workflow

DAY = dt.date(2026, 12, 2)
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC)


@pytest.fixture
def canteen(cast: Cast) -> Canteen:
    return services.canteen_create(actor=cast.town_officer, name="合一村老年食堂", division_code=VILLAGE_A)


def _build(actor: Any, canteen: Canteen) -> Settlement:
    return services.settlement_build(actor=actor, canteen=canteen, month=DAY, now=NOW)


def _still_draft(settlement: Settlement) -> None:
    settlement.refresh_from_db()
    assert settlement.status == Settlement.Status.DRAFT and settlement.approved_by is None


def test_the_machine_is_one_step_with_four_eyes_against_the_builder() -> None:
    assert MACHINE.pairs() == {("draft", "approved")}
    step = MACHINE.find("draft", "approved")
    assert step is not None and step.four_eyes == ("draft",) and step.guards == ("meals_settlement.independent",)


def test_every_builder_is_barred_by_the_kernel(cast: Cast, canteen: Canteen) -> None:
    settlement = _build(cast.town_officer, canteen)
    _build(cast.provider, canteen)  # rebuilt by another: both are makers now
    for maker in (cast.town_officer, cast.provider):
        with pytest.raises(services.MealsError, match="四眼原则：审核人不能是生成结算单的人"):
            services.settlement_approve(actor=maker, settlement=settlement, now=NOW)
    _still_draft(settlement)
    assert [(t.target, t.actor_id) for t in workflow.history(settlement)] == [
        ("draft", cast.town_officer.pk),
        ("draft", cast.provider.pk),
    ]


def test_an_approver_account_the_builder_created_may_not_approve(cast: Cast, canteen: Canteen) -> None:
    settlement = _build(cast.sysadmin, canteen)
    made = user_create(
        actor=cast.sysadmin, username="chener", role="county_approver", jurisdiction=COUNTY, password=PASSWORD
    )
    with pytest.raises(services.MealsError, match="审核人账号由结算单生成人 guanli 创建或修改过"):
        services.settlement_approve(actor=made, settlement=settlement, now=NOW)
    _still_draft(settlement)


def test_a_settlement_from_before_the_history_still_bars_its_builder(cast: Cast, canteen: Canteen) -> None:
    """Built before the kernel kept a history: the built_by field alone refuses the maker (the guard)."""
    settlement = _build(cast.town_officer, canteen)
    workflow.history(settlement)[0].delete()
    with pytest.raises(services.MealsError, match="审核人不能是生成结算单的人"):
        services.settlement_approve(actor=cast.town_officer, settlement=settlement, now=NOW)
    _still_draft(settlement)


def test_an_independent_approver_approves_through_the_kernel(cast: Cast, canteen: Canteen) -> None:
    settlement = _build(cast.town_officer, canteen)
    services.settlement_approve(actor=cast.county_approver, settlement=settlement, now=NOW)
    settlement.refresh_from_db()
    assert (settlement.status, settlement.approved_by, settlement.approved_at) == (
        Settlement.Status.APPROVED,
        cast.county_approver,
        NOW,
    )
    assert [(t.source, t.target) for t in workflow.history(settlement)] == [("", "draft"), ("draft", "approved")]
    assert AuditEvent.objects.filter(
        action="transition", object_type="meals_settlement", summary="助餐月度结算 审核：待审核 → 已审核"
    ).exists()
    with pytest.raises(services.MealsError, match="已审核"):
        services.settlement_approve(actor=cast.county_approver, settlement=settlement, now=NOW)
