"""待办 (KERNELS §4): one item model for every queue a person works through.

Producers (verification batch diff, eligibility worklists, fraud checks, case stages and
their deadlines, 公示 endings) upsert items by fingerprint, so a re-run never duplicates
one; an item is resolved by an action (opening a case, a decision) or by its producer when
the fact behind it is gone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class WorkItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "待处理"
        RESOLVED = "resolved", "已处理"
        DISMISSED = "dismissed", "无需处理"

    source = models.CharField(max_length=32, db_comment="来源（登记的生产者）")
    kind = models.CharField(max_length=32, db_comment="类型")
    title = models.CharField(max_length=200, db_comment="标题（列表显示，已脱敏）")
    subject_type = models.CharField(max_length=24, db_comment="对象类型：household / person / case …")
    subject_id = models.CharField(max_length=64, db_comment="对象标识")
    division_code = models.CharField(max_length=12, db_comment="区划代码（管辖范围）")
    role = models.CharField(max_length=32, db_comment="应办理的角色")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    due_on = models.DateField(null=True, blank=True, db_comment="办理期限")
    fingerprint = models.CharField(max_length=96, unique=True, db_comment="事实摘要（防重复）")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    resolution = models.CharField(max_length=300, blank=True, db_comment="处理结果")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True, db_comment="明细（政策、金额、案件编号等）")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "待办事项"
        indexes = [
            # The 我的待办 page: open items of a role within a jurisdiction, by due date.
            models.Index(fields=["status", "role", "division_code", "due_on"], name="workitem_mine"),
            models.Index(fields=["status", "due_on"], name="workitem_overdue"),
            models.Index(fields=["subject_type", "subject_id"], name="workitem_subject"),
            # A worklist page: one producer's items of a status within a jurisdiction, listed in this
            # order; `kind` makes its per-kind counts index-only (300 → 15 ms for 100,000 open items).
            models.Index(fields=["source", "status", "division_code", "kind"], name="workitem_source_kind"),
        ]

    def __str__(self) -> str:
        return self.title
