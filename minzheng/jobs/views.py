"""Job pages: progress (polled by htmx every second), cancel, and the rejects download."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record, client_ip
from minzheng.core.decorators import login_required
from minzheng.jobs.selectors import job_get_for_user, job_may_cancel
from minzheng.jobs.services import JobError, job_cancel

KIND_LABELS = {
    "registry.import_residents": "居民信息导入",
    "verification.feed_ingest": "部门数据导入",
    "verification.match": "身份匹配",
    "verification.batch": "批量复核",
    "rules.eligibility_batch": "批量资格判定",
    "eldercare.fraud_checks": "服务监管检查",
    "emergency.tick": "紧急呼叫计时",
    "jobs.purge_files": "过期文件清理",
    "cases.deadlines_recompute": "重算案件办理期限",
}


@login_required
def detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = job_get_for_user(user=request.user, job_id=job_id, admin_ok=True)
    template = "jobs/detail.html#progress" if request.htmx else "jobs/detail.html"
    context = {
        "job": job,
        "kind_label": KIND_LABELS.get(job.kind, job.kind),
        "may_cancel": job_may_cancel(user=request.user, job=job),
        "is_owner": job.created_by_id == request.user.pk,
    }
    return render(request, template, context)


@require_POST
@login_required
def cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    """The creator or a system administrator stops a job; it is never picked up again (audited)."""
    job = job_get_for_user(user=request.user, job_id=job_id, admin_ok=True)
    if not job_may_cancel(user=request.user, job=job):
        messages.error(request, f"任务 {job.pk} 已结束（{job.status_label}），无需取消")
        return redirect("jobs:detail", job_id=job.pk)
    try:
        job_cancel(job=job, actor=request.user, client_ip=client_ip(request))
    except JobError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"已取消任务 {job.pk}")
    return redirect("jobs:detail", job_id=job.pk)


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
