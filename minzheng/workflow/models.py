"""One history row per transition of any object that runs on a machine."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class TransitionLog(models.Model):
    """Who moved what from which state to which, when, on which real date, and why. Never edited."""

    machine = models.CharField(max_length=40, db_comment="流程")
    object_type = models.CharField(max_length=40, db_comment="对象类型")
    object_id = models.CharField(max_length=64, db_comment="对象标识")
    source = models.CharField(max_length=32, blank=True, db_comment="原状态（空：开始）")
    target = models.CharField(max_length=32, db_comment="新状态")
    action = models.CharField(max_length=40, db_comment="办理事项")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_comment="办理人",
    )
    actor_username = models.CharField(max_length=150, blank=True, db_comment="办理人账号（冗余保存）")
    at = models.DateTimeField(default=timezone.now, db_comment="记录时间")
    on = models.DateField(db_comment="实际办理日期（补录时早于记录时间）")
    reason = models.TextField(blank=True, db_comment="理由或意见")
    data = models.JSONField(default=dict, blank=True, db_comment="随转换提交的数据")

    class Meta:
        db_table_comment = "流程流转记录"
        indexes = [models.Index(fields=["object_type", "object_id", "id"], name="workflow_log_object")]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id} {self.source}→{self.target}"
