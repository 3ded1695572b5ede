"""Job pages: htmx progress polling, failure message, owner-only, the guarded rejects download."""

from __future__ import annotations

import io
from typing import Any

from django.test import Client

from minzheng.accounts.models import User
from minzheng.audit.models import AuditEvent
from minzheng.jobs.models import Job
from minzheng.jobs.services import JobContext, job_claim, job_enqueue
from minzheng.registry.tests.test_views import streamed
from minzheng.testing import Cast

HEADER = "姓名,公民身份号码,户编号,与户主关系,现住址区划代码\n"
POLL = 'hx-get="/jobs/{}/" hx-trigger="every 1s" hx-headers=\'{{"X-Minzheng-Poll": "1"}}\' hx-swap="outerHTML"'


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def upload(client: Client, text: str, name: str = "村里.csv") -> Job:
    data = io.BytesIO(text.encode("utf-8-sig"))
    data.name = name
    response = client.post("/registry/import/", {"file": data})
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.pk}/"
    return job


def test_queued_job_polls_and_htmx_gets_only_the_progress_card(cast: Cast) -> None:
    job = job_enqueue(kind="registry.import_residents", params={"path": "/nonexistent"}, actor=cast.village_worker)
    client = client_for(cast.village_worker)
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert POLL.format(job.pk) in page and "<h1>居民信息导入 · 任务" in page and "排队等待…" in page
    fragment = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert fragment.lstrip().startswith('<section class="card" id="progress"')
    assert POLL.format(job.pk) in fragment and "<html" not in fragment


def test_running_job_shows_rows_done_and_percent(cast: Cast) -> None:
    job = job_enqueue(kind="registry.import_residents", params={"path": "/nonexistent"}, actor=cast.village_worker)
    client = client_for(cast.village_worker)
    running = job_claim(job.pk)
    assert running is not None
    JobContext(running).progress(30_000)  # still reading: the total is not known yet
    html = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "运行中" in html and "正在读取和校验：已读取 30000 行…" in html and POLL.format(job.pk) in html
    JobContext(running).progress(150, 600)
    html = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "已处理 150 / 600 行（25%）" in html and 'aria-valuenow="25"' in html and "width: 25%" in html


def test_done_job_stops_polling_and_shows_counts(cast: Cast) -> None:
    client = client_for(cast.village_worker)
    job = upload(client, HEADER + "张建国,330212197803154412,H1,户主,330212100201\n")
    html = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and "共 1 行，已全部处理（100%）" in html
    counts = dict(zip(("总行数", "接收", "拒收", "新增", "更新", "未变"), ("1", "1", "0", "1", "0", "0"), strict=True))
    for label, value in counts.items():
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html
    assert "下载错误行" not in html


def test_failed_import_shows_the_reason_in_chinese(cast: Cast) -> None:
    client = client_for(cast.village_worker)
    job = upload(client, "姓名,联系电话\n张建国,13805741234\n")
    html = client.get(f"/jobs/{job.pk}/").content.decode()
    assert '状态：<b id="job-status">失败</b>' in html
    assert "居民信息导入失败：缺少必填列：公民身份号码、户编号、与户主关系、现住址区划代码" in html
    assert "hx-trigger" not in html


def test_jobs_are_visible_only_to_their_creator(cast: Cast) -> None:
    """…and their progress to system administrators, who may cancel them; the files stay the creator's."""
    job = job_enqueue(kind="registry.import_residents", params={"path": "/nonexistent"}, actor=cast.village_worker)
    for other in (cast.town_officer, cast.other_town_officer, cast.auditor):
        assert client_for(other).get(f"/jobs/{job.pk}/").status_code == 404
        assert client_for(other).get(f"/jobs/{job.pk}/rejects/").status_code == 404
        assert client_for(other).post(f"/jobs/{job.pk}/cancel/").status_code == 404
    admin = client_for(cast.sysadmin)
    assert admin.get(f"/jobs/{job.pk}/").status_code == 200
    assert admin.get(f"/jobs/{job.pk}/rejects/").status_code == 404


def test_failed_job_page_does_not_say_queued(cast: Cast) -> None:
    """Before: a job that failed before any progress showed 排队等待… under its error."""
    job = job_enqueue(kind="registry.import_residents", params={"path": "/nonexistent"}, actor=cast.village_worker)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.FAILED, error="文件不存在")
    html = client_for(cast.village_worker).get(f"/jobs/{job.pk}/").content.decode()
    assert "排队等待" not in html and "已停止" in html and "居民信息导入失败：文件不存在" in html


def test_admin_cancels_a_running_job_from_its_page(cast: Cast) -> None:
    job = job_enqueue(kind="registry.import_residents", params={"path": "/nonexistent"}, actor=cast.village_worker)
    assert job_claim(job.pk) is not None
    admin = client_for(cast.sysadmin)
    page = admin.get(f"/jobs/{job.pk}/").content.decode()
    assert f'action="/jobs/{job.pk}/cancel/"' in page and "取消任务" in page
    answer = admin.post(f"/jobs/{job.pk}/cancel/", REMOTE_ADDR="10.0.0.9")
    assert answer.status_code == 302 and answer["Location"] == f"/jobs/{job.pk}/"
    html = admin.get(f"/jobs/{job.pk}/").content.decode()
    assert '状态：<b id="job-status">已取消</b>' in html and "居民信息导入已取消：已由 guanli 于" in html
    assert POLL.format(job.pk) not in html and 'id="job-cancel"' not in html
    event = AuditEvent.objects.get(object_type="job")
    assert (event.actor_username, event.object_id, event.client_ip) == ("guanli", str(job.pk), "10.0.0.9")
    again = admin.post(f"/jobs/{job.pk}/cancel/", follow=True).content.decode()
    assert "已结束（已取消），无需取消" in again and AuditEvent.objects.filter(object_type="job").count() == 1
    assert admin.get(f"/jobs/{job.pk}/cancel/").status_code == 405


def test_creator_may_cancel_but_sees_no_button_once_done(cast: Cast) -> None:
    client = client_for(cast.village_worker)
    queued = job_enqueue(kind="registry.import_residents", params={"path": "/nonexistent"}, actor=cast.village_worker)
    assert 'id="job-cancel"' in client.get(f"/jobs/{queued.pk}/").content.decode()
    Job.objects.filter(pk=queued.pk).update(status=Job.Status.DONE)
    assert 'id="job-cancel"' not in client.get(f"/jobs/{queued.pk}/").content.decode()


def test_rejects_download_is_audited_as_export(cast: Cast) -> None:
    client = client_for(cast.village_worker)
    job = upload(client, HEADER + "错号,330212197803154411,H2,户主,330212100201\n")
    response = client.get(f"/jobs/{job.pk}/rejects/", REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert "错误原因" in streamed(response).decode("utf-8-sig")
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert (event.actor_username, event.object_type, event.object_id, event.client_ip) == (
        "wangcun",
        "rejects",
        str(job.pk),
        "10.9.8.7",
    )
    assert event.summary == f"下载导入任务 {job.pk} 的错误行文件"


def test_rejects_file_outside_rejects_dir_is_never_served(cast: Cast, tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.csv"
    secret.write_text("不该给人看", encoding="utf-8")
    job = job_enqueue(kind="registry.import_residents", params={"path": "/nonexistent"}, actor=cast.village_worker)
    client = client_for(cast.village_worker)
    # A result pointing elsewhere (a tampered row, a path with ..) must not turn the page into a file server.
    for path in (str(secret), "/etc/passwd"):
        Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, result={"rejects_file": path})
        assert client.get(f"/jobs/{job.pk}/rejects/").status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_every_job_kind_has_a_chinese_label() -> None:
    """The job page names the job in Chinese; a kind without a label would show its code."""
    from minzheng.jobs.services import HANDLERS
    from minzheng.jobs.views import KIND_LABELS

    assert len(HANDLERS) > 5, "the apps' tasks modules did not register their handlers"
    assert sorted(kind for kind in set(HANDLERS) - KIND_LABELS.keys() if not kind.startswith("test.")) == []


def test_upload_over_the_cap_is_refused_before_parsing(cast: Cast, settings: Any) -> None:
    """MINZHENG_MAX_UPLOAD_MB on every page and the API: 413 with a Chinese reason, nothing queued."""
    settings.MINZHENG_MAX_UPLOAD_MB = 1
    client = client_for(cast.village_worker)
    big = io.BytesIO(b"x" * (3 << 20))
    big.name = "big.csv"
    answer = client.post("/registry/import/", {"file": big})
    text = answer.content.decode()
    assert answer.status_code == 413 and "上传的文件为 3.0 MB，超过上限 1 MB" in text
    api = client.post("/api/v1/anything", data=b"x" * (3 << 20), content_type="application/octet-stream")
    assert api.status_code == 413 and "超过上限 1 MB" in api.json()["detail"]
    assert not Job.objects.exists()


def test_upload_without_a_length_is_checked_by_the_form(cast: Cast, settings: Any) -> None:
    """A body sent without Content-Length passes the middleware; the page checks the file itself."""
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import RequestFactory

    from minzheng.registry.views import import_page

    settings.MINZHENG_MAX_UPLOAD_MB = 1
    request = RequestFactory().post("/registry/import/", {"file": SimpleUploadedFile("big.csv", b"x" * (2 << 20))})
    request.user = cast.village_worker
    request.htmx = False  # type: ignore[attr-defined]
    request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
    answer = import_page(request)
    assert answer.status_code == 400 and "超过上限 1 MB" in answer.content.decode()
    assert not Job.objects.exists()
