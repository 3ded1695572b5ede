"""The bank's return file: row by row, errors named by row, same file twice = no-op, re-issue once."""

from __future__ import annotations

import pytest

from minzheng.payments import payroll
from minzheng.payments.models import PayrollLine, PayrollRun, ReturnFile
from minzheng.payments.reconcile import ReconcileError, reconcile
from minzheng.payments.tests.payroll_fixtures import NOV, REGION, World, account, november_world
from minzheng.testing import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(cast: Cast) -> tuple[World, PayrollRun, dict[int, int]]:
    world = november_world(cast)
    run = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    payroll.run_approve(run, actor=cast.county_approver)
    payroll.run_issue(run, actor=cast.county_approver)
    run.refresh_from_db()
    ids = dict(PayrollLine.objects.filter(run=run).values_list("entitlement_id", "pk"))
    return world, run, ids


def _file(*rows: str) -> bytes:
    return ("参考号,状态,银行流水号,失败原因\r\n" + "".join(r + "\r\n" for r in rows)).encode()


def test_paid_failed_and_bad_rows(issued: tuple[World, PayrollRun, dict[int, int]], cast: Cast) -> None:
    world, run, ids = issued
    l1, l2, l3 = ids[world.e1.pk], ids[world.e2.pk], ids[world.e3.pk]
    content = _file(
        f"{l1},成功,B0001,",
        f"{l2},失败,,户名与账号不符",
        "999999,成功,B0003,",
        f"{l1},成功,B0001,",
        f"{l3},未知,,",
        "abc,成功,,",
    )
    ret = reconcile(run, "回盘.csv", content, actor=cast.county_approver)
    assert (ret.paid, ret.failed) == (1, 1)
    assert [e["row"] for e in ret.errors] == [4, 5, 6, 7]
    assert ret.errors[0]["reason"] == "第 4 行：参考号 999999 不是本批次的明细"
    assert "与第 2 行重复" in ret.errors[1]["reason"]
    assert "无法识别" in ret.errors[2]["reason"] and "不是本系统的明细编号" in ret.errors[3]["reason"]
    line1, line2 = PayrollLine.objects.get(pk=l1), PayrollLine.objects.get(pk=l2)
    assert (line1.status, line1.bank_serial) == ("paid", "B0001")
    assert (line2.status, line2.fail_reason) == ("failed", "户名与账号不符")
    run.refresh_from_db()
    assert run.status == "issued"  # l3 is still out
    assert bytes(ret.content) == content

    again = reconcile(run, "回盘（重复上传）.csv", content, actor=cast.county_approver)
    assert again.pk == ret.pk and ReturnFile.objects.count() == 1
    assert PayrollLine.objects.get(pk=l2).status == "failed"

    rest = reconcile(run, "回盘2.csv", _file(f"{l3},成功,B0009,", f"{l1},成功,B0001,"), actor=cast.county_approver)
    assert (rest.paid, rest.failed, rest.errors) == (1, 0, [])
    run.refresh_from_db()
    assert run.status == "reconciled"


def test_a_settled_line_is_not_reversed_silently(issued: tuple[World, PayrollRun, dict[int, int]], cast: Cast) -> None:
    world, run, ids = issued
    l1 = ids[world.e1.pk]
    reconcile(run, "a.csv", _file(f"{l1},成功,B1,"), actor=None)
    ret = reconcile(run, "b.csv", _file(f"{l1},失败,,账户冻结"), actor=None)
    assert ret.failed == 0 and "已对账为「已到账」" in ret.errors[0]["reason"]
    assert PayrollLine.objects.get(pk=l1).status == "paid"


def test_not_before_issue_and_not_in_another_encoding(cast: Cast) -> None:
    november_world(cast)
    run = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    with pytest.raises(ReconcileError, match="出盘后才能导入"):
        reconcile(run, "x.csv", b"", actor=None)
    payroll.run_approve(run, actor=cast.county_approver)
    payroll.run_issue(run, actor=cast.county_approver)
    with pytest.raises(ReconcileError, match="utf-8"):
        reconcile(run, "x.csv", "参考号".encode("gbk"), actor=None)


def test_supplementary_reissues_failed_lines_once_after_the_account_is_corrected(
    issued: tuple[World, PayrollRun, dict[int, int]], cast: Cast
) -> None:
    world, run, ids = issued
    l1, l2, l3 = ids[world.e1.pk], ids[world.e2.pk], ids[world.e3.pk]
    reconcile(run, "回盘.csv", _file(f"{l1},成功,B1,", f"{l2},失败,,账号不存在", f"{l3},失败,,账户冻结"), actor=None)
    with pytest.raises(payroll.PayrollError, match="须先更正收款账户"):
        payroll.run_supplementary(run, actor=cast.town_officer)
    account(world.e2.payee, "6228480999999999", actor=cast.town_officer)
    sup = payroll.run_supplementary(run, actor=cast.town_officer)
    assert (sup.seq, sup.month, sup.status, sup.total_fen, sup.beneficiaries) == (1, NOV, "draft", 30000, 1)
    new = PayrollLine.objects.get(run=sup)
    assert (new.reissue_of_id, new.period, new.account_no) == (l2, NOV, "6228480999999999")
    with pytest.raises(payroll.PayrollError):  # never twice; l3's account was not corrected
        payroll.run_supplementary(run, actor=cast.town_officer)
    assert PayrollLine.objects.filter(entitlement=world.e2, period=NOV).count() == 2
    # The regular run is asked again: the same run, and the supplementary one stays the only re-issue.
    assert payroll.run_payroll("dibao", NOV, REGION, actor=None).pk == run.pk
    payroll.run_approve(sup, actor=cast.county_approver)
    name, data = payroll.run_issue(sup, actor=cast.county_approver)
    assert name.endswith("_1_default.csv") and str(new.pk) in data.decode()
