"""Cases (KERNELS §3): one file per application, moving through its case type's stages.

The stage is the workflow state (`status`); its history is the workflow's TransitionLog.
Around the case: the materials checklist, field visits, the 公示 with its objections and
the letters. The engine's screening and the officer's decision are kept apart: an officer
may decide against the engine only with a written reason.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


class Case(models.Model):
    case_no = models.CharField(max_length=40, unique=True, db_comment="案件编号，如 低保-330212-2026-000123")
    case_type = models.CharField(max_length=32, db_comment="案件类型（cases/types/*.yaml 的 id）")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="cases", db_comment="申请户"
    )
    applicant = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_comment="申请人"
    )
    division_code = models.CharField(max_length=12, db_comment="申请户所在村（社区）区划代码（冗余，用于管辖范围）")
    status = models.CharField(max_length=32, db_comment="当前环节")
    stage_due_on = models.DateField(null=True, blank=True, db_comment="本环节办理期限")
    received_on = models.DateField(db_comment="受理日期（纸质申请补录时早于录入日期）")
    due_on = models.DateField(null=True, blank=True, db_comment="全流程办理期限（工作日；草稿无）")
    authorisation_no = models.CharField(max_length=64, blank=True, db_comment="核对授权书编号")
    urgent = models.BooleanField(default=False, db_comment="急难型（先行救助）")
    # The rules engine's answer at the last stage that asked it (reviewed, then confirmed).
    engine_eligible = models.BooleanField(null=True, blank=True, db_comment="规则判定：是否符合（空：待核对）")
    engine_amount_fen = models.BigIntegerField(null=True, blank=True, db_comment="规则测算金额（分）")
    engine_explanation = models.JSONField(default=list, blank=True, db_comment="规则判定理由")
    engine_missing = models.JSONField(default=list, blank=True, db_comment="规则判定缺少的数据")
    # The decision made in the case (符合 / 不符合 belong here, never to a screening).
    decision_eligible = models.BooleanField(null=True, blank=True, db_comment="决定：是否批准")
    decision_amount_fen = models.BigIntegerField(null=True, blank=True, db_comment="核定金额（分/月或分/次）")
    override_reason = models.TextField(blank=True, db_comment="与规则判定不一致时的书面理由")
    decided_on = models.DateField(null=True, blank=True, db_comment="决定日期")
    drafted_from = models.CharField(max_length=64, blank=True, db_comment="由哪条待办起草（应享未享）")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_comment="受理人"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "社会救助案件"
        indexes = [
            models.Index(fields=["division_code", "status"], name="case_division_status"),
            models.Index(fields=["status", "stage_due_on"], name="case_status_due"),
        ]

    def __str__(self) -> str:
        return self.case_no


class CaseSequence(models.Model):
    """The running number per (case type, county, year) behind readable case numbers."""

    prefix = models.CharField(max_length=40, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.prefix}:{self.last}"


class Material(models.Model):
    """One line of the checklist: received on paper, fetched from data instead (零证明), or still missing."""

    class Status(models.TextChoices):
        MISSING = "missing", "待提交"
        RECEIVED = "received", "已收取"
        FETCHED = "fetched", "数据代替（免提交）"
        WAIVED = "waived", "不适用"

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    key = models.CharField(max_length=40)
    label = models.CharField(max_length=80)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.MISSING)
    note = models.CharField(max_length=200, blank=True, db_comment="来源或说明，如 户籍数据 2026-12-01")

    class Meta:
        unique_together = [("case", "key")]

    def __str__(self) -> str:
        return f"{self.label}：{self.get_status_display()}"


class FieldVisit(models.Model):
    """入户调查: who visited, when, what they found, where they stood."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField()
    visitors = models.JSONField(default=list, db_comment="调查人员姓名（至少两人）")
    findings = models.TextField(db_comment="调查情况")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    photos = models.JSONField(default=list, blank=True, db_comment="照片（附件编号）")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.case_id} {self.visited_on}"


def publicity_token() -> str:
    # 128 bits: the public link cannot be guessed, and fits the column.
    return secrets.token_urlsafe(16)


class Publicity(models.Model):
    """公示: a public page (masked names, no identity numbers) from starts_on to ends_on."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="publicity")
    token = models.CharField(max_length=32, unique=True, default=publicity_token)
    starts_on = models.DateField()
    ends_on = models.DateField(db_comment="公示最后一天（含）")
    text = models.TextField(db_comment="公示内容（已脱敏）")

    def __str__(self) -> str:
        return f"{self.case_id} {self.starts_on}–{self.ends_on}"


class Objection(models.Model):
    """An objection raised during 公示, and how it was answered."""

    publicity = models.ForeignKey(Publicity, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField()
    content = models.TextField()
    contact = models.CharField(max_length=64, blank=True)
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.publicity_id} {self.received_on}"


class Letter(models.Model):
    """A generated notice (受理通知书, 不予受理/不予批准告知书, 批准通知书) and its PDF."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", "受理通知书"
        REFUSED = "refused", "不予受理告知书"
        REJECTED = "rejected", "不予批准告知书"
        APPROVED = "approved", "批准通知书"
        STOPPED = "stopped", "停止救助告知书"

    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="letters")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    number = models.CharField(max_length=48, unique=True)
    issued_on = models.DateField()
    due_on = models.DateField(null=True, blank=True, db_comment="法定送达期限（如不予批准 3 个工作日）")
    addressee = models.CharField(max_length=64)
    body = models.JSONField(default=dict, db_comment="正文要素（理由、依据、金额）")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.number
