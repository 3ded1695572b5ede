"""追回台账: amounts to the fen from the paid lines, repayments never exceed, write-off needs a second person."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from minzheng.accounts.services import user_create
from minzheng.payments.letters import recovery_letter_lines, recovery_letter_pdf, stop_letter_lines, stop_letter_pdf
from minzheng.payments.models import Overpayment, PayrollLine, Repayment
from minzheng.payments.overpayments import (
    OverpaymentError,
    instalment_plan_set,
    instalment_schedule,
    outstanding,
    overpayment_open,
    repayment_record,
    write_off_approve,
    write_off_reject,
    write_off_request,
)
from minzheng.payments.services import entitlement_end
from minzheng.payments.tests.test_stops_fixtures import TEKUN_FEN, World, build_world, pay
from minzheng.testing import COUNTY, PASSWORD, Cast
from minzheng.workflow.services import TransitionRefused, history

SEP, OCT, NOV = (dt.date(2026, m, 1) for m in (9, 10, 11))


@pytest.fixture
def world(cast: Cast) -> World:
    return build_world()


@pytest.fixture
def op(world: World, cast: Cast) -> Overpayment:
    for month in (SEP, OCT):
        pay(world.tekun, month)
    pay(world.tekun, NOV, PayrollLine.State.ISSUED)
    entitlement_end(world.tekun, last_month=SEP, reason="死亡", actor=cast.town_officer)
    made = overpayment_open(world.tekun, last_month=SEP, cause="death", actor=cast.town_officer)
    assert made is not None
    return made


def test_the_amount_is_the_sum_of_the_lines_paid_after_the_last_month(
    op: Overpayment, world: World, cast: Cast
) -> None:
    assert op.amount_fen == 2 * TEKUN_FEN and op.lines.count() == 2
    assert (op.period_from, op.period_to, op.status) == (OCT, NOV, "open")
    assert [h.target for h in history(op)] == ["open"]
    # Opening again finds no line not yet recorded: each line is recovered once.
    assert overpayment_open(world.tekun, last_month=SEP, cause="death", actor=cast.town_officer) is None


def test_repayments_never_exceed_what_is_outstanding(op: Overpayment, cast: Cast) -> None:
    repayment_record(op, amount_fen=100_000, received_on=dt.date(2026, 12, 1), actor=cast.town_officer)
    op.refresh_from_db()
    assert (op.status, op.recovered_fen, outstanding(op)) == ("recovering", 100_000, 206_434)
    with pytest.raises(OverpaymentError, match=r"超过尚欠金额 2,064\.34 元"):
        repayment_record(op, amount_fen=206_435, received_on=dt.date(2026, 12, 2), actor=cast.town_officer)
    repayment_record(op, amount_fen=206_434, received_on=dt.date(2026, 12, 3), actor=cast.town_officer)
    op.refresh_from_db()
    assert (op.status, op.recovered_fen, outstanding(op)) == ("recovered", 2 * TEKUN_FEN, 0)
    with pytest.raises(OverpaymentError, match="已追回"):
        repayment_record(op, amount_fen=1, received_on=dt.date(2026, 12, 4), actor=cast.town_officer)
    assert sum(Repayment.objects.filter(overpayment=op).values_list("amount_fen", flat=True)) == op.amount_fen


def test_an_instalment_plan_splits_the_amount_to_the_fen(op: Overpayment, cast: Cast) -> None:
    instalment_plan_set(op, instalments=4, actor=cast.town_officer, reason="家庭困难，申请分期")
    plan = instalment_schedule(op)
    assert [i.amount_fen for i in plan] == [76_609, 76_609, 76_608, 76_608]  # 306,434 fen in four
    assert sum(i.amount_fen for i in plan) == op.amount_fen and plan[-1].cumulative_fen == op.amount_fen
    repayment_record(op, amount_fen=76_609, received_on=dt.date(2026, 12, 1), actor=cast.town_officer)
    op.refresh_from_db()
    assert [i.paid for i in instalment_schedule(op)] == [True, False, False, False]
    with pytest.raises(OverpaymentError, match="1 至 60"):
        instalment_plan_set(op, instalments=0, actor=cast.town_officer)


def test_write_off_needs_a_second_person(op: Overpayment, cast: Cast) -> None:
    repayment_record(op, amount_fen=6_434, received_on=dt.date(2026, 12, 1), actor=cast.town_officer)
    with pytest.raises(OverpaymentError, match="理由"):
        write_off_request(op, reason="", actor=cast.county_approver)
    write_off_request(op, reason="遗产不足以清偿，无法追回", actor=cast.county_approver)
    assert op.status == "write_off" and op.write_off_reason.startswith("遗产不足")
    with pytest.raises(TransitionRefused) as refused:
        write_off_approve(op, actor=cast.county_approver)
    assert refused.value.code == "four_eyes"
    with pytest.raises(TransitionRefused) as refused:
        write_off_approve(op, actor=cast.town_officer)
    assert refused.value.code == "role"
    with pytest.raises(OverpaymentError, match="核销待审核"):
        repayment_record(op, amount_fen=1, received_on=dt.date(2026, 12, 2), actor=cast.town_officer)
    made_by_requester = user_create(
        actor=cast.county_approver, username="zhouxian", role="county_approver", jurisdiction=COUNTY, password=PASSWORD
    )
    with pytest.raises(TransitionRefused, match="创建或修改过"):
        write_off_approve(op, actor=made_by_requester)
    second = user_create(actor=None, username="sunxian", role="county_approver", jurisdiction=COUNTY, password=PASSWORD)
    write_off_approve(op, actor=second)
    op.refresh_from_db()
    assert op.status == "written_off" and outstanding(op) == 0
    assert [h.actor_id for h in history(op) if h.target in ("write_off", "written_off")] == [
        cast.county_approver.pk,
        second.pk,
    ]


def test_a_write_off_sent_back_resumes_recovery(op: Overpayment, cast: Cast) -> None:
    repayment_record(op, amount_fen=100, received_on=dt.date(2026, 12, 1), actor=cast.town_officer)
    write_off_request(op, reason="无力偿还", actor=cast.town_officer)
    write_off_reject(op, reason="家属有固定收入，继续分期追回", actor=cast.county_approver)
    op.refresh_from_db()
    assert op.status == "recovering" and op.recovered_fen == 100


def test_fraud_records_the_article_68_fine(world: World, cast: Cast) -> None:
    pay(world.tekun_ok, OCT)
    with pytest.raises(OverpaymentError, match="仅适用于"):
        overpayment_open(world.tekun_ok, last_month=SEP, cause="ineligible", actor=cast.town_officer, fine_multiple=2)
    with pytest.raises(OverpaymentError, match="1～3 倍"):
        overpayment_open(world.tekun_ok, last_month=SEP, cause="fraud", actor=cast.town_officer, fine_multiple="3.5")
    op = overpayment_open(world.tekun_ok, last_month=SEP, cause="fraud", actor=cast.town_officer, fine_multiple="1.5")
    assert op is not None and op.fine_multiple == Decimal("1.5") and op.fine_fen == 229_826  # 153,217 × 1.5, rounded
    text = "".join(recovery_letter_lines(op))
    assert "第六十八条" in text and "罚款，计 2,298.26 元" in text


def test_the_recovery_letter_names_the_months_and_the_plan_and_no_identity_number(
    op: Overpayment, world: World, cast: Cast
) -> None:
    instalment_plan_set(op, instalments=2, actor=cast.town_officer)
    lines = recovery_letter_lines(op)
    text = "".join(lines)
    assert lines[0] == "王桂英的家属（继承人）："
    assert "2026年10月 1,532.17 元；2026年11月 1,532.17 元" in text and "共计 3,064.34 元" in text
    assert "分 2 期退回：第 1 期 1,532.17 元；第 2 期 1,532.17 元" in text and "民法典" in text
    assert world.elder.id_number not in text
    pdf = recovery_letter_pdf(op, issued_on=dt.date(2026, 12, 4))
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000


def test_the_stop_letter_gives_the_last_month_and_the_basis(world: World) -> None:
    lines = stop_letter_lines(world.tekun, last_month=SEP, reason="经核实，王桂英已于 2026年9月20日 死亡")
    text = "".join(lines)
    assert "自2026年10月起停止发放" in text and "最后发放所属期为2026年09月" in text and "第十三条" in text
    assert stop_letter_pdf(world.tekun, last_month=SEP, reason="死亡").startswith(b"%PDF")
