"""Notifications (KERNELS §6): an outbox row written in the same transaction as the change.

A message is addressed to a person, or to a role within a division (everyone of that role
whose jurisdiction covers it sees it). Delivery happens after commit in the worker: in-app
first; SMS / 钉钉 / 微信 are adapters named in settings.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(max_length=32, blank=True, db_comment="按角色发送时的角色")
    division_code = models.CharField(max_length=12, blank=True, db_comment="按角色发送时的区划（辖区覆盖它的人可见）")
    kind = models.CharField(max_length=32, db_comment="类型：stage_assigned / overdue / objection / emergency …")
    title = models.CharField(max_length=200, db_comment="标题（已脱敏）")
    link = models.CharField(max_length=200, blank=True)
    fingerprint = models.CharField(max_length=96, unique=True, db_comment="防重复")
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True, db_comment="送达时间（站内）")
    channels_done = models.JSONField(default=list, blank=True, db_comment="已发送的外部渠道")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table_comment = "消息通知（发件箱）"
        indexes = [models.Index(fields=["delivered_at", "id"], name="notification_outbox")]

    def __str__(self) -> str:
        return self.title
