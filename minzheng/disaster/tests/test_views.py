"""The disaster pages: each role sees its own area (404 outside), forms write through the services,
lists are masked, the export and the number shown for a call are audited."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

import pytest
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.disaster import services_stock as stock
from minzheng.disaster import services_warning as warn
from minzheng.disaster.models import Assessment, Call, Distribution, Item, ReliefClaim, Warehouse
from minzheng.disaster.tests.helpers import TODAY, claim, import_params, typhoon
from minzheng.testing import COUNTY, TOWN_A, VILLAGE_A, Cast, make_household

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_event_pages_by_role_and_area(cast: Cast) -> None:
    event = typhoon(cast)
    only_b = typhoon(cast, areas=["330212101"])
    for user in (cast.disaster_officer, cast.town_officer, cast.village_worker, cast.county_approver):
        page = client_for(user).get(f"/disaster/events/{event.pk}/")
        assert page.status_code == 200 and "台风灾害" in page.content.decode()
    assert client_for(cast.town_officer).get(f"/disaster/events/{only_b.pk}/").status_code == 404
    assert client_for(cast.other_town_officer).get(f"/disaster/events/{event.pk}/").status_code == 404
    assert client_for(cast.rescue_staff).get("/disaster/").status_code == 404
    assert client_for(cast.town_officer).get("/disaster/stock/").status_code == 404  # the office's reserves
    listed = client_for(cast.town_officer).get("/disaster/").content.decode()
    assert event.name in listed


def test_creating_an_event_names_the_standards(cast: Cast) -> None:
    officer = client_for(cast.disaster_officer)
    form = officer.get("/disaster/events/new/").content.decode()
    assert "GB/T 28921" in form and "国家自然灾害救助应急预案" in form and "GB/T 24438.1" in form
    post = {"name": "2026年7月强降雨", "kind": "flood", "areas": f"{TOWN_A}", "started_on": "2026-07-01",
            "response_level": "Ⅲ", "level_basis": ""}  # fmt: skip
    page = officer.post("/disaster/events/new/", post, follow=True).content.decode()
    assert "启动依据：启动应急响应须写明依据" in page


def test_the_village_reports_its_figures_and_the_town_sees_them_summed(cast: Cast) -> None:
    event = typhoon(cast)
    post = {"village": VILLAGE_A, "affected_persons": 120, "relocated_persons": 30, "transition_persons": 6,
            "houses_collapsed": 2, "houses_severe": 3, "houses_general": 11, "loss_yuan": "125000.50"}  # fmt: skip
    resp = client_for(cast.village_worker).post(f"/disaster/events/{event.pk}/assess/", post)
    assert resp.status_code == 302
    row = Assessment.objects.get()
    assert (row.affected_persons, row.loss_fen, row.version) == (120, 12500050, 1)
    post["affected_persons"] = 150
    client_for(cast.village_worker).post(f"/disaster/events/{event.pk}/assess/", post)
    row.refresh_from_db()
    assert (row.affected_persons, row.version) == (150, 2)
    page = client_for(cast.town_officer).get(f"/disaster/events/{event.pk}/").content.decode()
    assert "瞻岐镇" in page and "125,000.50" in page and ">150<" in page
    assert "未报送" in page and "南一村" in page  # the town's other villages have not reported yet


def test_a_claim_from_the_page_opens_a_case_and_the_list_masks_the_name(cast: Cast) -> None:
    import_params()
    household, _ = make_household()
    event = typhoon(cast)
    post = {"kind": "transition", "household_no": household.household_no, "received_on": TODAY.isoformat(),
            "house_damage": "collapsed", "no_livelihood": "on", "transition_persons": 3,
            "winter_persons": 0}  # fmt: skip
    resp = client_for(cast.village_worker).post(f"/disaster/events/{event.pk}/claim/", post)
    c = ReliefClaim.objects.get()
    assert resp.status_code == 302 and unquote(resp["Location"]) == f"/cases/{c.case.case_no}/"
    page = client_for(cast.town_officer).get(f"/disaster/events/{event.pk}/").content.decode()
    assert "张**" in page and "张建国" not in page
    office = client_for(cast.disaster_officer).get(f"/disaster/events/{event.pk}/").content.decode()
    link = f'href="{quote(f"/cases/{c.case.case_no}/")}"'
    assert c.case.case_no in office and link not in office and link in page  # the office gets no link to a 404
    detail = client_for(cast.town_officer).get(f"/cases/{c.case.case_no}/").content.decode()
    assert "过渡期生活救助" in detail and "入户核查" in detail  # the case kernel's page works the claim
    out = client_for(cast.disaster_officer).get(f"/disaster/events/{event.pk}/claim/")
    assert out.status_code == 404  # 受理 is the town's window or the village


def test_export_is_audited(cast: Cast) -> None:
    household, _ = make_household()
    event = typhoon(cast)
    import_params()
    claim(cast, event, household)
    resp = client_for(cast.town_officer).post(f"/disaster/events/{event.pk}/export/")
    assert resp.status_code == 200 and resp.content[:2] == b"PK"
    assert AuditEvent.objects.filter(action="export", object_type="disaster_event").count() == 1


def test_issue_sign_and_call_pages(cast: Cast) -> None:
    house = Warehouse.objects.create(code="YZ-01", name="鄞州区救灾物资储备库", division_code=COUNTY)
    quilt = Item.objects.create(code="MB", name="棉被", unit="床")
    stock.lot_receive(house, quilt.pk, batch_no="A", quantity=50, received_on=TODAY, expires_on=None,
                      source="采购", actor=cast.disaster_officer)  # fmt: skip
    officer = client_for(cast.disaster_officer)
    assert "棉被（床；可用 鄞州区救灾物资储备库 50）" in officer.get("/disaster/issue/").content.decode()
    resp = officer.post("/disaster/issue/", {"warehouse": house.pk, "village": VILLAGE_A, f"qty_{quilt.pk}": "20"})
    dist = Distribution.objects.get()
    assert resp["Location"] == f"/disaster/distributions/{dist.pk}/"
    assert client_for(cast.other_town_officer).get(f"/disaster/distributions/{dist.pk}/").status_code == 404
    village = client_for(cast.village_worker)
    assert "手写签名" in village.get(f"/disaster/distributions/{dist.pk}/").content.decode()
    warn.contact_add(VILLAGE_A, name="王信息", phone="13805740001", role="灾害信息员", actor=cast.village_worker)
    w = warn.warning_issue(title="暴雨红色预警", level="red", areas=[TOWN_A], minutes=30, event=None,
                           actor=cast.disaster_officer)  # fmt: skip
    call = Call.objects.get()
    page = village.get(f"/disaster/warnings/{w.pk}/").content.decode()
    assert "138****0001" in page and "13805740001" not in page
    village.post(f"/disaster/calls/{call.pk}/reveal/")
    assert "tel:13805740001" in village.get(f"/disaster/warnings/{w.pk}/").content.decode()
    assert AuditEvent.objects.filter(action="unmask", object_type="disaster_warning").count() == 1
    village.post(f"/disaster/calls/{call.pk}/", {"answered": "1"})
    call.refresh_from_db()
    assert call.answered_at is not None
