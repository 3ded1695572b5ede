"""救助管理: stays at the station, identity requests, returns home, and the two follow-up ledgers (seed 004 滨州).

A stay runs on the workflow kernel (machines/stay.yaml); its over-limit reason, the identity requests and the
handover are records beside it. The ledgers (返乡人员, 易流浪走失人员) live on the grid: each entry has a
village (or town) code, a follow-up interval from parameters and the date the next follow-up is due.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

# High-risk groups (seed 004: mental illness, dementia; minors and elders living alone by DOMAIN.md's care
# rules); any one of them shortens the follow-up interval.
RISKS = {
    "mental_illness": "精神障碍",
    "dementia": "认知症（老年痴呆）",
    "minor": "未成年人",
    "elderly_alone": "独居老人",
}


def risk_labels(codes: list[str]) -> list[str]:
    return [RISKS.get(c, c) for c in codes]


class Stay(models.Model):
    """One person's stay at the county's 救助管理站, from intake to its end."""

    class BroughtBy(models.TextChoices):
        POLICE = "police", "公安护送"
        PUBLIC = "public", "群众报告"
        SELF = "self", "主动求助"
        OTHER = "other", "其他部门转送"

    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_comment="已查明身份的居民",
    )
    name = models.CharField(max_length=64, blank=True, db_comment="自报或查明的姓名（无名氏为空）")
    sex = models.CharField(max_length=1, blank=True, db_comment="性别（1 男 2 女，未知为空）")
    age_estimate = models.PositiveSmallIntegerField(null=True, blank=True, db_comment="估计年龄（身份未明时）")
    description = models.TextField(blank=True, db_comment="体貌特征（身份未明时用于寻亲）")
    division_code = models.CharField(max_length=12, db_comment="救助管理站所在县区划代码（管辖范围）")
    found_at = models.CharField(max_length=200, db_comment="发现地点")
    found_on = models.DateField(db_comment="发现日期")
    brought_by = models.CharField(max_length=8, choices=BroughtBy.choices, db_comment="送站方式")
    condition = models.TextField(blank=True, db_comment="身体、精神状况")
    risks = models.JSONField(default=list, blank=True, db_comment="高风险标记：精神障碍、认知症、未成年人、独居老人")
    home_division = models.CharField(max_length=12, blank=True, db_comment="查明的户籍/居住地区划代码")
    admitted_on = models.DateField(db_comment="入站日期")
    planned_leave_on = models.DateField(null=True, blank=True, db_comment="计划离站日期")
    over_limit_reason = models.TextField(blank=True, db_comment="超过救助期限的理由")
    status = models.CharField(max_length=16, default="admitted", db_comment="流程状态（见 machines/stay.yaml）")
    ended_on = models.DateField(null=True, blank=True, db_comment="离站日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "站内救助"
        indexes = [models.Index(fields=["division_code", "status"], name="rescue_stay_open")]

    def __str__(self) -> str:
        return f"救助 {self.pk} {self.display_name}"

    @property
    def identified(self) -> bool:
        return self.person_id is not None

    @property
    def display_name(self) -> str:
        return self.name or "无名氏"

    def risk_labels(self) -> list[str]:
        return risk_labels(self.risks)


class IdentityRequest(models.Model):
    """寻亲: a face-recognition or DNA comparison asked of 公安, and its answer."""

    class Method(models.TextChoices):
        FACE = "face", "人脸识别比对"
        DNA = "dna", "DNA 比对"

    class Result(models.TextChoices):
        PENDING = "pending", "待反馈"
        MATCHED = "matched", "比中"
        NO_MATCH = "no_match", "未比中"

    stay = models.ForeignKey(Stay, on_delete=models.CASCADE, related_name="identity_requests")
    method = models.CharField(max_length=8, choices=Method.choices, db_comment="比对方式")
    requested_on = models.DateField(db_comment="申请日期")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_on = models.DateField(null=True, blank=True, db_comment="反馈日期")
    result = models.CharField(max_length=8, choices=Result.choices, default=Result.PENDING, db_comment="比对结果")
    note = models.CharField(max_length=300, blank=True, db_comment="反馈说明（比中的身份号码等）")

    class Meta:
        db_table_comment = "寻亲比对申请台账"

    def __str__(self) -> str:
        return f"{self.get_method_display()}（{self.get_result_display()}）"


class Handover(models.Model):
    """护送返乡: who escorted, which town received the person, who signed for them."""

    stay = models.OneToOneField(Stay, on_delete=models.PROTECT, related_name="handover")
    escort = models.CharField(max_length=100, db_comment="护送人员")
    receiving_division = models.CharField(max_length=12, db_comment="接收地区划代码（乡镇或村）")
    receiver = models.CharField(max_length=64, db_comment="接收人（乡镇、村联络员或亲属）")
    handed_over_on = models.DateField(db_comment="交接日期")
    note = models.TextField(blank=True, db_comment="交接记录")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "返乡交接记录"

    def __str__(self) -> str:
        return f"{self.handed_over_on} 交 {self.receiver}"


class LedgerEntry(models.Model):
    """One person on one of the two ledgers, followed up on the grid until the entry is closed."""

    class Kind(models.TextChoices):
        RETURNED = "returned", "返乡人员"
        WANDER = "wander", "易流浪走失人员"

    kind = models.CharField(max_length=8, choices=Kind.choices, db_comment="台账")
    person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_comment="居民"
    )
    name = models.CharField(max_length=64, db_comment="姓名")
    id_number = models.CharField(max_length=18, blank=True, db_comment="公民身份号码")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话（本人或监护人）")
    address = models.CharField(max_length=200, blank=True, db_comment="现住址")
    division_code = models.CharField(max_length=12, db_comment="所在村（社区）或乡镇区划代码")
    stay = models.ForeignKey(Stay, null=True, blank=True, on_delete=models.PROTECT, related_name="ledger_entries")
    risks = models.JSONField(default=list, blank=True, db_comment="高风险标记")
    entered_on = models.DateField(db_comment="入账日期")
    next_due_on = models.DateField(db_comment="下次回访日期")
    closed_on = models.DateField(null=True, blank=True, db_comment="销账日期")
    close_reason = models.CharField(max_length=200, blank=True, db_comment="销账原因")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "返乡人员、易流浪走失人员台账"
        indexes = [models.Index(fields=["division_code", "kind", "closed_on"], name="rescue_ledger_grid")]
        constraints = [
            # One open entry per person per ledger: a second return re-uses the entry.
            models.UniqueConstraint(
                fields=["kind", "person"],
                condition=models.Q(closed_on__isnull=True, person__isnull=False),
                name="rescue_ledger_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    def risk_labels(self) -> list[str]:
        return risk_labels(self.risks)


class FollowUp(models.Model):
    """One follow-up visit or call by a village/town contact."""

    class Outcome(models.TextChoices):
        AT_HOME = "at_home", "在家，情况稳定"
        NOT_FOUND = "not_found", "未找到（疑似再次外出）"
        MOVED = "moved", "已迁居"
        NEEDS_HELP = "needs_help", "需要帮扶"

    class Need(models.TextChoices):
        NONE = "", "无"
        DIBAO = "dibao", "低保"
        TEKUN = "tekun", "特困供养"
        CARE = "care", "照料服务（医疗、养老、精神卫生）"

    entry = models.ForeignKey(LedgerEntry, on_delete=models.PROTECT, related_name="followups")
    visited_on = models.DateField(db_comment="回访日期")
    outcome = models.CharField(max_length=12, choices=Outcome.choices, db_comment="回访结果")
    need = models.CharField(max_length=8, choices=Need.choices, blank=True, default="", db_comment="帮扶需求")
    note = models.TextField(blank=True, db_comment="回访记录")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "回访记录"
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.get_outcome_display()}"
