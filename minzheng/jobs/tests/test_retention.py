"""Issue 9 item 10: uploads, exports and rejects (full identity numbers) are deleted after the retention."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from minzheng.audit.models import AuditEvent
from minzheng.jobs.models import Job
from minzheng.jobs.retention import PURGE_KIND, purge_expired_files
from minzheng.jobs.services import job_enqueue, job_run_now


def _file(path: Path, days_old: float) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("330212197803154412", encoding="utf-8")
    when = (timezone.now() - dt.timedelta(days=days_old)).timestamp()
    os.utime(path, (when, when))
    return path


@pytest.fixture
def files(settings: Any) -> dict[str, Path]:
    up, ex, rj, fd = (
        Path(settings.UPLOADS_DIR),
        Path(settings.EXPORTS_DIR),
        Path(settings.REJECTS_DIR),
        Path(settings.FEEDS_DIR),
    )
    return {
        "old_upload": _file(up / "a1b2" / "村里.csv", 40),
        "new_upload": _file(up / "c3d4" / "村里.csv", 5),
        "old_export": _file(ex / "居民查询-20261001.xlsx", 31),
        "new_export": _file(ex / "居民查询-20261201.xlsx", 29),
        "old_rejects": _file(rj / "村里-错误行.csv", 90),
        "old_snapshot": _file(fd / "store" / "vehicle" / "2026-01-01" / "data.parquet", 400),
        "old_feed_rejects": _file(fd / "store" / "vehicle" / "2026-01-01" / "rejects.csv", 400),
        "old_photo": _file(up / "eldercare" / "7" / "before.png", 400),
        "queued_upload": _file(up / "e5f6" / "排队中.csv", 45),
    }


def test_purge_deletes_only_expired_uploads_exports_rejects(db: None, files: dict[str, Path]) -> None:
    job_enqueue(kind="registry.import_residents", params={"path": str(files["queued_upload"])})
    counts = purge_expired_files()
    assert (counts["uploads"], counts["exports"], counts["rejects"], counts["days"]) == (1, 1, 1, 30)
    gone = {"old_upload", "old_export", "old_rejects"}
    for name, path in files.items():
        assert path.exists() == (name not in gone), name
    assert not files["old_upload"].parent.exists()  # the upload's own folder goes with it
    event = AuditEvent.objects.get(object_type="files")
    assert event.action == AuditEvent.Action.DELETE and event.actor_username == "系统"
    assert event.summary == "按保留期限（30 天）删除过期文件：上传 1 个、导出 1 个、错误行 1 个"
    # Idempotent: nothing more to delete, and no second audit row for nothing.
    again = purge_expired_files()
    assert (again["uploads"], again["exports"], again["rejects"]) == (0, 0, 0)
    assert AuditEvent.objects.filter(object_type="files").count() == 1


def test_retention_is_a_setting_and_dry_run_deletes_nothing(db: None, files: dict[str, Path], settings: Any) -> None:
    settings.MINZHENG_FILE_RETENTION_DAYS = 3
    counts = purge_expired_files(dry_run=True)
    assert (counts["uploads"], counts["exports"], counts["rejects"], counts["dry_run"]) == (3, 2, 1, True)
    assert all(path.exists() for path in files.values())
    assert not AuditEvent.objects.filter(object_type="files").exists()
    later = purge_expired_files(now=timezone.now() + dt.timedelta(days=30))  # `now` is the scheduler's
    assert (later["uploads"], later["exports"], later["rejects"]) == (3, 2, 1)


def test_purge_job_and_cli(db: None, files: dict[str, Path]) -> None:
    from minzheng import cli_extra  # noqa: F401 - registers `files purge`
    from minzheng.cli import app

    dry = CliRunner().invoke(app, ["files", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "将删除超过 30 天的文件：上传 2 个，导出 1 个，错误行 1 个" in dry.output
    job = job_run_now(job_enqueue(kind=PURGE_KIND, params={}))
    assert job is not None and job.status == Job.Status.DONE and job.result["rejects"] == 1
    done = CliRunner().invoke(app, ["files", "purge"])
    assert done.exit_code == 0 and "已删除超过 30 天的文件：上传 0 个，导出 0 个，错误行 0 个" in done.output


def test_purge_is_scheduled_nightly() -> None:
    import datetime as dt

    from minzheng.scheduler.registry import SCHEDULES

    spec = SCHEDULES["files.purge"]
    assert (spec.func, spec.daily_at, spec.label) == (purge_expired_files, dt.time(2, 30), "过期文件清理")
