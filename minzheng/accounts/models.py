from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    VILLAGE_WORKER = "village_worker", "村（社区）工作人员"
    TOWN_OFFICER = "town_officer", "乡镇（街道）民政办"
    COUNTY_APPROVER = "county_approver", "县级审批"
    VERIFICATION_CENTER = "verification_center", "核对中心"
    PROVIDER = "provider", "服务商"
    CAREGIVER = "caregiver", "护理员"
    HOTLINE_OPERATOR = "hotline_operator", "热线坐席"
    SYSADMIN = "sysadmin", "系统管理员"
    AUDITOR = "auditor", "审计员"


class User(AbstractUser):
    """A staff member: one role, one jurisdiction (a division-code prefix)."""

    role = models.CharField(max_length=32, choices=Role.choices, db_comment="角色")
    jurisdiction = models.CharField(max_length=12, db_comment="管辖范围：区划代码前缀，如 330212 表示整个鄞州区")
    display_name = models.CharField(max_length=64, blank=True, db_comment="姓名")
    failed_logins = models.PositiveSmallIntegerField(default=0, db_comment="连续登录失败次数")
    locked_at = models.DateTimeField(null=True, blank=True, db_comment="因登录失败被锁定的时间")

    class Meta:
        db_table_comment = "工作人员账号"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""


class ApiToken(models.Model):
    """Bearer token for the API. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True, db_comment="令牌的 SHA-256")
    label = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table_comment = "API 令牌"

    def __str__(self) -> str:
        return f"{self.user} 的令牌"
