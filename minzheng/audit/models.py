from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Bulk writes never call save()/delete(): refuse them here too (the database refuses as well)."""

    def update(self, **kwargs: object) -> int:
        raise AppendOnlyError("审计日志不可修改")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计日志不可删除")


class AuditEvent(models.Model):
    """Append-only: who did what, when, why, from where. Never edited or deleted.

    Tamper-evident: `seq` numbers the rows without gaps and `hash` chains each row to the one
    before (minzheng.audit.chain); `minzheng audit verify` finds a deleted, altered or forged row.
    Rows are written only through minzheng.audit.services.audit_record, which holds the chain head.
    """

    class Action(models.TextChoices):
        VIEW = "view", "查看详情"
        UNMASK = "unmask", "查看完整号码"
        SEARCH = "search", "查询"
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        IMPORT = "import", "导入"
        EXPORT = "export", "导出"
        LOGIN = "login", "登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKED = "locked", "账号锁定"
        USER_CREATE = "user_create", "创建账号"
        TOKEN_CREATE = "token_create", "签发令牌"

    # Set by audit_record while it holds the chain head (not auto_now_add: the hash covers it).
    at = models.DateTimeField(default=timezone.now, db_index=True, db_comment="时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    actor_username = models.CharField(max_length=150, blank=True, db_comment="操作人账号（冗余保存）")
    action = models.CharField(max_length=32, choices=Action.choices, db_comment="操作")
    object_type = models.CharField(max_length=32, blank=True, db_comment="对象类型")
    object_id = models.CharField(max_length=64, blank=True, db_comment="对象标识")
    summary = models.CharField(max_length=500, blank=True, db_comment="摘要")
    reason = models.CharField(max_length=500, blank=True, db_comment="事由")
    client_ip = models.CharField(max_length=45, blank=True, db_comment="客户端地址")
    data = models.JSONField(default=dict, blank=True, db_comment="明细")
    seq = models.BigIntegerField(unique=True, db_comment="链序号（从 1 起连续）")
    prev_hash = models.CharField(max_length=64, db_comment="前一行的哈希")
    hash = models.CharField(max_length=64, db_comment="本行哈希 SHA-256(前一行哈希+本行内容)")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        db_table_comment = "审计日志（只增不改）"
        indexes = [
            models.Index(fields=["actor_username", "at"]),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.get_action_display()}"

    def save(self, *args: object, **kwargs: object) -> None:
        # Guard, not business logic: an existing audit row must never change.
        if self.pk is not None:
            raise AppendOnlyError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计日志不可删除")
