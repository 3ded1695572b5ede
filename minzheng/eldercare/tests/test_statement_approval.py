"""The care statement's approval on the workflow kernel: four eyes against the builder, independence of accounts."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.db import close_old_connections, connection

from minzheng.accounts.services import user_create
from minzheng.audit.models import AuditEvent
from minzheng.eldercare import orders, services
from minzheng.eldercare.approvals import MACHINE
from minzheng.eldercare.models import OrderStatus, Statement
from minzheng.eldercare.testing import CareWorld
from minzheng.eldercare.tests.helpers import at, finish, place
from minzheng.testing import COUNTY, PASSWORD
from minzheng.workflow import services as workflow

NOVEMBER = dt.date(2026, 11, 1)


def _built(cast: Any, care: CareWorld, builder: Any) -> Statement:
    order = finish(cast, place(cast, care.elder, ["SC01"], at(3, 9)))
    orders.order_follow_up(actor=cast.hotline_operator, order=order, result="满意", satisfaction=5)
    return services.statement_build(actor=builder, provider=care.provider, month=NOVEMBER)


def _still_draft(statement: Statement) -> None:
    statement.refresh_from_db()
    assert statement.status == Statement.Status.DRAFT and statement.approved_by is None
    assert not statement.orders.filter(status=OrderStatus.SETTLED).exists()


def test_the_machine_is_one_step_with_four_eyes_against_the_builder() -> None:
    assert MACHINE.pairs() == {("draft", "approved")}
    step = MACHINE.find("draft", "approved")
    assert step is not None and step.four_eyes == ("draft",) and step.guards == ("eldercare_statement.independent",)
    assert MACHINE.find("approved", "draft") is None


def test_the_builder_is_recorded_and_may_not_approve(cast: Any, care: CareWorld) -> None:
    statement = _built(cast, care, cast.county_approver)
    assert statement.built_by == cast.county_approver
    assert [(t.source, t.target, t.actor_id) for t in workflow.history(statement)] == [
        ("", "draft", cast.county_approver.pk)
    ]
    with pytest.raises(services.EldercareError, match="四眼原则"):
        services.statement_approve(actor=cast.county_approver, statement=statement)
    _still_draft(statement)


def test_everyone_who_rebuilt_it_is_barred(cast: Any, care: CareWorld) -> None:
    statement = _built(cast, care, cast.county_approver)
    services.statement_build(actor=cast.provider, provider=care.provider, month=NOVEMBER)  # rebuilt by another
    statement.refresh_from_db()
    assert statement.built_by == cast.provider
    with pytest.raises(services.EldercareError, match="四眼原则"):
        services.statement_approve(actor=cast.county_approver, statement=statement)
    _still_draft(statement)


def test_an_approver_account_the_builder_created_may_not_approve(cast: Any, care: CareWorld) -> None:
    statement = _built(cast, care, cast.provider)
    puppet = user_create(
        actor=cast.provider, username="chener", role="county_approver", jurisdiction=COUNTY, password=PASSWORD
    )
    with pytest.raises(services.EldercareError, match="审核人账号由结算单生成人 fuwu 创建或修改过"):
        services.statement_approve(actor=puppet, statement=statement)
    _still_draft(statement)


def test_an_independent_approver_approves_through_the_kernel(cast: Any, care: CareWorld) -> None:
    statement = _built(cast, care, cast.provider)
    services.statement_approve(actor=cast.county_approver, statement=statement)
    statement.refresh_from_db()
    assert (statement.status, statement.approved_by) == (Statement.Status.APPROVED, cast.county_approver)
    assert [(t.source, t.target) for t in workflow.history(statement)] == [("", "draft"), ("draft", "approved")]
    assert AuditEvent.objects.filter(
        action="transition", object_type="eldercare_statement", summary="居家养老服务结算单 审核：待审核 → 已审核"
    ).exists()
    assert set(statement.orders.values_list("status", flat=True)) == {OrderStatus.SETTLED}
    with pytest.raises(services.EldercareError, match="已审核"):
        services.statement_approve(actor=cast.county_approver, statement=statement)


@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_exactly_one_approves(cast: Any, care: CareWorld) -> None:
    statement = _built(cast, care, cast.provider)
    second = user_create(actor=None, username="chensan", role="county_approver", jurisdiction=COUNTY, password=PASSWORD)
    barrier, outcomes = threading.Barrier(2), []

    def approve(actor: Any) -> None:
        try:
            copy = Statement.objects.get(pk=statement.pk)
            barrier.wait(timeout=10)
            services.statement_approve(actor=actor, statement=copy)
            outcomes.append("ok")
        except services.EldercareError as exc:
            outcomes.append(str(exc))
        except Exception as exc:  # SQLite may answer "database is locked" to the loser: still refused
            outcomes.append(f"db: {exc}")
        finally:
            close_old_connections()

    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("threads need a file or server database")
    threads = [threading.Thread(target=approve, args=(a,)) for a in (cast.county_approver, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    statement.refresh_from_db()
    assert statement.status == Statement.Status.APPROVED
    assert len(workflow.history(statement)) == 2
