"""Delete uploads, exports and rejects files older than the retention period (they hold full identity numbers).

`purge_expired_files(now=None)` is a plain function so the scheduler can run it daily; the job kind
`jobs.purge_files` and `minzheng files purge [--dry-run]` call the same function. Idempotent: a
second run finds nothing more to delete. Audited when it deletes anything, with the counts.

Never touched: the feed store (FEEDS_DIR: snapshots are the record of what a department delivered),
care-order photos under UPLOADS_DIR/eldercare (evidence of a service, shown on the order), and
any upload a queued or running job is still to read.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from minzheng.jobs.models import Job
from minzheng.jobs.services import JobContext, job_handler

PURGE_KIND = "jobs.purge_files"
KEPT_UPLOAD_FOLDERS = {"eldercare"}  # order photos: records, not transient uploads
AREAS = (("uploads", "UPLOADS_DIR", "上传"), ("exports", "EXPORTS_DIR", "导出"), ("rejects", "REJECTS_DIR", "错误行"))


def purge_expired_files(now: dt.datetime | None = None, *, dry_run: bool = False) -> dict[str, Any]:
    """Delete the expired files; returns {"days", "cutoff", "uploads", "exports", "rejects", "bytes", "dry_run"}."""
    now = now or timezone.now()
    days = int(settings.MINZHENG_FILE_RETENTION_DAYS)
    cutoff = (now - dt.timedelta(days=days)).timestamp()
    in_use = _paths_in_use()
    counts: dict[str, Any] = {"days": days, "cutoff": dt.datetime.fromtimestamp(cutoff, dt.UTC).isoformat()}
    freed = 0
    for key, setting, _label in AREAS:
        root = Path(getattr(settings, setting))
        expired = [p for p in _files(root, key) if p.stat().st_mtime < cutoff and p.resolve() not in in_use]
        counts[key] = len(expired)
        freed += sum(p.stat().st_size for p in expired)
        if not dry_run:
            for path in expired:
                path.unlink(missing_ok=True)
            _remove_empty_folders(root, key)
    counts.update(bytes=freed, dry_run=dry_run)
    if not dry_run and any(counts[key] for key, _s, _l in AREAS):
        _audit(counts)
    return counts


def _files(root: Path, key: str) -> list[Path]:
    if not root.is_dir():
        return []
    found = []
    for folder, dirs, names in os.walk(root):
        if key == "uploads" and Path(folder) == root:
            dirs[:] = [d for d in dirs if d not in KEPT_UPLOAD_FOLDERS]
        found.extend(Path(folder) / name for name in names)
    return [p for p in found if p.is_file() and not p.is_symlink()]


def _remove_empty_folders(root: Path, key: str) -> None:
    if not root.is_dir():
        return
    for folder, _dirs, _names in os.walk(root, topdown=False):
        path = Path(folder)
        if path == root or (key == "uploads" and path.relative_to(root).parts[0] in KEPT_UPLOAD_FOLDERS):
            continue
        if not any(path.iterdir()):
            path.rmdir()


def _paths_in_use() -> set[Path]:
    """Uploads a job has yet to read: deleting one would fail the job with a missing file."""
    unfinished = Job.objects.filter(status__in=[Job.Status.QUEUED, Job.Status.RUNNING])
    return {Path(p).resolve() for p in unfinished.values_list("params__path", flat=True) if isinstance(p, str)}


def _audit(counts: dict[str, Any]) -> None:
    from minzheng.audit.models import AuditEvent
    from minzheng.audit.services import audit_record

    parts = "、".join(f"{label} {counts[key]} 个" for key, _s, label in AREAS)
    audit_record(
        actor=None,
        action=AuditEvent.Action.DELETE,
        object_type="files",
        summary=f"按保留期限（{counts['days']} 天）删除过期文件：{parts}",
        data=counts,
    )


@job_handler(PURGE_KIND)
def purge_files_job(ctx: JobContext) -> dict[str, Any]:
    return purge_expired_files(dry_run=bool(ctx.params.get("dry_run")))
