from __future__ import annotations

from django.conf import settings
from django.db import models


class Job(models.Model):
    """A background job persisted in the database, claimed by compare-and-set.

    Handlers save a checkpoint as they go, so a job killed mid-run resumes
    where it stopped when a worker claims it again.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    kind = models.CharField(max_length=64, db_comment="任务类型，如 registry.import_residents")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    params = models.JSONField(default=dict, db_comment="参数")
    checkpoint = models.JSONField(default=dict, db_comment="断点：已完成的位置")
    result = models.JSONField(default=dict, blank=True, db_comment="结果")
    error = models.TextField(blank=True, db_comment="失败原因")
    progress_done = models.BigIntegerField(default=0)
    progress_total = models.BigIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True, db_comment="运行中的心跳；过期则可被重新认领")
    attempts = models.PositiveSmallIntegerField(default=0)
    crashes = models.PositiveSmallIntegerField(default=0, db_comment="后台进程异常退出的次数；达到上限即停止重试")
    worker = models.CharField(
        max_length=200,
        blank=True,
        default="",
        db_comment="运行它的进程：主机 进程号 启动时刻；同主机上该进程已不在即可接手",
    )
    cancelled_at = models.DateTimeField(null=True, blank=True, db_comment="被取消的时间（状态为失败）")

    class Meta:
        db_table_comment = "后台任务"
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}#{self.pk}"

    @property
    def status_label(self) -> str:
        """A cancelled job is stored as failed (nothing resumes it by itself) but says 已取消."""
        return "已取消" if self.cancelled_at else self.get_status_display()

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, int(self.progress_done * 100 / self.progress_total))
