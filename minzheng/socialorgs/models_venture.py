"""公益创投: rounds (征集 → 评审 → 立项 → 实施 → 结项), applications by registered organisations, several
reviewers' scores, the award, instalments and the mid-term and final evaluations (seed 000 黄石:
能力训练—项目策划—比赛评审—督导评估—项目验收).

Instalments are this app's own ledger, not payroll lines: the payroll pays entitlements to a registry
person (Entitlement.payee is a Person), and an organisation is not one. Each instalment runs on its
own machine with four eyes (machines/instalment.yaml).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from minzheng.socialorgs.models import Organisation


class Round(models.Model):
    name = models.CharField(max_length=100, db_comment="创投活动名称")
    year = models.PositiveSmallIntegerField(db_comment="年度")
    division_code = models.CharField(max_length=12, db_comment="主办民政部门区划")
    budget_fen = models.BigIntegerField(db_comment="资助总额（分）")
    max_award_fen = models.BigIntegerField(db_comment="单个项目资助上限（分）")
    call_until = models.DateField(db_comment="申报截止日期")
    theme = models.TextField(blank=True, db_comment="征集方向")
    status = models.CharField(max_length=12, default="call", db_comment="状态（machines/venture_round.yaml）")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "公益创投活动"

    def __str__(self) -> str:
        return self.name

    @property
    def status_label(self) -> str:
        from minzheng.socialorgs import flow

        return flow.ROUND.state_label(self.status)


class Application(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "已申报"
        AWARDED = "awarded", "已立项"
        NOT_AWARDED = "not_awarded", "未立项"
        WITHDRAWN = "withdrawn", "已撤回"
        CLOSED = "closed", "已结项"
        FAILED = "failed", "验收不合格"

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="applications")
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="venture_applications")
    division_code = models.CharField(max_length=12, db_comment="项目实施村（社区）区划代码")
    title = models.CharField(max_length=100, db_comment="项目名称")
    summary = models.TextField(db_comment="项目内容与预期成效")
    requested_fen = models.BigIntegerField(db_comment="申请资助金额（分）")
    awarded_fen = models.BigIntegerField(default=0, db_comment="立项资助金额（分）")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SUBMITTED)
    submitted_on = models.DateField(db_comment="申报日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "公益创投项目申报"
        constraints = [models.UniqueConstraint(fields=["round", "org", "title"], name="socialorgs_one_application")]

    def __str__(self) -> str:
        return self.title


class Score(models.Model):
    """One expert's score sheet; outside experts' sheets are entered by the officer (`reviewer`)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="scores")
    expert = models.CharField(max_length=64, default="", db_comment="评审专家")
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", db_comment="录入人"
    )
    score = models.PositiveSmallIntegerField(db_comment="评分（百分制）")
    comment = models.CharField(max_length=300, blank=True, db_comment="评审意见")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "公益创投评审评分"
        constraints = [models.UniqueConstraint(fields=["application", "expert"], name="socialorgs_one_expert_score")]

    def __str__(self) -> str:
        return f"{self.application} {self.expert} {self.score} 分"


class Instalment(models.Model):
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="instalments")
    seq = models.PositiveSmallIntegerField(db_comment="期次")
    amount_fen = models.BigIntegerField(db_comment="拨付金额（分）")
    division_code = models.CharField(max_length=12, db_comment="区划代码（冗余）")
    after_midterm = models.BooleanField(default=False, db_comment="须中期评估合格后拨付")
    status = models.CharField(max_length=12, default="planned", db_comment="状态（machines/instalment.yaml）")
    paid_on = models.DateField(null=True, blank=True, db_comment="拨付日期")
    voucher = models.CharField(max_length=64, blank=True, db_comment="拨付凭证号")

    class Meta:
        db_table_comment = "公益创投资金拨付台账"
        constraints = [models.UniqueConstraint(fields=["application", "seq"], name="socialorgs_one_instalment")]

    def __str__(self) -> str:
        return f"{self.application} 第 {self.seq} 期"

    @property
    def status_label(self) -> str:
        from minzheng.socialorgs import flow

        return flow.INSTALMENT.state_label(self.status)


class Evaluation(models.Model):
    class Stage(models.TextChoices):
        MIDTERM = "midterm", "中期评估"
        FINAL = "final", "结项评估"

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="evaluations")
    stage = models.CharField(max_length=8, choices=Stage.choices, db_comment="评估阶段")
    score = models.PositiveSmallIntegerField(db_comment="评估得分（百分制）")
    passed = models.BooleanField(db_comment="是否合格")
    on = models.DateField(db_comment="评估日期")
    note = models.TextField(blank=True, db_comment="评估意见")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "公益创投项目评估"
        constraints = [models.UniqueConstraint(fields=["application", "stage"], name="socialorgs_one_evaluation")]

    def __str__(self) -> str:
        return f"{self.application} {self.get_stage_display()}"
