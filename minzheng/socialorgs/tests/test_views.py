"""Pages: the office's pages render and answer 404 to other roles; the org account sees only its own pages;
the public lookup needs no login and shows no phone; exports leave an audit row."""

from __future__ import annotations

import pytest
from django.test import Client

from minzheng.accounts.units import ORG_CREDIT_CODE
from minzheng.audit.models import AuditEvent
from minzheng.socialorgs import draw
from minzheng.socialorgs import services_venture as venture
from minzheng.socialorgs.models import AnnualReport, Inspector, Organisation
from minzheng.socialorgs.tests.conftest import LAST_YEAR, TODAY, client_for
from minzheng.testing import COUNTY, Cast

OFFICE_PAGES = ["/socialorgs/", "/socialorgs/new/", "/socialorgs/reports/", "/socialorgs/draws/", "/socialorgs/leads/",
                "/socialorgs/strength/", "/socialorgs/ventures/"]  # fmt: skip


def test_office_pages_and_404s(cast: Cast, org: Organisation) -> None:
    officer = client_for(cast.socialorg_officer)
    for url in [*OFFICE_PAGES, f"/socialorgs/{org.pk}/"]:
        assert officer.get(url).status_code == 200, url
    page = officer.get(f"/socialorgs/{org.pk}/").content.decode()
    assert "组织力指数" in page and ORG_CREDIT_CODE in page and "待核对" in page
    assert AuditEvent.objects.filter(object_type="socialorg", action="view", object_id=str(org.pk)).exists()
    for user in (cast.town_officer, cast.org_account, cast.volunteer):
        assert client_for(user).get(f"/socialorgs/{org.pk}/").status_code == 404
        assert client_for(user).get("/socialorgs/reports/").status_code == 404
    assert client_for(cast.auditor).get("/socialorgs/").status_code == 200
    approver = client_for(cast.county_approver)
    assert "撤销登记（行政处罚）" in approver.get(f"/socialorgs/{org.pk}/").content.decode()
    assert officer.post(f"/socialorgs/{org.pk}/revoke/", {"reason": "x"}, follow=True).status_code == 200
    assert Organisation.objects.get(pk=org.pk).status == "registered"  # the officer may not revoke
    approver.post(f"/socialorgs/{org.pk}/revoke/", {"reason": "鄞民罚〔2026〕3号"})
    assert Organisation.objects.get(pk=org.pk).status == "revoked"


def test_register_through_the_page(cast: Cast) -> None:
    officer = client_for(cast.socialorg_officer)
    form = {"kind": "social_group", "name": "合一村老年协会", "legal_rep": "王德顺", "capital": "30000",
            "address": "合一村文化礼堂", "division_code": "330212100201", "received_on": TODAY.isoformat()}  # fmt: skip
    response = officer.post("/socialorgs/new/", form)
    assert response.status_code == 302
    org = Organisation.objects.get(name="合一村老年协会")
    assert (org.capital_fen, org.status) == (3_000_000, "applying")
    url = response["Location"]
    assert "章程草案" in officer.get(url).content.decode()
    refused = officer.post(url, {"step": "accept"}, follow=True).content.decode()
    assert "申请材料未收齐" in refused
    keys = ["application", "venue", "persons", "charter"]
    officer.post(url, {"step": "materials", "material": keys})
    officer.post(url, {"step": "accept"})
    assert org.filings.get().status == "accepted"


def test_org_account_pages(cast: Cast, org: Organisation) -> None:
    me = client_for(cast.org_account)
    assert me.get("/socialorgs/mine/").status_code == 200
    assert me.get("/socialorgs/mine/ventures/").status_code == 200
    form = {"staff": "2", "activities": "6", "beneficiaries": "300", "income": "50000.50", "expense": "30000",
            "net_assets": "20000", "party_org": "yes", "disclosed": "no", "summary": "助老服务",
            "submit": "1"}  # fmt: skip
    response = me.post(f"/socialorgs/mine/reports/{LAST_YEAR}/", form)
    assert response.status_code == 302
    report = AnnualReport.objects.get(org=org, year=LAST_YEAR)
    assert (report.status, report.income_fen, report.disclosed) == ("submitted", 5_000_050, False)
    assert (
        client_for(cast.socialorg_officer)
        .post(f"/socialorgs/reports/{report.pk}/", {"step": "accept", "result": "pass"})
        .status_code
        == 302
    )
    assert AnnualReport.objects.get(pk=report.pk).status == "accepted"


def test_org_applies_on_its_page(cast: Cast, org: Organisation) -> None:
    rnd = venture.round_create(
        venture.Call("2026创投", 2026, 5_000_000, 2_000_000, TODAY), actor=cast.socialorg_officer
    )
    me = client_for(cast.org_account)
    form = {
        "round": str(rnd.pk),
        "title": "邻里课堂",
        "summary": "每周两次",
        "requested": "15000",
        "division_code": org.division_code,
    }
    assert me.post("/socialorgs/mine/ventures/", form).status_code == 302
    assert rnd.applications.get().requested_fen == 1_500_000
    assert "邻里课堂" in client_for(cast.socialorg_officer).get(f"/socialorgs/ventures/{rnd.pk}/").content.decode()


def test_public_lookup_without_login(cast: Cast, org: Organisation) -> None:
    anonymous = Client()
    page = anonymous.get("/public/socialorgs/", {"q": ORG_CREDIT_CODE}).content.decode()
    assert org.name in page and org.legal_rep_phone not in page
    assert org.name in anonymous.get("/public/socialorgs/", {"q": "公益服务"}).content.decode()
    assert "没有找到" in anonymous.get("/public/socialorgs/", {"q": "不存在的组织"}).content.decode()


@pytest.mark.parametrize("url", ["/socialorgs/?export=xlsx", f"/socialorgs/reports/?year={LAST_YEAR}&export=xlsx",
                                 "/socialorgs/strength/?export=xlsx"])  # fmt: skip
def test_exports_are_audited(cast: Cast, org: Organisation, url: str) -> None:
    response = client_for(cast.socialorg_officer).get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.filter(action="export", actor=cast.socialorg_officer).count() == 1


def test_draw_page_draws_once(cast: Cast, org: Organisation) -> None:
    for i in range(2):
        Inspector.objects.create(name=f"员{i}", unit="区民政局", certificate=f"C{i}", division_code=COUNTY)
    batch = draw.batch_create(name="页面抽查", year=2026, actor=cast.socialorg_officer)
    officer = client_for(cast.socialorg_officer)
    officer.post(f"/socialorgs/draws/{batch.pk}/")
    page = officer.post(f"/socialorgs/draws/{batch.pk}/", follow=True).content.decode()
    assert "不能再次抽取" in page and "结果一致" in page
