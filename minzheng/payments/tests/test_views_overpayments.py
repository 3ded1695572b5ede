"""追回台账 pages: a paid month after a stop becomes an overpayment; the list (masked, scoped), the
detail (audited), a repayment, instalments, write-off requested by the town and approved by the
county, and the 追回通知书 PDF (audited)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.payments import services
from minzheng.payments.demo import pay
from minzheng.payments.models import Overpayment
from minzheng.payments.payroll import run_payroll
from minzheng.payments.stops import stop_confirm
from minzheng.testing import Cast, make_household

pytestmark = pytest.mark.django_db
MONTH = dt.date(2026, 10, 1)


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def op(cast: Cast) -> Overpayment:
    household, people = make_household()
    services.account_set(
        people[0], bank_code="NBCB", bank_name="宁波银行", account_no="6222021234567890123",
        account_name="张建国", reason="开户登记", actor=cast.county_approver,
    )  # fmt: skip
    ent = services.entitlement_create(
        programme_id="dibao", subject=household, payee=people[0], amount_fen=100_001, from_month=MONTH,
        source="case", reason="批准纳入低保", actor=cast.county_approver, members=3,
    )  # fmt: skip
    for month in (MONTH, dt.date(2026, 11, 1)):
        pay(run_payroll("dibao", month, "330212100", actor=cast.town_officer), cast.county_approver)
    result = stop_confirm(ent, last_month=MONTH, reason="家庭收入超过标准（隐瞒经营收入）", actor=cast.town_officer)
    assert result.overpayment is not None
    return result.overpayment


def test_list_and_detail(cast: Cast, op: Overpayment) -> None:
    listing = _client(cast.village_worker).get("/payments/overpayments/").content.decode()
    assert f"追回#{op.pk}" in listing and "1,000.01" in listing and "张**" in listing and "张建国" not in listing
    assert f"追回#{op.pk}" not in _client(cast.other_town_officer).get("/payments/overpayments/").content.decode()
    assert _client(cast.other_town_officer).get(f"/payments/overpayments/{op.pk}/").status_code == 404
    page = _client(cast.town_officer).get(f"/payments/overpayments/{op.pk}/").content.decode()
    assert "2026-11" in page and "登记收回款项" in page and "分期计划（1 期）" in page
    assert AuditEvent.objects.filter(object_type="overpayment", action="view").count() == 1
    pdf = _client(cast.auditor).get(f"/payments/overpayments/{op.pk}/letter/")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(object_type="overpayment", action="export", actor_username="shenji").exists()


def test_repayment_instalments_and_write_off_under_four_eyes(cast: Cast, op: Overpayment) -> None:
    town, county = _client(cast.town_officer), _client(cast.county_approver)
    url = f"/payments/overpayments/{op.pk}/"
    town.post(url + "instalments/", {"instalments": "3", "reason": "家属申请分期"})
    page = town.post(url + "repayments/", {"amount_yuan": "333.34", "received_on": "2026-12-01"}, follow=True)
    text = page.content.decode()
    assert "已登记收回 333.34 元" in text and "已收回" in text and "分期计划（3 期）" in text
    too_much = town.post(url + "repayments/", {"amount_yuan": "999", "received_on": "2026-12-02"}, follow=True)
    assert "超过尚欠金额" in too_much.content.decode()
    op.refresh_from_db()
    assert (op.status, op.recovered_fen, op.instalments) == ("recovering", 33_334, 3)
    assert town.post(url + "write-off/approve/").status_code == 404  # a town cannot approve
    town.post(url + "write-off/", {"reason": "当事人无偿还能力，经村委会证明"})
    assert "审核同意核销" in county.get(url).content.decode()
    county.post(url + "write-off/approve/")
    op.refresh_from_db()
    assert op.status == "written_off"


def test_ending_through_the_entitlement_page_opens_the_recovery(cast: Cast) -> None:
    household, people = make_household()
    services.account_set(
        people[0], bank_code="NBCB", bank_name="宁波银行", account_no="6222021234567890123",
        account_name="张建国", reason="开户登记", actor=cast.county_approver,
    )  # fmt: skip
    ent = services.entitlement_create(
        programme_id="dibao", subject=household, payee=people[0], amount_fen=50_000, from_month=MONTH,
        source="case", reason="批准纳入低保", actor=cast.county_approver, members=3,
    )  # fmt: skip
    for month in (MONTH, dt.date(2026, 11, 1)):
        pay(run_payroll("dibao", month, "330212100", actor=cast.town_officer), cast.county_approver)
    data = {"end-month": "2026-10", "end-reason": "家庭收入超过标准"}
    page = _client(cast.town_officer).post(f"/payments/entitlements/{ent.pk}/end/", data, follow=True)
    op = Overpayment.objects.get()
    assert f"已列入追回台账：追回#{op.pk}" in page.content.decode()
    assert (op.amount_fen, op.cause, op.period_from) == (50_000, "ineligible", dt.date(2026, 11, 1))
