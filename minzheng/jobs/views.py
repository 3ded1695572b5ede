"""Job pages: progress (polled by htmx every second) and the rejects download."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record, client_ip
from minzheng.core.decorators import login_required
from minzheng.jobs.selectors import job_get_for_user

KIND_LABELS = {
    "registry.import_residents": "居民信息导入",
    "verification.feed_ingest": "部门数据导入",
    "verification.match": "身份匹配",
    "verification.batch": "批量复核",
    "rules.eligibility_batch": "批量资格判定",
    "eldercare.fraud_checks": "服务监管检查",
    "emergency.tick": "紧急呼叫计时",
}


@login_required
def detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get_for_user(user=request.user, job_id=job_id)
    template = "jobs/detail.html#progress" if request.htmx else "jobs/detail.html"
    return render(request, template, {"job": job, "kind_label": KIND_LABELS.get(job.kind, job.kind)})


@login_required
def rejects(request: HttpRequest, job_id: int) -> HttpResponse:
    """The rejects file holds personal data: only under REJECTS_DIR, only the job's owner, audited."""
    job = job_get_for_user(user=request.user, job_id=job_id)
    raw = (job.result or {}).get("rejects_file")
    if not raw:
        raise Http404("没有错误行文件")
    path = Path(raw).resolve()
    if not path.is_relative_to(settings.REJECTS_DIR.resolve()) or not path.exists():
        raise Http404("没有错误行文件")
    audit_record(
        actor=request.user,
        action=AuditEvent.Action.EXPORT,
        object_type="rejects",
        object_id=job.pk,
        summary=f"下载导入任务 {job.pk} 的错误行文件",
        client_ip=client_ip(request),
    )
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
