"""政策目录与资格判定: models.

Parameters are data, not code: every threshold of the policy catalogue is a dated regional
`Parameter` row. Administrators change them through a `ParameterChange` proposal that a second
person approves (maker-checker); only approved values are rows of `Parameter`, so only they take
effect. Batch eligibility runs are recorded as `EligibilityRun` with a per-county, per-policy
summary and the two worklists (应享未享, 不应享而享) as `WorklistItem` rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ValueType(models.TextChoices):
    INTEGER = "integer", "整数"
    DECIMAL = "decimal", "小数"


class Parameter(models.Model):
    """One dated regional value of a parameter, in force from `effective_from` until a later row."""

    key = models.CharField(max_length=64, db_comment="参数键，如 dibao.standard")
    # '' = national; otherwise the significant prefix of a division code (2/4/6/9/12 digits).
    region_code = models.CharField(max_length=12, blank=True, db_comment="区划代码前缀（空 = 全国）")
    effective_from = models.DateField(db_comment="起始日期")
    # Stored exactly as written (a decimal string); never a float.
    value = models.CharField(max_length=40, db_comment="取值（十进制字符串，精确保存）")
    value_type = models.CharField(max_length=8, choices=ValueType.choices, db_comment="取值类型")
    unit = models.CharField(max_length=32, blank=True, db_comment="单位，如 元/人/月")
    description = models.CharField(max_length=200, blank=True, db_comment="说明")
    reference = models.CharField(max_length=300, blank=True, db_comment="依据（文件、文号）")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True, db_comment="录入时间")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table_comment = "政策参数（按区划、按日期生效）"
        constraints = [
            models.UniqueConstraint(fields=["key", "region_code", "effective_from"], name="one_param_value_per_date"),
        ]
        indexes = [models.Index(fields=["key", "region_code", "effective_from"], name="param_resolve_idx")]
        ordering = ["key", "region_code", "effective_from"]

    def __str__(self) -> str:
        return f"{self.key}@{self.region_code or '全国'} {self.effective_from}: {self.value}"


class ParameterChange(models.Model):
    """A proposed value (maker); takes effect only when a different user approves it (checker)."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已生效"
        REJECTED = "rejected", "已驳回"

    key = models.CharField(max_length=64, db_comment="参数键")
    region_code = models.CharField(max_length=12, blank=True, db_comment="区划代码前缀（空 = 全国）")
    effective_from = models.DateField(db_comment="起始日期")
    value = models.CharField(max_length=40, db_comment="拟定取值（十进制字符串）")
    value_type = models.CharField(max_length=8, choices=ValueType.choices, db_comment="取值类型")
    unit = models.CharField(max_length=32, blank=True, db_comment="单位")
    description = models.CharField(max_length=200, blank=True, db_comment="说明")
    reference = models.CharField(max_length=300, blank=True, db_comment="依据（文件、文号）")
    reason = models.CharField(max_length=300, blank=True, db_comment="调整理由")
    previous_value = models.CharField(max_length=40, blank=True, db_comment="同一日期原有取值（无则空）")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    proposed_at = models.DateTimeField(auto_now_add=True, db_comment="提出时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True, db_comment="审核时间")
    decision_note = models.CharField(max_length=300, blank=True, db_comment="审核意见")

    class Meta:
        db_table_comment = "政策参数调整申请（双人审核）"
        ordering = ["-proposed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.key}@{self.region_code or '全国'} {self.effective_from} → {self.value}（{self.status}）"


class EligibilityRun(models.Model):
    """One batch eligibility run over a region on an as-of date; its decisions are Parquet files."""

    class Status(models.TextChoices):
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    as_of = models.DateField(db_comment="判定日期")
    region_code = models.CharField(max_length=12, blank=True, db_comment="范围（区划代码前缀）")
    engine = models.CharField(max_length=16, default="polars", db_comment="引擎 polars/spark")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RUNNING)
    output_dir = models.CharField(max_length=500, blank=True, db_comment="判定结果 Parquet 目录")
    catalogue_hash = models.CharField(max_length=64, blank=True, db_comment="政策目录摘要")
    params_hash = models.CharField(max_length=64, blank=True, db_comment="参数集摘要")
    households = models.PositiveIntegerField(default=0, db_comment="户数")
    persons = models.PositiveIntegerField(default=0, db_comment="人数")
    decisions = models.PositiveIntegerField(default=0, db_comment="判定行数")
    seconds = models.FloatField(default=0, db_comment="耗时（秒）")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table_comment = "批量资格判定"
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"资格判定 {self.as_of} {self.region_code or '全部'}（{self.engine}）"


class EligibilitySummary(models.Model):
    """Per county and policy: how many decided, eligible, enrolled, the two gaps, monthly amount."""

    run = models.ForeignKey(EligibilityRun, on_delete=models.CASCADE, related_name="summaries")
    county_code = models.CharField(max_length=6, db_comment="县级区划代码")
    policy_id = models.CharField(max_length=64, db_comment="政策")
    policy_name = models.CharField(max_length=100, blank=True, db_comment="政策名称")
    decided = models.PositiveIntegerField(default=0, db_comment="判定对象数")
    eligible = models.PositiveIntegerField(default=0, db_comment="预判可能符合数")
    enrolled = models.PositiveIntegerField(default=0, db_comment="已享受数")
    missing = models.PositiveIntegerField(default=0, db_comment="应享未享数")
    undue = models.PositiveIntegerField(default=0, db_comment="不应享而享数")
    undecided = models.PositiveIntegerField(default=0, db_comment="待核对数（缺少数据或参数，未作判定）")
    amount_fen = models.BigIntegerField(default=0, db_comment="符合条件者月金额合计（分）")

    class Meta:
        db_table_comment = "资格判定汇总（按县、按政策）"
        constraints = [
            models.UniqueConstraint(fields=["run", "county_code", "policy_id"], name="one_summary_per_county_policy")
        ]

    def __str__(self) -> str:
        return f"{self.county_code} {self.policy_name or self.policy_id}：可能符合 {self.eligible}"

    @property
    def amount_text(self) -> str:
        fen = int(self.amount_fen)
        return f"{fen // 100:,}.{fen % 100:02d} 元"


class WorklistItem(models.Model):
    """A finding of one run: 应享未享 (eligible, not enrolled) or 不应享而享 (enrolled, not eligible).

    The run's record of what it found (its counts, the dashboard's figures). The follow-up lives on
    the 待办: each finding is a WorkItem (rules/items.py), and the worklist page lists those.
    """

    class Kind(models.TextChoices):
        MISSING = "missing", "应享未享"
        UNDUE = "undue", "不应享而享"

    run = models.ForeignKey(EligibilityRun, on_delete=models.CASCADE, related_name="worklist")
    kind = models.CharField(max_length=16, choices=Kind.choices, db_comment="类型")
    policy_id = models.CharField(max_length=64, db_comment="政策")
    policy_name = models.CharField(max_length=100, blank=True, db_comment="政策名称")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    # The person decided on; for a household policy, the 户主 (whom the caseworker contacts).
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    entity = models.CharField(max_length=16, default="household", db_comment="判定对象 person/household")
    # The household's village code, copied so jurisdiction scoping is one indexed range.
    division_code = models.CharField(max_length=12, db_comment="区划代码（村/社区）")
    amount_fen = models.BigIntegerField(default=0, db_comment="按判定的月金额（分）")
    reason = models.CharField(max_length=500, blank=True, db_comment="判定理由（首个不满足或满足的条件）")

    class Meta:
        db_table_comment = "应享未享 / 不应享而享 判定发现（每次运行；跟进在待办）"
        indexes = [models.Index(fields=["run", "kind", "division_code"], name="worklist_scope_idx")]
        ordering = ["division_code", "policy_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.policy_name}"
