from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.jobs.models import Job
from minzheng.registry.models import ChangeRecord
from minzheng.testing import PASSWORD, Cast, make_household


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def streamed(response: Any) -> bytes:
    """Read a FileResponse and close its file, without request_finished closing the test's DB connection."""
    data = b"".join(response.streaming_content)
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    return data


@pytest.fixture
def family(cast: Cast) -> tuple:
    return make_household()


def test_login_wrong_password_and_lockout(cast: Cast) -> None:
    client = Client()
    for _ in range(5):
        page = client.post("/accounts/login/", {"username": "lizhen", "password": "错的"})
        assert "用户名或密码错误" in page.content.decode()
    # Throttled now, not locked for good (accounts/tests/test_login_throttle.py has the details).
    page = client.post("/accounts/login/", {"username": "lizhen", "password": PASSWORD})
    assert page.status_code == 200 and "_auth_user_id" not in client.session


def test_login_then_home_counts_for_town(cast: Cast, family: tuple) -> None:
    client = Client()
    page = client.post("/accounts/login/", {"username": "lizhen", "password": PASSWORD})
    assert page.status_code == 302 and page["Location"] == "/"
    html = client.get("/").content.decode()
    assert "浙江省宁波市鄞州区瞻岐镇" in html
    assert "<b>3</b><span>居民（人）</span>" in html
    assert "<b>1</b><span>留守儿童</span>" in html
    other = client_for(cast.other_town_officer).get("/").content.decode()
    assert "<b>0</b><span>居民（人）</span>" in other


def test_session_idles_out_after_30_minutes() -> None:
    # Idle time is renewed by real requests, not by polls (accounts/tests/test_security.py).
    assert settings.SESSION_COOKIE_AGE == 1800


def test_search_masks_numbers_and_phones(cast: Cast, family: tuple, django_assert_max_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = client_for(cast.village_worker)
    # session, user, rate count, one indexed search, the audit row (4 statements with its hash chain), session save
    with django_assert_max_num_queries(11):
        html = client.get("/registry/", {"q": "张"}).content.decode()
    assert "3302**********4412" in html and "138****1234" in html
    assert "330212197803154412" not in html and "13805741234" not in html
    assert "找到 0 人" in client_for(cast.other_town_officer).get("/registry/", {"q": "张"}).content.decode()


def test_person_page_audited_and_scoped(cast: Cast, family: tuple) -> None:
    _, people = family
    url = f"/registry/persons/{people[0].pk}/"
    page = client_for(cast.town_officer).get(url, REMOTE_ADDR="10.1.2.3")
    assert page.status_code == 200
    assert "3302**********4412" in page.content.decode()
    views = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="person")
    assert [(e.actor_username, e.object_id, e.client_ip) for e in views] == [("lizhen", str(people[0].pk), "10.1.2.3")]
    for who in (cast.other_town_officer, cast.auditor, cast.caregiver):
        assert client_for(who).get(url).status_code == 404
    assert views.count() == 1


def test_unmask_needs_reason_and_is_audited(cast: Cast, family: tuple) -> None:
    _, people = family
    url = f"/registry/persons/{people[0].pk}/unmask/"
    client = client_for(cast.town_officer)
    page = client.post(url, {"reason": ""})
    assert page.status_code == 400 and "请填写查看完整号码的事由" in page.content.decode()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()
    page = client.post(url, {"reason": "核实低保申请"})
    assert "330212197803154412" in page.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.UNMASK)
    assert (event.actor_username, event.reason) == ("lizhen", "核实低保申请")
    # A 村 worker may not unmask: the endpoint does not exist for them.
    assert client_for(cast.village_worker).post(url, {"reason": "想看"}).status_code == 404


def test_edit_phone_records_history(cast: Cast, family: tuple) -> None:
    _, people = family
    client = client_for(cast.village_worker)
    url = f"/registry/persons/{people[0].pk}/edit/"
    bad = client.post(url, {"phone": "123", "tags_text": ""})
    assert bad.status_code == 400 and "“123”不是 11 位手机号或带区号的固定电话" in bad.content.decode()
    client.post(url, {"phone": "13900001111", "tags_text": "独居老人"})
    assert {(c.field, c.old_value, c.new_value) for c in ChangeRecord.objects.exclude(field="家庭成员")} == {
        ("联系电话", "13805741234", "13900001111"),
        ("人员标签", "", "独居老人"),
    }
    assert "13900001111" not in client.get(f"/registry/persons/{people[0].pk}/").content.decode()  # still masked
    assert client_for(cast.county_approver).post(url, {"phone": "13900002222"}).status_code == 404


def test_household_page(cast: Cast, family: tuple) -> None:
    household, _ = family
    html = client_for(cast.village_worker).get(f"/registry/households/{household.pk}/").content.decode()
    assert "浙江省宁波市鄞州区瞻岐镇合一村 第一网格 3幢 1单元 201室" in html
    assert html.count("3302**********") == 3
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_type="household").count() == 1
    assert client_for(cast.other_town_officer).get(f"/registry/households/{household.pk}/").status_code == 404


def test_audit_page_only_for_auditor(cast: Cast, family: tuple) -> None:
    assert client_for(cast.town_officer).get("/audit/").status_code == 404
    html = client_for(cast.auditor).get("/audit/", {"action": "create"}).content.decode()
    assert "新增居民 张建国（户 HQ-0001）" in html


def test_export_is_masked_and_audited(cast: Cast, family: tuple) -> None:
    import openpyxl

    response = client_for(cast.town_officer).get("/registry/export/", {"q": "张"})
    data = streamed(response)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert [c.value for c in sheet[2]][:4] == ["张小明", "男", sheet.cell(2, 3).value, "3302**********3218"]
    assert AuditEvent.objects.get(action=AuditEvent.Action.EXPORT).data == {"q": "张", "kind": "name", "rows": 2}
    assert client_for(cast.town_officer).get("/registry/export/", {"q": " "})["Location"] == "/registry/"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 1
    assert client_for(cast.caregiver).get("/registry/export/", {"q": "张"}).status_code == 404


def test_import_page_runs_job_and_serves_rejects(cast: Cast, tmp_path: Path) -> None:
    content = (
        "姓名,公民身份号码,户编号,与户主关系,现住址区划代码\n"
        "张建国,330212197803154412,H1,户主,330212100201\n"
        "错号,330212197803154411,H2,户主,330212100201\n"
    ).encode("gbk")
    client = client_for(cast.village_worker)
    upload = io.BytesIO(content)
    upload.name = "村里.csv"
    response = client.post("/registry/import/", {"file": upload})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已完成" in html and "<dt>拒收</dt><dd>1</dd>" in html
    download = client.get(f"/jobs/{job.pk}/rejects/")
    text = streamed(download).decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(text)))[1] == [
        "3",
        "错号",
        "330212197803154411",
        "H2",
        "户主",
        "330212100201",
        "公民身份号码：校验位错误（应为 2）",
    ]
    assert client_for(cast.town_officer).get(f"/jobs/{job.pk}/rejects/").status_code == 404  # not their job
    assert client_for(cast.county_approver).get("/registry/import/").status_code == 404


def test_village_worker_registers_household_and_member(cast: Cast) -> None:
    client = client_for(cast.village_worker)
    page = client.get("/registry/households/new/").content.decode()
    assert '<option value="330212100201">合一村</option>' in page
    assert "330212100206" not in page  # another village: not theirs
    form = {
        "household_no": "HY-9",
        "division": "330212100201",
        "grid": "第二网格",
        "head_name": "周大",
        "head_id_number": "330212197803154439",
        "head_phone": "13812340000",
    }
    response = client.post("/registry/households/new/", form)
    assert response.status_code == 302
    household_id = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    bad = client.post(
        f"/registry/households/{household_id}/members/",
        {"name": "周二", "id_number": "330212198004226059", "relation": "配偶"},
    )
    assert bad.status_code == 400 and "公民身份号码：校验位错误（应为 8）" in bad.content.decode()
    client.post(
        f"/registry/households/{household_id}/members/",
        {"name": "周二", "id_number": "330212198004226058", "relation": "配偶"},
    )
    html = client.get(f"/registry/households/{household_id}/").content.decode()
    assert "周大" in html and "周二" in html
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, object_type="person").count() == 2
    again = client.post("/registry/households/new/", {**form, "division": "330212100206"})
    assert again.status_code == 400 and "选择一个有效的选项" in again.content.decode()
    assert client_for(cast.county_approver).get("/registry/households/new/").status_code == 404


def test_live_search_answers_htmx_with_the_results_only(cast: Cast, family: tuple) -> None:
    client = client_for(cast.town_officer)
    page = client.get("/registry/").content.decode()
    # Submit only: a search per keystroke would spend the user's search rate and flood the audit log.
    assert 'hx-get="/registry/"' in page and "input changed" not in page and 'id="results"' in page
    fragment = client.get("/registry/", {"q": "张建"}, HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<div id="results">') and "<html" not in fragment
    assert "找到 1 人" in fragment and "3302**********4412" in fragment


def test_person_page_query_count_does_not_grow_with_history(
    cast: Cast, family: tuple, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    _, people = family
    client = client_for(cast.town_officer)
    for n in range(5):
        client.post(f"/registry/persons/{people[0].pk}/edit/", {"phone": f"1390000111{n}", "tags_text": ""})
    assert ChangeRecord.objects.filter(field="联系电话").count() == 5
    with django_assert_max_num_queries(13):  # the audit row costs 4 statements with its hash chain
        html = client.get(f"/registry/persons/{people[0].pk}/").content.decode()
    assert html.count('<td data-label="字段">联系电话</td>') == 5
    assert "139****1114" in html and "13900001114" not in html


def test_import_page_refuses_other_file_types(cast: Cast) -> None:
    upload = io.BytesIO(b"%PDF-1.4")
    upload.name = "名单.pdf"
    page = client_for(cast.village_worker).post("/registry/import/", {"file": upload})
    assert page.status_code == 400 and "只支持 CSV、XLSX、XLS 文件" in page.content.decode()
    assert not Job.objects.exists()
