"""The table of schedules: what runs when, and how its last run went.

Rows are created from the code registry (`registry.register`); `enabled` and the run record are
the database's. A run is claimed by compare-and-set on `next_run_at`, so two workers (the thread in
`minzheng serve` and a `minzheng worker`) never both run one due time.
"""

from __future__ import annotations

from django.db import models


class Schedule(models.Model):
    name = models.CharField(max_length=64, unique=True, db_comment="名称，如 emergency.ladder")
    label = models.CharField(max_length=100, blank=True, db_comment="中文说明")
    job = models.CharField(max_length=200, db_comment="执行的函数（模块:函数名）")
    interval_seconds = models.PositiveIntegerField(null=True, blank=True, db_comment="间隔（秒）；与每日时刻二选一")
    daily_at = models.TimeField(null=True, blank=True, db_comment="每日执行时刻（本地时间）")
    enabled = models.BooleanField(default=True, db_comment="启用")
    next_run_at = models.DateTimeField(db_index=True, db_comment="下次执行时间")
    last_run_at = models.DateTimeField(null=True, blank=True, db_comment="上次执行时间（计划时点）")
    last_finished_at = models.DateTimeField(null=True, blank=True, db_comment="上次执行结束时间")
    last_ok = models.BooleanField(null=True, blank=True, db_comment="上次执行成功")
    last_result = models.JSONField(default=dict, blank=True, db_comment="上次执行结果")
    last_error = models.TextField(blank=True, db_comment="上次执行失败原因")
    run_count = models.PositiveIntegerField(default=0, db_comment="执行次数")
    failure_count = models.PositiveIntegerField(default=0, db_comment="失败次数")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "定时任务"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def cadence(self) -> str:
        if self.interval_seconds:
            return f"每 {self.interval_seconds} 秒"
        return f"每日 {self.daily_at:%H:%M}" if self.daily_at else "—"
