"""Pages: the household's 可享政策 panel, the worklist (scoped, exported), batch runs and what-if."""

from __future__ import annotations

import io

import openpyxl
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.registry.models import Household
from minzheng.rules.tests.helpers_r2 import run_batch, with_car_fixture, world_fixture  # noqa: F401
from minzheng.testing import Cast


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def test_panel_shows_decisions_and_explanations(with_car: dict[str, Household], cast: Cast) -> None:
    poor = with_car["poor"]
    html = client_for(cast.town_officer).get(f"/rules/households/{poor.pk}/panel/?as_of=2026-07-01").content.decode()
    assert "可享政策" in html and "最低生活保障" in html
    assert "3,543.00 元" in html  # (1181 − 0) × 3, to the fen
    assert "家庭月人均收入 0.00 元，低于当地低保标准 1181.00 元（鄞州区，2022-07-01 起）" in html
    assert "应享未享" in html
    car = client_for(cast.town_officer).get(f"/rules/households/{with_car['car'].pk}/panel/?as_of=2026-07-01")
    assert "不应享而享" in car.content.decode()
    assert AuditEvent.objects.filter(object_type="eligibility", actor_username=cast.town_officer.username).count() == 2


def test_panel_scoped_and_by_role(with_car: dict[str, Household], cast: Cast) -> None:
    poor = with_car["poor"]
    assert client_for(cast.other_town_officer).get(f"/rules/households/{poor.pk}/panel/").status_code == 404
    assert client_for(cast.hotline_operator).get(f"/rules/households/{poor.pk}/panel/").content == b""


def test_worklist_page_scoped_and_export(with_car: dict[str, Household], cast: Cast) -> None:
    run_batch()
    town = client_for(cast.town_officer).get("/rules/worklist/").content.decode()
    assert "HQ-001" in town and "HQ-002" in town and "HQ-003" not in town
    assert "3302**********" in town  # masked identity numbers
    other = client_for(cast.other_town_officer).get("/rules/worklist/").content.decode()
    assert "HQ-003" in other and "HQ-001" not in other
    assert client_for(cast.provider).get("/rules/worklist/").status_code == 404
    response = client_for(cast.town_officer).get("/rules/worklist/export/?kind=undue")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active  # type: ignore[attr-defined]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("类型", "政策", "户编号")
    assert [r[2] for r in rows[1:]] == ["HQ-002"] and rows[1][0] == "不应享而享"
    export = AuditEvent.objects.get(action="export", object_type="eligibility_worklist")
    assert export.actor_username == cast.town_officer.username and export.data["rows"] == 1


def test_runs_page_starts_a_batch(with_car: dict[str, Household], cast: Cast) -> None:
    client = client_for(cast.county_approver)
    response = client.post("/rules/runs/", {"as_of": "2026-07-01", "region_code": ""})
    assert response.status_code == 302 and "/rules/runs/" in response["Location"]
    page = client.get(response["Location"]).content.decode()
    assert "已完成" in page and "最低生活保障" in page  # the run finished (jobs run inline in tests)
    assert "判定 " in client.get("/rules/runs/").content.decode()
    assert client_for(cast.sysadmin).get(response["Location"]).status_code == 200
    assert client_for(cast.town_officer).get("/rules/runs/").status_code == 404
    refused = client_for(cast.county_approver).post("/rules/runs/", {"as_of": "2026-07-01", "region_code": "330203"})
    assert refused.status_code == 404  # another county: outside the approver's jurisdiction


def test_whatif_page(with_car: dict[str, Household], cast: Cast) -> None:
    client = client_for(cast.county_approver)
    form = {
        "key": "dibao.standard",
        "region_code": "330212",
        "from_date": "2026-01-01",
        "scale": "1.05",
        "as_of": "2026-07-01",
    }
    html = client.post("/rules/whatif/", form).content.decode()
    # 1181 × 1.05 = 1240.05: HQ-001 (3 persons) +177.15, HQ-003 (1 person) +59.05 → +236.20 元/月.
    assert "+236.20 元" in html
    assert AuditEvent.objects.filter(object_type="eligibility_whatif").count() == 1
    assert client_for(cast.town_officer).get("/rules/whatif/").status_code == 404


def test_settled_on_the_worklist_stays_settled_in_the_next_run(with_car: dict[str, Household], cast: Cast) -> None:
    """The worklist lists the 待办; settling one there is settling the 待办, and the next run keeps it."""
    from minzheng.workitems.models import WorkItem

    run_batch()
    item = WorkItem.objects.get(source="rules_worklist", data__policy_id="dibao", data__household_no="HQ-002")
    town = client_for(cast.town_officer)
    assert f"/workitems/{item.pk}/resolve/" in town.get("/rules/worklist/").content.decode()
    other = client_for(cast.other_town_officer)
    assert other.post(f"/workitems/{item.pk}/resolve/", {"resolution": "x"}).status_code == 404
    refused = town.post(f"/workitems/{item.pk}/resolve/", {"resolution": " ", "next": "/rules/worklist/"}, follow=True)
    assert "请填写处理结果" in refused.content.decode()
    answer = town.post(
        f"/workitems/{item.pk}/resolve/", {"resolution": "已入户核实，停发低保", "next": "https://evil.example/"}
    )
    assert answer["Location"] == "/workitems/"  # never back to another site
    item.refresh_from_db()
    assert (item.status, item.resolved_by, item.resolution) == ("resolved", cast.town_officer, "已入户核实，停发低保")
    assert AuditEvent.objects.filter(object_type="workitem", action="update").count() == 1
    run_batch()
    again = WorkItem.objects.get(source="rules_worklist", data__policy_id="dibao", data__household_no="HQ-002")
    assert (again.pk, again.status, again.resolution) == (item.pk, "resolved", "已入户核实，停发低保")
    pending = town.get("/rules/worklist/").content.decode()  # the default view: what is still to do
    assert "HQ-001" in pending and "停发低保" not in pending
    assert "停发低保" in town.get("/rules/worklist/?status=resolved").content.decode()
