"""Attachments (KERNELS §5): one model for every file a case or a record keeps.

Stored by content (sha256) under the data directory; the type is decided from the bytes,
not the name; each carries its retention (child welfare files are kept for ever).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Attachment(models.Model):
    owner_type = models.CharField(max_length=32, db_comment="所属对象类型，如 case")
    owner_id = models.CharField(max_length=64, db_comment="所属对象标识")
    kind = models.CharField(max_length=32, db_comment="用途，如 visit_photo、application_scan")
    filename = models.CharField(max_length=200, db_comment="上传时的文件名")
    content_type = models.CharField(max_length=64, db_comment="按内容识别的类型")
    size = models.BigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    retain_days = models.PositiveIntegerField(null=True, blank=True, db_comment="保存天数（空：永久保存）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "附件"
        indexes = [models.Index(fields=["owner_type", "owner_id"], name="attachment_owner")]

    def __str__(self) -> str:
        return self.filename
