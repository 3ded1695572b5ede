"""待遇名册 and the entitlement page: scoping (another town gets 404), masking, audit of reads,
exports and writes, the lifecycle actions and 变更账户 through the forms."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from minzheng.audit.models import AuditEvent
from minzheng.payments.models import BankAccount, Entitlement, EntitlementChange, Status
from minzheng.payments.tests.conftest import login
from minzheng.testing import Cast

pytestmark = pytest.mark.django_db


def test_list_is_masked_and_scoped(cast: Cast, ent: Entitlement) -> None:
    page = login(cast.village_worker).get("/payments/").content.decode()
    assert "HQ-0001" in page and "1,234.50" in page and "最低生活保障金" in page
    assert "张**" in page and "3302**********4412" in page
    assert "张建国" not in page and "330212197803154412" not in page
    other = login(cast.other_town_officer).get("/payments/").content.decode()
    assert "HQ-0001" not in other
    assert login(cast.other_town_officer).get(f"/payments/entitlements/{ent.pk}/").status_code == 404
    assert login(cast.provider).get("/payments/").status_code == 404


def test_filters(cast: Cast, ent: Entitlement) -> None:
    town = login(cast.town_officer)
    assert "HQ-0001" in town.get("/payments/", {"programme": "dibao", "status": "active"}).content.decode()
    assert "HQ-0001" not in town.get("/payments/", {"programme": "tekun"}).content.decode()
    assert "HQ-0001" not in town.get("/payments/", {"status": "suspended"}).content.decode()


def test_detail_read_is_audited_and_account_masked(cast: Cast, ent: Entitlement) -> None:
    page = login(cast.auditor).get(f"/payments/entitlements/{ent.pk}/").content.decode()
    assert "宁波银行 尾号 0123" in page and "6222021234567890123" not in page
    assert "暂停发放" not in page  # the auditor reads only
    event = AuditEvent.objects.get(object_type="entitlement", action="view")
    assert event.object_id == str(ent.pk) and event.actor_username == "shenji"


def test_export_is_audited(cast: Cast, ent: Entitlement) -> None:
    answer = login(cast.county_approver).get("/payments/", {"export": "xlsx", "programme": "dibao"})
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "项目" and rows[1][2] == "HQ-0001" and rows[1][4] == "3302**********4412"
    assert rows[1][6] == 1234.5
    event = AuditEvent.objects.get(object_type="entitlement_list", action="export")
    assert event.data["rows"] == 1 and event.data["filters"] == {"programme": "dibao"}


def test_suspend_restore_amount_end_through_the_page(cast: Cast, ent: Entitlement) -> None:
    town = login(cast.town_officer)
    url = f"/payments/entitlements/{ent.pk}/"
    answer = town.post(url + "suspend/", {"suspend-month": "2026-12", "suspend-reason": ""}, follow=True)
    assert "原因" in answer.content.decode() and Entitlement.objects.get().status == Status.ACTIVE
    town.post(url + "suspend/", {"suspend-month": "2026-12", "suspend-reason": "外出务工待核实"})
    ent.refresh_from_db()
    assert ent.status == Status.SUSPENDED and ent.suspended_from == dt.date(2026, 12, 1)
    again = town.post(url + "suspend/", {"suspend-month": "2026-12", "suspend-reason": "再次"}, follow=True)
    assert "待遇状态为暂停，不能暂停" in again.content.decode()
    town.post(url + "restore/", {"restore-reason": "核实仍符合条件"})
    town.post(url + "amount/", {"amount-amount_yuan": "980.5", "amount-month": "2027-01", "amount-reason": "标准调整"})
    ent.refresh_from_db()
    assert ent.status == Status.ACTIVE and ent.amount_fen == 98_050
    town.post(url + "end/", {"end-month": "2027-02", "end-reason": "家庭收入超过标准"})
    ent.refresh_from_db()
    assert ent.status == Status.ENDED and ent.to_month == dt.date(2027, 2, 1)
    kinds = list(EntitlementChange.objects.values_list("kind", flat=True))
    assert kinds == ["created", "suspended", "restored", "amount", "ended"]
    assert AuditEvent.objects.filter(object_type="entitlement", action="write", actor_username="lizhen").count() == 4
    # A village worker reads but cannot act; an auditor neither.
    assert login(cast.village_worker).post(url + "restore/", {"restore-reason": "x"}).status_code == 404


def test_account_change_needs_a_reason_and_is_audited(cast: Cast, ent: Entitlement) -> None:
    town = login(cast.town_officer)
    url = f"/payments/entitlements/{ent.pk}/account/"
    data = {"account-bank_code": "ICBC", "account-account_no": "6212 2612 0300 1234 567", "account-account_name": ""}
    refused = town.post(url, {**data, "account-reason": ""}, follow=True).content.decode()
    assert "登记或变更原因" in refused and BankAccount.objects.filter(active=True).get().bank_code == "NBCB"
    page = town.post(url, {**data, "account-reason": "原卡挂失，更换工资卡"}, follow=True).content.decode()
    assert "中国工商银行 尾号 4567" in page and "6212261203001234567" not in page
    active = BankAccount.objects.get(active=True)
    assert active.account_no == "6212261203001234567" and active.reason == "原卡挂失，更换工资卡"
    assert BankAccount.objects.filter(active=False).get().replaced_by == active
    assert AuditEvent.objects.filter(object_type="bank_account", summary__startswith="变更发放账户").exists()
    assert login(cast.other_town_officer).post(url, {**data, "account-reason": "x"}).status_code == 404
