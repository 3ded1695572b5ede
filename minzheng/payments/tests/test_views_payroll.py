"""发放批次 pages: a town computes, the county approves (never the builder), the bank file and the
发放名册 download, the return file with a failed row, the corrected account and the supplementary
run; another town sees nothing (404)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from minzheng.audit.models import AuditEvent
from minzheng.payments.models import PayrollLine, PayrollRun
from minzheng.payments.tests.conftest import login
from minzheng.testing import Cast

pytestmark = pytest.mark.django_db


def _compute(client: Client, region: str) -> PayrollRun:
    answer = client.post("/payments/runs/new/", {"programme": "dibao", "month": "2026-11", "region": region})
    assert answer.status_code == 302, answer.content.decode()[:500]
    return PayrollRun.objects.get(region=region, seq=0)


def test_town_computes_county_approves_bank_file_and_return(cast: Cast, ent: object) -> None:
    town, county = login(cast.town_officer), login(cast.county_approver)
    run = _compute(town, "330212100")
    assert (run.status, run.beneficiaries, run.total_fen) == ("draft", 1, 123_450)
    page = town.get(f"/payments/runs/{run.pk}/").content.decode()
    assert "1,234.50" in page and "瞻岐镇" in page and "新增" in page and "审核通过" not in page
    assert town.post(f"/payments/runs/{run.pk}/approve/").status_code == 404  # a town cannot approve
    assert login(cast.other_town_officer).get(f"/payments/runs/{run.pk}/").status_code == 404
    assert "审核通过" in county.get(f"/payments/runs/{run.pk}/").content.decode()
    county.post(f"/payments/runs/{run.pk}/approve/")
    run.refresh_from_db()
    assert run.status == "approved" and run.approved_by == cast.county_approver
    bank = town.post(f"/payments/runs/{run.pk}/bank-file/")
    assert bank.status_code == 200 and "attachment" in bank["Content-Disposition"]
    assert "张建国" in bank.content.decode("utf-8") and "6222021234567890123" in bank.content.decode("utf-8")
    again = town.post(f"/payments/runs/{run.pk}/bank-file/")
    assert again.content == bank.content  # the same bytes when downloaded again
    roster = town.get(f"/payments/runs/{run.pk}/roster/")
    sheet = load_workbook(io.BytesIO(roster.content)).active
    assert any("张建国" in [str(c) for c in row] for row in sheet.iter_rows(values_only=True))
    assert AuditEvent.objects.filter(object_type="payroll_run", action="export").count() >= 2
    line = PayrollLine.objects.get(run=run)
    content = f"{line.pk},失败,,户名与账号不符\r\n999999,成功,X1,\r\n".encode()
    upload = io.BytesIO(content)
    upload.name = "回盘.csv"
    done = town.post(f"/payments/runs/{run.pk}/return/", {"file": upload}, follow=True).content.decode()
    assert "成功 0 笔，失败 1 笔，1 行无法对应" in done and "不是本批次的明细" in done
    assert "户名与账号不符" in done and "更正账户" in done
    # No corrected account yet: the supplementary run is refused with the kernel's message.
    refused = town.post(f"/payments/runs/{run.pk}/supplementary/", follow=True).content.decode()
    assert "须先更正收款账户" in refused
    account = {"account-bank_code": "ICBC", "account-account_no": "6212261203001234567", "account-account_name": "",
               "account-reason": "户名不符，更换社保卡", "next": f"/payments/runs/{run.pk}/"}  # fmt: skip
    back = town.post(f"/payments/entitlements/{line.entitlement_id}/account/", account)
    assert back["Location"] == f"/payments/runs/{run.pk}/"
    town.post(f"/payments/runs/{run.pk}/supplementary/")
    extra = PayrollRun.objects.get(seq=1)
    assert extra.beneficiaries == 1 and extra.lines.get().account_no == "6212261203001234567"


def test_the_builder_cannot_approve_and_sees_the_kernels_message(cast: Cast, ent: object) -> None:
    county = login(cast.county_approver)
    run = _compute(county, "330212")
    answer = county.post(f"/payments/runs/{run.pk}/approve/", follow=True).content.decode()
    assert "审核人不能是生成发放批次的人" in answer
    run.refresh_from_db()
    assert run.status == "draft"
    refused = county.post(f"/payments/runs/{run.pk}/bank-file/", follow=True).content.decode()
    assert "须经审核后才能出盘" in refused


def test_a_town_sees_its_part_of_a_county_run_and_cannot_act_on_it(cast: Cast, ent: object) -> None:
    run = _compute(login(cast.county_approver), "330212")
    town, other = login(cast.town_officer), login(cast.other_town_officer)
    assert "瞻岐镇" in town.get(f"/payments/runs/{run.pk}/").content.decode()
    other_page = other.get(f"/payments/runs/{run.pk}/").content.decode()
    assert "瞻岐镇" not in other_page and "张*" not in other_page
    assert town.post(f"/payments/runs/{run.pk}/bank-file/").status_code == 404
    assert town.get(f"/payments/runs/{run.pk}/roster/").status_code == 404
    assert AuditEvent.objects.filter(object_type="payroll_run", action="view").count() == 2
    listing = login(cast.village_worker).get("/payments/runs/").content.decode()
    assert "生成本月发放" not in listing and "月度发放" in listing
