"""标准调整 pages: the what-if (nothing changes, audited), a request for approval (a 待办 for the
county), the requester cannot apply it, a second person applies it once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.payments import services
from minzheng.payments.models import Entitlement
from minzheng.rules.engine import DEFAULT_PARAMS
from minzheng.rules.models import Parameter
from minzheng.rules.services import params_import
from minzheng.testing import Cast, make_household
from minzheng.workitems.models import WorkItem

pytestmark = pytest.mark.django_db
DEC, JAN = dt.date(2026, 12, 1), dt.date(2027, 1, 1)
QUERY = {"programme": "dibao", "region": "330212100", "month": "2027-01"}


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def dibao(cast: Cast) -> Entitlement:
    for path in DEFAULT_PARAMS:
        params_import(actor=None, path=path)
    Parameter.objects.create(
        key="dibao.standard", region_code="330212", effective_from=JAN, value="1250",
        value_type="integer", unit="元/人/月", reference="测试：2027 年标准",
    )  # fmt: skip
    household, people = make_household()
    return services.entitlement_create(
        programme_id="dibao", subject=household, payee=people[0], amount_fen=354300, from_month=DEC,
        source="case", reason="按 1181 元核定", actor=None, members=3,
    )  # fmt: skip


def test_what_if_request_and_apply_by_a_second_person(cast: Cast, dibao: Entitlement) -> None:
    town, county = _client(cast.town_officer), _client(cast.county_approver)
    page = town.get("/payments/standards/", QUERY).content.decode()
    assert "3,543.00" in page and "3,750.00" in page and "207.00 元" in page and "提交审核" in page
    assert AuditEvent.objects.filter(object_type="standard_change", action="view").count() == 1
    dibao.refresh_from_db()
    assert dibao.amount_fen == 354300  # a what-if changes nothing
    town.post("/payments/standards/request/", QUERY)
    item = WorkItem.objects.get(source="payments_standard", status="open")
    assert item.role == "county_approver" and "变化 1 条" in item.title
    assert "审核并执行" not in town.get("/payments/standards/", QUERY).content.decode()
    assert town.post("/payments/standards/apply/", QUERY).status_code == 404  # a town cannot apply
    done = county.post("/payments/standards/apply/", {**QUERY, "reason": "县民政局批复"}, follow=True).content.decode()
    assert "已审核执行：变更 1 条，待核对 0 条" in done
    dibao.refresh_from_db()
    assert dibao.amount_fen == 375000 and dibao.changes.filter(kind="amount", effective_month=JAN).count() == 1
    item.refresh_from_db()
    assert item.status == "resolved"
    assert _client(cast.other_town_officer).get("/payments/standards/", QUERY).status_code == 200
    assert "3,543.00" not in _client(cast.other_town_officer).get("/payments/standards/", QUERY).content.decode()


def test_the_requester_cannot_apply_their_own_request(cast: Cast, dibao: Entitlement) -> None:
    county = _client(cast.county_approver)
    county.post("/payments/standards/request/", QUERY)
    assert "审核并执行" not in county.get("/payments/standards/", QUERY).content.decode()
    refused = county.post("/payments/standards/apply/", QUERY, follow=True).content.decode()
    assert "四眼原则" in refused
    dibao.refresh_from_db()
    assert dibao.amount_fen == 354300
