"""部门数据 page: only the 核对中心 and system administrators; upload → job → progress → result and rejects."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from minzheng.audit.models import AuditEvent
from minzheng.demo.feeds import HEADERS
from minzheng.jobs.services import job_enqueue
from minzheng.testing import Cast
from minzheng.verification.models import FeedDelivery
from minzheng.verification.tasks import FEED_INGEST_KIND
from minzheng.verification.tests.feeds_fixtures import ID_A, ID_B

PAGE = "/verification/feeds/"


def client_for(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


def csv_upload(name: str, rows: list[list[str]], headers: list[str] | None = None) -> SimpleUploadedFile:
    text = io.StringIO()
    for row in [headers or HEADERS["vehicle"], *rows]:
        text.write(",".join(row) + "\r\n")
    return SimpleUploadedFile(name, text.getvalue().encode("gb18030"), content_type="text/csv")


@pytest.mark.django_db
def test_page_needs_the_role(cast: Cast) -> None:
    for user in (cast.village_worker, cast.town_officer, cast.county_approver, cast.auditor, cast.caregiver):
        assert client_for(user).get(PAGE).status_code == 404
        assert "部门数据" not in client_for(user).get("/").content.decode()
    for user in (cast.verification_center, cast.sysadmin):
        page = client_for(user).get(PAGE)
        html = page.content.decode()
        assert page.status_code == 200 and "上传部门数据" in html and ">公安 车辆</option>" in html
        assert "尚未导入" in html
        assert f'href="{PAGE}"' in client_for(user).get("/").content.decode()  # the nav entry
    assert Client().get(PAGE).status_code == 302  # not logged in: to the login page


@pytest.mark.django_db
def test_upload_runs_the_job_and_shows_result_and_rejects(cast: Cast) -> None:
    client = client_for(cast.verification_center)
    rows = [[ID_A, "张三", "浙B1", "小型轿车", "2020-01-01", "10"], [ID_B, "李四", "浙B2", "小型轿车", "昨天", "20"]]
    answer = client.post(PAGE, {"feed_id": "vehicle", "file": csv_upload("vehicle_2026-12-01.csv", rows)})
    assert answer.status_code == 302 and "/verification/feeds/jobs/" in answer["Location"]
    job_page = client.get(answer["Location"]).content.decode()
    assert "已完成" in job_page and "<dt>接收</dt><dd>1</dd>" in job_page and "<dt>拒收</dt><dd>1</dd>" in job_page
    delivery = FeedDelivery.objects.get()
    assert delivery.as_of.isoformat() == "2026-12-01" and delivery.source_name == "vehicle_2026-12-01.csv"
    assert delivery.ingested_by == cast.verification_center and delivery.encoding == "gb18030"
    listing = client.get(PAGE).content.decode()
    assert "vehicle_2026-12-01.csv" in listing and "下载错误行" in listing
    rejects = client.get(f"/verification/feeds/deliveries/{delivery.pk}/rejects/")
    body = b"".join(rejects.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert rejects.status_code == 200 and "初次登记日期：“昨天”不是有效日期" in body and "错误原因" in body
    assert AuditEvent.objects.filter(object_type="feed_delivery", action=AuditEvent.Action.EXPORT).count() == 1
    assert (
        client_for(cast.town_officer).get(f"/verification/feeds/deliveries/{delivery.pk}/rejects/").status_code == 404
    )
    # The same file again: nothing changes, the page says so.
    again = client.post(PAGE, {"feed_id": "vehicle", "file": csv_upload("vehicle_2026-12-01.csv", rows)})
    assert "未做任何改动" in client.get(again["Location"]).content.decode() and FeedDelivery.objects.count() == 1
    # A different file needs the replace box.
    other = csv_upload("v.csv", rows[:1])
    refused = client.post(PAGE, {"feed_id": "vehicle", "as_of": "2026-12-01", "file": other})
    assert "已有另一份文件" in client.get(refused["Location"]).content.decode()
    replaced = client.post(
        PAGE, {"feed_id": "vehicle", "as_of": "2026-12-01", "file": csv_upload("v.csv", rows[:1]), "replace": "on"}
    )
    assert "已完成" in client.get(replaced["Location"]).content.decode()
    assert list(FeedDelivery.objects.order_by("pk").values_list("status", flat=True)) == ["replaced", "current"]


@pytest.mark.django_db
def test_bad_uploads(cast: Cast) -> None:
    client = client_for(cast.verification_center)
    no_date = client.post(PAGE, {"feed_id": "vehicle", "file": csv_upload("vehicle.csv", [])})
    assert no_date.status_code == 400 and "请填写数据时点（文件名中没有日期）" in no_date.content.decode()
    wrong_type = client.post(
        PAGE, {"feed_id": "vehicle", "as_of": "2026-12-01", "file": SimpleUploadedFile("a.pdf", b"x")}
    )
    assert wrong_type.status_code == 400 and "只支持 CSV、XLSX、XLS 文件" in wrong_type.content.decode()
    headers = client.post(
        PAGE, {"feed_id": "death", "as_of": "2026-12-01", "file": csv_upload("d.csv", [["张三"]], headers=["姓名"])}
    )
    page = client.get(headers["Location"]).content.decode()
    assert (
        "导入失败：缺少必需的列：公民身份号码 或 身份号码摘要、死亡日期" in page and FeedDelivery.objects.count() == 0
    )


@pytest.mark.django_db
def test_job_page_polls_while_running_and_is_the_owners_only(cast: Cast) -> None:
    params = {"feed_id": "vehicle", "path": "/nonexistent.csv", "as_of": "2026-12-01", "original_name": "x.csv"}
    job = job_enqueue(kind=FEED_INGEST_KIND, params=params, actor=cast.verification_center)
    client = client_for(cast.verification_center)
    html = client.get(f"/verification/feeds/jobs/{job.pk}/").content.decode()
    assert f'hx-get="/verification/feeds/jobs/{job.pk}/"' in html and 'hx-trigger="every 1s"' in html
    assert "排队等待" in html and 'role="progressbar"' in html
    partial = client.get(f"/verification/feeds/jobs/{job.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section class="card" id="progress"') and "<html" not in partial
    job.progress_done, job.progress_total, job.checkpoint, job.status = 2, 4, {"step": "写入快照"}, "running"
    job.save()
    assert "写入快照（第 2/4 步，50%）" in client.get(f"/verification/feeds/jobs/{job.pk}/").content.decode()
    assert client_for(cast.sysadmin).get(f"/verification/feeds/jobs/{job.pk}/").status_code == 404


# --- issue 9 and 10: no internal names on the page, impossible dates refused -----------------------


@pytest.mark.django_db
def test_page_uses_catalogue_names_not_internal_ones(cast: Cast) -> None:
    """Item 9: no "DATA_CONTRACTS §2" and no feed ids; each feed's required columns are listed instead."""
    client = client_for(cast.verification_center)
    html = client.get(PAGE).content.decode()
    assert "DATA_CONTRACTS" not in html and "§" not in html
    for feed_id in ("cremation", "vehicle", "social_insurance", "real_estate"):
        assert f">{feed_id}<" not in html and f"（{feed_id}）" not in html
    assert "民政 殡葬（遗体火化）" in html
    assert "所需列" in html and "公民身份号码（或 身份号码摘要）、姓名、死亡日期、火化日期" in html
    rows = [[ID_A, "张三", "浙B1", "小型轿车", "2020-01-01", "10"]]
    answer = client.post(PAGE, {"feed_id": "vehicle", "file": csv_upload("vehicle_2026-12-01.csv", rows)})
    job_page = client.get(answer["Location"]).content.decode()
    assert "数据项 公安 车辆" in job_page and ">vehicle<" not in job_page


@pytest.mark.django_db
def test_upload_refuses_implausible_dates(cast: Cast) -> None:
    """Item 10: a typed 0001-01-01 is refused next to the field, nothing is queued or stored."""
    client = client_for(cast.verification_center)
    for day in ("0001-01-01", "2100-01-01"):
        answer = client.post(PAGE, {"feed_id": "vehicle", "as_of": day, "file": csv_upload("v.csv", [])})
        assert answer.status_code == 400
        assert f"数据时点“{day}”超出可处理的范围" in answer.content.decode()
    assert not FeedDelivery.objects.exists()
