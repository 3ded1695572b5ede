"""核对工作清单 (a view of the findings' 待办) and 批量复核 pages: jurisdiction, roles, settling, the audited export."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.registry.models import Person
from minzheng.testing import TOWN_A, TOWN_B, VILLAGE_A, Cast
from minzheng.verification import batchrun
from minzheng.verification.models import BatchRun, WorklistItem
from minzheng.verification.services import batch_run_start
from minzheng.verification.tests.batch_fixtures import AS_OF, County, county_files, registry
from minzheng.workitems.models import WorkItem

__all__ = ["county_files", "registry"]  # fixtures


def login(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


@pytest.fixture
def items(registry: County, settings: object) -> list[WorkItem]:
    """A batch over every household of the generated county (so every town has findings): their 待办."""
    settings.VERIFICATION_BATCH_CHUNK_HOUSEHOLDS = 1000  # type: ignore[attr-defined]  # one partition: fast
    run = batch_run_start(actor=None, as_of=AS_OF, scope=BatchRun.Scope.ALL)
    batchrun.batch_execute(run, checkpoint={}, save=lambda done, total, cp: None)
    found = list(WorkItem.objects.filter(source="verification_worklist"))
    assert len(found) == WorklistItem.objects.count()  # one 待办 per finding
    return found


def _number(item: WorkItem) -> str:
    person = Person.objects.filter(pk=item.data.get("person_id")).first()
    return person.id_number if person else ""


def test_town_officer_sees_only_the_town(cast: Cast, items: list[WorkItem]) -> None:
    mine = [i for i in items if i.division_code.startswith(TOWN_A)]
    theirs = [i for i in items if i.division_code.startswith(TOWN_B)]
    assert mine and theirs
    page = login(cast.town_officer).get("/verification/worklist/", {"status": ""})
    assert page.status_code == 200
    text = page.content.decode()
    assert f"共 {len(mine)} 条" in text
    other = login(cast.other_town_officer).get("/verification/worklist/", {"status": ""}).content.decode()
    assert f"共 {len(theirs)} 条" in other
    assert all(f'id="item-{i.pk}"' not in other for i in mine)


def test_filter_by_kind(cast: Cast, items: list[WorkItem]) -> None:
    deaths = [i for i in items if i.kind == WorklistItem.Kind.NEW_DEATH]
    page = login(cast.county_approver).get("/verification/worklist/", {"kind": "new_death"}).content.decode()
    assert f"共 {len(deaths)} 条" in page and "新增死亡" in page


def test_items_outside_the_jurisdiction_are_404(cast: Cast, items: list[WorkItem]) -> None:
    outside = next(i for i in items if not i.division_code.startswith(TOWN_A))
    client = login(cast.town_officer)
    assert client.post(f"/workitems/{outside.pk}/resolve/", {"resolution": "越权"}).status_code == 404
    outside.refresh_from_db()
    assert outside.status == WorkItem.Status.OPEN
    for who in (cast.caregiver, cast.auditor, cast.hotline_operator):
        assert login(who).get("/verification/worklist/").status_code == 404


def test_village_worker_reads_the_village_but_cannot_close(cast: Cast, items: list[WorkItem]) -> None:
    page = login(cast.village_worker).get("/verification/worklist/", {"status": ""}).content.decode()
    village = [i for i in items if i.division_code.startswith(VILLAGE_A)]
    assert f"共 {len(village)} 条" in page and "/resolve/" not in page
    if village:
        answer = login(cast.village_worker).post(f"/workitems/{village[0].pk}/resolve/", {"resolution": "x"})
        assert answer.status_code == 404


def test_settling_from_the_page_is_audited_and_shown(cast: Cast, items: list[WorkItem]) -> None:
    item = next(i for i in items if i.division_code.startswith(TOWN_A))
    client = login(cast.town_officer)
    back = "/verification/worklist/?kind=" + item.kind
    assert f"/workitems/{item.pk}/resolve/" in client.get(back).content.decode()
    response = client.post(f"/workitems/{item.pk}/resolve/", {"resolution": "已入户核实", "next": back}, follow=True)
    assert response.redirect_chain[-1][0] == back and "已处理" in response.content.decode()
    item.refresh_from_db()
    assert item.status == WorkItem.Status.RESOLVED and item.resolved_by == cast.town_officer
    event = AuditEvent.objects.get(object_type="workitem", object_id=str(item.pk), action="update")
    assert event.actor == cast.town_officer and event.reason == "已入户核实"
    settled = client.get("/verification/worklist/", {"status": "resolved"}).content.decode()
    assert f'id="item-{item.pk}"' in settled and "已入户核实" in settled


def _sheet(response: object) -> list[list[str]]:
    data = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    return [[c or "" for c in row] for row in sheet.iter_rows(values_only=True)]


def test_export_is_masked_scoped_and_audited(cast: Cast, items: list[WorkItem]) -> None:
    mine = [i for i in items if i.division_code.startswith(TOWN_A)]
    response = login(cast.town_officer).get("/verification/worklist/export/", {"status": ""})
    assert response.status_code == 200
    rows = _sheet(response)
    assert rows[0][:5] == ["类型", "户编号", "区划代码", "姓名", "公民身份号码"]
    assert len(rows) == len(mine) + 1
    numbers = [r[4] for r in rows[1:] if r[4]]
    assert numbers and all("*" in n for n in numbers)
    full = {_number(i) for i in mine} - {""}
    assert not full & set(numbers)
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, object_type="worklist")
    assert event.actor == cast.town_officer and event.data["rows"] == len(mine) and not event.data["full_numbers"]


def test_full_numbers_need_the_role_and_a_reason(cast: Cast, items: list[WorkItem]) -> None:
    client = login(cast.town_officer)
    refused = client.get("/verification/worklist/export/", {"status": "", "full": "1"}, follow=True)
    assert "导出完整身份号码须填写事由" in refused.content.decode()
    rows = _sheet(client.get("/verification/worklist/export/", {"status": "", "full": "1", "reason": "入户核查"}))
    mine = {_number(i) for i in items if i.division_code.startswith(TOWN_A)} - {""}
    assert {r[4] for r in rows[1:] if r[4]} == mine
    assert AuditEvent.objects.get(object_type="worklist", reason="入户核查").data["full_numbers"] is True
    village = login(cast.village_worker).get(
        "/verification/worklist/export/", {"full": "1", "reason": "想看"}, follow=True
    )
    assert "您的角色不能导出完整身份号码" in village.content.decode()
    assert not AuditEvent.objects.filter(object_type="worklist", actor=cast.village_worker).exists()


def test_batch_page_starts_a_run_and_shows_progress(cast: Cast, registry: County) -> None:
    client = login(cast.verification_center)
    page = client.get("/verification/batch/")
    assert page.status_code == 200 and "开始复核" in page.content.decode()
    response = client.post("/verification/batch/new/", {"as_of": "2026-11-01", "engine": "duckdb"}, follow=True)
    text = response.content.decode()
    assert "已启动批量复核" in text
    run = BatchRun.objects.get()
    assert run.status == BatchRun.Status.DONE and run.jurisdiction == cast.verification_center.jurisdiction
    assert run.created_by == cast.verification_center and f'id="run-{run.pk}"' in text and "已完成" in text
    partial = client.get("/verification/batch/", HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<div id="runs"') and "新增死亡" in partial
    assert AuditEvent.objects.filter(object_type="batch_run", object_id=str(run.pk), actor=cast.verification_center)
    bad = client.post("/verification/batch/new/", {"as_of": "2026-13-01"}, follow=True).content.decode()
    assert "数据时点“2026-13-01”不是 YYYY-MM-DD 格式的日期" in bad


def test_batch_page_roles(cast: Cast, county: None) -> None:
    for who in (cast.town_officer, cast.village_worker, cast.caregiver):
        assert login(who).get("/verification/batch/").status_code == 404
        assert login(who).post("/verification/batch/new/", {"as_of": "2026-11-01"}).status_code == 404
    assert not BatchRun.objects.exists()
    home = login(cast.town_officer).get("/").content.decode()
    assert "核对工作清单" in home and "批量复核" not in home


def test_a_failed_run_continues_from_the_page(cast: Cast, registry: County) -> None:
    from minzheng.jobs.models import Job

    run = batch_run_start(actor=cast.verification_center, as_of=AS_OF)
    Job.objects.filter(pk=run.job_id).update(status=Job.Status.FAILED, error="已中断")
    BatchRun.objects.filter(pk=run.pk).update(status=BatchRun.Status.FAILED, error="已中断")
    client = login(cast.verification_center)
    assert "从断点继续" in client.get("/verification/batch/").content.decode()
    assert login(cast.town_officer).post(f"/verification/batch/{run.pk}/continue/").status_code == 404
    page = client.post(f"/verification/batch/{run.pk}/continue/", follow=True).content.decode()
    assert f"批量复核 {run.pk} 从断点继续" in page
    run.refresh_from_db()
    assert run.status == BatchRun.Status.DONE and run.job.status == Job.Status.DONE
    assert client.post(f"/verification/batch/{run.pk}/continue/").status_code == 404  # nothing to continue


# --- issue 9 and 10: audited reads, no engine on the page, the proposed date, impossible dates ----


def test_worklist_page_read_is_audited(cast: Cast, items: list[WorkItem]) -> None:
    """Item 3: a page of the worklist names residents and their changes: one VIEW row listing the items shown."""
    kind = next(i.kind for i in items if i.division_code.startswith(TOWN_A))
    page = login(cast.town_officer).get("/verification/worklist/", {"status": "", "kind": kind})
    assert page.status_code == 200
    shown = [i.pk for i in page.context["page"].object_list]
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW, object_type="worklist_item")
    assert shown and event.data["items"] == shown and event.actor == cast.town_officer
    assert event.data["filters"] == {"kind": kind, "status": "", "page": "1", "division": ""}
    login(cast.town_officer).get("/verification/worklist/", {"status": "resolved"})  # nothing shown, nothing read
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="worklist_item").count() == 1


def test_batch_page_hides_the_engine_and_proposes_the_latest_snapshot(
    cast: Cast, registry: County, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Item 9: DuckDB/Spark is an operator's choice (CLI); the date defaults to the newest delivery."""
    import datetime as dt

    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a: dt.date(2026, 12, 20))
    client = login(cast.verification_center)
    html = client.get("/verification/batch/").content.decode()
    assert "DuckDB" not in html and "Spark" not in html and "引擎" not in html
    assert f'name="as_of" type="date" value="{AS_OF.isoformat()}"' in html
    client.post("/verification/batch/new/", {"as_of": AS_OF.isoformat(), "engine": "spark"})
    assert BatchRun.objects.get().engine == BatchRun.Engine.DUCKDB  # a forged field does not pick Spark


def test_batch_page_refuses_implausible_dates(cast: Cast, county: None) -> None:
    """Item 10: as_of=0001-01-01 was accepted and failed deep in date arithmetic; now refused up front."""
    client = login(cast.verification_center)
    for day in ("0001-01-01", "9999-12-31"):
        page = client.post("/verification/batch/new/", {"as_of": day}, follow=True).content.decode()
        assert f"数据时点“{day}”超出可处理的范围" in page
    assert not BatchRun.objects.exists()
