"""Bank disbursement files in the declared formats, and the 发放名册 for signature."""

from __future__ import annotations

import hashlib
import io

import openpyxl
import pytest

from minzheng.audit.models import AuditEvent
from minzheng.payments import bankfiles, payroll
from minzheng.payments.models import PayrollLine, PayrollRun
from minzheng.payments.tests.payroll_fixtures import NOV, REGION, World, november_world
from minzheng.testing import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(cast: Cast) -> tuple[World, PayrollRun]:
    world = november_world(cast)
    run = payroll.run_payroll("dibao", NOV, REGION, actor=cast.town_officer)
    payroll.run_approve(run, actor=cast.county_approver)
    return world, run


def test_default_csv_has_control_totals_and_our_line_reference(approved: tuple[World, PayrollRun], cast: Cast) -> None:
    world, run = approved
    name, data = payroll.run_issue(run, actor=cast.county_approver)
    assert name == "代发_dibao_330212_202611_0_default.csv"
    rows = data.decode("utf-8").split("\r\n")
    assert rows[0] == "批次号,dibao-202611-330212-0,总笔数,3,总金额,1000.00,项目,最低生活保障金,所属期,202611"
    assert rows[1] == "参考号,姓名,公民身份号码,账号,户名,开户银行,金额,项目,所属期"
    l1 = PayrollLine.objects.get(run=run, entitlement=world.e1)
    bank = "宁波鄞州农村商业银行"
    assert rows[2] == f"{l1.pk},户主1,{l1.payee_id_number},6228480000000001,户主1,{bank},500.00,最低生活保障金,202611"
    assert rows[5:] == ["合计,3,1000.00", ""]
    run.refresh_from_db()
    assert run.bank_file_sha256 == hashlib.sha256(data).hexdigest()


def test_fixed_width_gbk_counts_bytes(approved: tuple[World, PayrollRun], cast: Cast) -> None:
    world, run = approved
    name, data = payroll.run_issue(run, actor=cast.county_approver, bank="fixed_gbk")
    assert name.endswith("_fixed_gbk.txt")
    rows = data.split(b"\r\n")
    assert rows[0].startswith(b"Hdibao-202611-330212-0") and rows[0].endswith(b"3" + b"100000".rjust(15) + b"202611")
    body = rows[1:4]
    assert {len(r) for r in body} == {12 + 30 + 18 + 32 + 15 + 6 + 40}
    l1 = PayrollLine.objects.get(run=run, entitlement=world.e1)
    first = next(r for r in body if r.startswith(str(l1.pk).rjust(12, "0").encode()))
    assert first[12:42].decode("gbk").rstrip() == "户主1" and first[92:107] == b"000000000050000"
    assert rows[4] == b"T" + b"3".rjust(10) + b"100000".rjust(15)


def test_a_value_too_long_for_its_width_is_refused_not_cut(approved: tuple[World, PayrollRun]) -> None:
    world, run = approved
    PayrollLine.objects.filter(run=run, entitlement=world.e1).update(payee_name="阿" * 16)  # 32 bytes in GBK
    with pytest.raises(bankfiles.BankFileError, match="payee_name 超过 30 字节"):
        bankfiles.write(run, bankfiles.bank_format("fixed_gbk"), io.BytesIO())


def test_unknown_format_is_named(approved: tuple[World, PayrollRun]) -> None:
    with pytest.raises(bankfiles.BankFileError, match="没有代发文件格式“icbc”"):
        bankfiles.bank_format("icbc")


def test_roster_for_signature_carries_full_accounts_and_is_audited(
    approved: tuple[World, PayrollRun], cast: Cast
) -> None:
    _, run = approved
    data = payroll.roster_xlsx(run, actor=cast.county_approver)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert "最低生活保障金发放名册" in rows[0][0]
    assert rows[1][:6] == ("序号", "参考号", "乡镇（街道）", "村（社区）", "姓名", "公民身份号码")
    accounts = {r[10] for r in rows[2:5]}
    assert "6228480000000001" in accounts
    assert rows[2][2] == "瞻岐镇" and rows[-1][8] == 1000.0
    audit = AuditEvent.objects.get(object_type="payroll_run", action="export", actor_id=cast.county_approver.pk)
    assert "含完整账号" in audit.summary
