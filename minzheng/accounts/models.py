from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    VILLAGE_WORKER = "village_worker", "村（社区）工作人员"
    TOWN_OFFICER = "town_officer", "乡镇（街道）民政办"
    COUNTY_APPROVER = "county_approver", "县级审批"
    VERIFICATION_CENTER = "verification_center", "核对中心"
    PROVIDER = "provider", "服务商"
    CAREGIVER = "caregiver", "护理员"
    HOTLINE_OPERATOR = "hotline_operator", "热线坐席"
    CHILD_DIRECTOR = "child_director", "儿童主任"  # one per village (seed 002 丽水)
    CHILD_SUPERVISOR = "child_supervisor", "儿童督导员"  # one per town
    RESCUE_STAFF = "rescue_staff", "救助管理站"
    # 一件事: a department's staff answer their department's items; `unit` names the department.
    DEPARTMENT_STAFF = "department_staff", "协办部门"
    FUNERAL_OFFICER = "funeral_officer", "殡葬管理"
    MARRIAGE_REGISTRAR = "marriage_registrar", "婚姻登记员"
    SOCIALORG_OFFICER = "socialorg_officer", "社会组织管理"
    ORG_ACCOUNT = "org_account", "社会组织"  # an organisation's own account; `unit` is its credit code
    PLACENAME_OFFICER = "placename_officer", "地名管理"
    INSTITUTION_OPERATOR = "institution_operator", "养老机构"  # `unit` is the institution's code
    SOCIAL_WORKER = "social_worker", "社工"
    VOLUNTEER = "volunteer", "志愿者"
    DISASTER_OFFICER = "disaster_officer", "灾害救助"
    SYSADMIN = "sysadmin", "系统管理员"
    AUDITOR = "auditor", "审计员"


class User(AbstractUser):
    """A staff member: one role, one jurisdiction (a division-code prefix)."""

    role = models.CharField(max_length=32, choices=Role.choices, db_comment="角色")
    jurisdiction = models.CharField(max_length=12, db_comment="管辖范围：区划代码前缀，如 330212 表示整个鄞州区")
    display_name = models.CharField(max_length=64, blank=True, db_comment="姓名")
    # For roles that act for one body inside the jurisdiction: a department code (协办部门), an
    # organisation's credit code (社会组织), an institution's code (养老机构). Empty for the others.
    unit = models.CharField(
        max_length=64, blank=True, default="", db_comment="所属单位：部门代码、统一社会信用代码或机构编号"
    )
    # Maker-checker across accounts: who set this account up, and who last changed it.
    created_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_comment="创建人"
    )
    changed_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_comment="最后修改人"
    )

    class Meta:
        db_table_comment = "工作人员账号"

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role else ""


class UserChange(models.Model):
    """Every change one person made to another's account: who may control whom (maker-checker)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="changes", db_comment="被修改的账号")
    actor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", db_comment="修改人")
    at = models.DateTimeField(default=timezone.now, db_comment="时间")
    what = models.CharField(max_length=64, db_comment="修改内容")

    class Meta:
        db_table_comment = "账号修改记录（用于双人复核的独立性检查）"
        indexes = [models.Index(fields=["user", "actor"])]

    def __str__(self) -> str:
        return f"{self.actor} 修改 {self.user}：{self.what}"


class ApiToken(models.Model):
    """Bearer token for the API. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    digest = models.CharField(max_length=64, unique=True, db_comment="令牌的 SHA-256")
    label = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True, db_comment="过期时间")
    revoked_at = models.DateTimeField(null=True, blank=True, db_comment="吊销时间")

    class Meta:
        db_table_comment = "API 令牌"

    def __str__(self) -> str:
        return f"{self.user} 的令牌"


class LoginThrottle(models.Model):
    """Failed logins per account name AND client address, with a growing delay.

    Keyed by the pair so a stranger's failures from one address never keep the
    account's owner (or an integration) out from another address; the name is
    kept as typed so unknown accounts are throttled exactly like real ones.
    """

    username = models.CharField(max_length=150, db_comment="登录时输入的账号")
    client_ip = models.CharField(max_length=45, db_comment="客户端地址")
    failures = models.PositiveIntegerField(default=0, db_comment="连续失败次数")
    last_failure_at = models.DateTimeField(db_comment="最近一次失败时间")
    blocked_until = models.DateTimeField(null=True, blank=True, db_comment="在此之前拒绝登录")

    class Meta:
        db_table_comment = "登录失败计数（账号 + 地址）"
        constraints = [models.UniqueConstraint(fields=["username", "client_ip"], name="login_throttle_pair")]

    def __str__(self) -> str:
        return f"{self.username}@{self.client_ip}：{self.failures} 次失败"
