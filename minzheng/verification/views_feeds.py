"""部门数据 pages: the deliveries per feed and 数据时点, the upload form, the job's progress, rejects.

Thin: access decides, services write (audited), the ingestion runs as a job the page polls.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from minzheng.accounts.access import require
from minzheng.audit.services import client_ip
from minzheng.core.decorators import role_required
from minzheng.core.uploads import upload_too_large
from minzheng.jobs.selectors import job_get_for_user
from minzheng.jobs.services import job_enqueue, job_start_in_background
from minzheng.verification import selectors, services
from minzheng.verification.access import can_manage_feeds
from minzheng.verification.engine.ingest import STEPS
from minzheng.verification.forms import FeedUploadForm
from minzheng.verification.labels import feed_name
from minzheng.verification.models import FeedDelivery
from minzheng.verification.tasks import FEED_INGEST_KIND


@role_required(can_manage_feeds)
def feeds(request: HttpRequest) -> HttpResponse:
    """The deliveries of every feed, and the upload form that queues an ingestion job."""
    form = FeedUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and _upload_fits(form):
        data = form.cleaned_data
        upload = data["file"]
        params = {
            "feed_id": data["feed_id"],
            "path": str(_upload_save(upload)),
            "as_of": data["as_of"].isoformat(),
            "replace": bool(data["replace"]),
            "original_name": upload.name,
        }
        job = job_enqueue(kind=FEED_INGEST_KIND, params=params, actor=request.user)
        job_start_in_background(job)
        return redirect("verification:feed_job", job_id=job.pk)
    context = {"form": form, "feeds": selectors.feed_overview()}
    return render(request, "verification/feeds.html", context, status=400 if form.errors else 200)


@role_required(can_manage_feeds)
def feed_job(request: HttpRequest, job_id: int) -> HttpResponse:
    """The ingestion's progress (polled by htmx every second) and its result."""
    job = job_get_for_user(user=request.user, job_id=job_id)
    require(job.kind == FEED_INGEST_KIND)
    template = "verification/feed_job.html#progress" if request.htmx else "verification/feed_job.html"
    step = (job.checkpoint or {}).get("step") or ("排队等待" if job.status == job.Status.QUEUED else STEPS[0])
    context = {"job": job, "step": step, "steps": len(STEPS), "feed_name": feed_name(job.params.get("feed_id", ""))}
    return render(request, template, context)


@role_required(can_manage_feeds)
def feed_rejects(request: HttpRequest, delivery_id: int) -> HttpResponse:
    """A delivery's rejects file (personal data): only from the feed store, audited as an export."""
    delivery = FeedDelivery.objects.filter(pk=delivery_id).first()
    if delivery is None or not delivery.rejects_path:
        raise Http404("没有错误行文件")
    path = Path(delivery.rejects_path).resolve()
    if not path.is_relative_to(Path(settings.FEEDS_DIR).resolve()) or not path.exists():
        raise Http404("没有错误行文件")
    services.feed_rejects_download(actor=request.user, delivery=delivery, client_ip=client_ip(request))
    name = f"{delivery.feed_id}_{delivery.as_of.isoformat()}_错误行.csv"
    return FileResponse(path.open("rb"), as_attachment=True, filename=name)


def _upload_fits(form: FeedUploadForm) -> bool:
    """The size cap (MINZHENG_MAX_UPLOAD_MB), for a body that came without a length."""
    reason = upload_too_large(form.cleaned_data["file"])
    if reason:
        form.add_error("file", reason)
    return reason is None


def _upload_save(upload: UploadedFile) -> Path:
    """UPLOADS_DIR/<uuid>/<original name>: the job reads it later, from another thread or process."""
    folder = Path(settings.UPLOADS_DIR) / uuid.uuid4().hex
    folder.mkdir(parents=True)
    saved = folder / Path(str(upload.name)).name
    with saved.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)
    return saved
