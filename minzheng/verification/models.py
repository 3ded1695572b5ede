"""一键核对（家庭经济状况核对）: models."""

from __future__ import annotations

from django.conf import settings
from django.db import models

# --- Batch re-check (批量复核) and its worklist (核对工作清单): v3_batch -----------------------------


class BatchRun(models.Model):
    """One batch re-check of a population against every feed's latest snapshot on `as_of`."""

    class Engine(models.TextChoices):
        DUCKDB = "duckdb", "DuckDB（单机）"
        SPARK = "spark", "Spark"

    class Scope(models.TextChoices):
        BENEFICIARIES = "beneficiaries", "保障对象家庭"
        ALL = "all", "全部家庭"

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "运行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    as_of = models.DateField(db_comment="数据时点")
    engine = models.CharField(max_length=16, choices=Engine.choices, default=Engine.DUCKDB, db_comment="计算引擎")
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.BENEFICIARIES, db_comment="范围")
    jurisdiction = models.CharField(max_length=12, blank=True, db_comment="范围所限的区划代码前缀；空为全部")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    households = models.PositiveIntegerField(default=0, db_comment="核对户数")
    persons = models.PositiveIntegerField(default=0, db_comment="核对人数")
    partitions_total = models.PositiveIntegerField(default=0, db_comment="分区数（县 × 块）")
    partitions_done = models.PositiveIntegerField(default=0, db_comment="已完成分区数")
    stored = models.PositiveIntegerField(default=0, db_comment="结果有变化而新存的户数")
    counts = models.JSONField(default=dict, blank=True, db_comment="各类工作清单条目数")
    seconds = models.FloatField(default=0, db_comment="耗时（秒）")
    error = models.TextField(blank=True, db_comment="失败原因")
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table_comment = "批量复核"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"批量复核 {self.pk}（{self.as_of}）"

    @property
    def percent(self) -> int:
        if not self.partitions_total:
            return 100 if self.status == self.Status.DONE else 0
        return min(100, self.partitions_done * 100 // self.partitions_total)


class BatchHouseholdResult(models.Model):
    """A household's batch result, stored only when it differs from the household's last stored one.

    `content_hash` is the SHA-256 of the canonical totals and persons JSON: a re-run whose result
    is the same stores nothing, so the household's current result is its latest row.
    """

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="results")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    division_code = models.CharField(max_length=12, db_comment="户的区划代码（冗余，便于按辖区筛选）")
    members = models.PositiveSmallIntegerField(default=0, db_comment="人数")
    per_capita_income_fen = models.BigIntegerField(default=0, db_comment="月人均收入（分）")
    flags = models.JSONField(default=list, db_comment="标记（各成员标记之并）")
    totals = models.JSONField(default=dict, db_comment="户合计")
    persons = models.JSONField(default=list, db_comment="各成员摘要")
    content_hash = models.CharField(max_length=64, db_comment="内容摘要（SHA-256）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "批量复核的户结果"
        constraints = [models.UniqueConstraint(fields=["run", "household"], name="one_batch_result_per_run")]
        indexes = [models.Index(fields=["household", "run"])]

    def __str__(self) -> str:
        return f"{self.household_id}@{self.run_id}"


class WorklistItem(models.Model):
    """A change between two batch runs (a finding), kept as the run's record of it.

    The follow-up lives on the 待办: each finding is a WorkItem (verification/items.py), and the
    核对工作清单 page lists those.
    """

    class Kind(models.TextChoices):
        NEW_DEATH = "new_death", "新增死亡"
        NEW_VEHICLE = "new_vehicle", "新增车辆"
        NEW_REAL_ESTATE = "new_real_estate", "新增房产"
        NEW_ENTERPRISE = "new_enterprise", "新增企业"
        INCOME_CHANGE = "income_change", "收入变化超过阈值"
        PUBLIC_PAYROLL = "public_payroll", "进入财政供养"
        PRISON = "prison", "服刑"

    run = models.ForeignKey(BatchRun, on_delete=models.CASCADE, related_name="worklist")
    kind = models.CharField(max_length=32, choices=Kind.choices, db_comment="类型")
    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    division_code = models.CharField(max_length=12, db_comment="户的区划代码（冗余，便于按辖区筛选）")
    detail = models.TextField(db_comment="说明")
    # The fact itself (kind, person, what), hashed: the same fact never makes a second item.
    fingerprint = models.CharField(max_length=64, unique=True, db_comment="事实摘要（防重复）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "核对发现（每次批量复核；跟进在待办）"
        ordering = ["-created_at", "id"]
        indexes = [models.Index(fields=["division_code", "kind"]), models.Index(fields=["run", "kind"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}：{self.detail[:30]}"


# --- Identity matching (身份匹配) and its review queue (匹配复核): v4_matching -------------------------


class MatchCandidate(models.Model):
    """A feed row without a usable identity number, linked by Splink to a registry person.

    Only a 核对中心 user's confirmation makes it count: confirmed candidates are fed to the
    evaluation as extra (feed, as_of, _row) → id_number links (selectors.confirmed_links).
    """

    class Status(models.TextChoices):
        PENDING = "pending", "待确认"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "已否定"

    feed_id = models.CharField(max_length=32, db_comment="数据项，如 death")
    as_of = models.DateField(db_comment="数据时点（快照日期）")
    row = models.BigIntegerField(db_column="source_row", db_comment="源文件行号（表头为第 1 行）")
    row_name = models.CharField(max_length=64, blank=True, db_comment="该行的姓名")
    row_id_raw = models.CharField(max_length=80, blank=True, db_comment="该行的身份号码原文")
    row_facts = models.JSONField(default=dict, blank=True, db_comment="该行的其他字段（供复核对照）")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.CASCADE, related_name="match_candidates", db_comment="候选居民"
    )
    division_code = models.CharField(max_length=12, db_comment="候选居民的现住址区划代码（管辖范围过滤用）")
    match_weight = models.FloatField(db_comment="匹配权重（log2 似然比，含先验）")
    match_probability = models.FloatField(db_comment="匹配概率")
    evidence = models.CharField(max_length=200, blank=True, db_comment="一致的要素，如 姓名同音，出生日期一致")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True, db_comment="复核时间")
    reason = models.CharField(max_length=200, blank=True, db_comment="复核说明")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table_comment = "身份匹配候选（待人工复核）"
        constraints = [
            models.UniqueConstraint(fields=["feed_id", "as_of", "row", "person"], name="one_candidate_per_row_person"),
        ]
        indexes = [
            models.Index(fields=["status", "feed_id", "as_of"]),
            models.Index(fields=["division_code"]),
        ]

    def __str__(self) -> str:
        return f"{self.feed_id} {self.as_of} 第{self.row}行 → {self.person_id}"


# --- Household verification (一键核对) and its report (核对报告): v2_household ------------------------


class VerificationReport(models.Model):
    """One 一键核对 of a household on a 数据时点: the engine's full result, frozen as the 核对报告.

    Made only with a recorded 核对授权书 reference (《社会救助暂行办法》第五十八条: the county queries
    the family's data with its written authorisation). The result is stored whole, so the report
    reads the same later, whatever feeds arrive after it.
    """

    class Status(models.TextChoices):
        ISSUED = "issued", "已出具"

    report_no = models.CharField(max_length=32, unique=True, db_comment="报告编号，如 HD-330212-20261201-0001")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="verification_reports", db_comment="户"
    )
    division_code = models.CharField(max_length=12, db_comment="户的区划代码（冗余，便于按辖区筛选）")
    as_of = models.DateField(db_comment="核对的数据时点")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_name = models.CharField(max_length=150, blank=True, db_comment="申请人（冗余保存）")
    requested_at = models.DateTimeField(auto_now_add=True, db_comment="核对时间")
    authorisation_ref = models.CharField(max_length=64, db_comment="核对授权书编号")
    members = models.PositiveSmallIntegerField(default=0, db_comment="人数")
    per_capita_income_fen = models.BigIntegerField(default=0, db_comment="月人均收入（分）")
    flags = models.JSONField(default=list, db_comment="标记（各成员标记之并）")
    summary = models.JSONField(default=dict, db_comment="核对结果全文（成员、发现及证据、合计、所用快照）")
    seconds = models.FloatField(default=0, db_comment="核对耗时（秒）")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.ISSUED, db_comment="状态")

    class Meta:
        db_table_comment = "家庭经济状况核对报告"
        ordering = ["-requested_at", "-id"]
        indexes = [models.Index(fields=["household", "requested_at"]), models.Index(fields=["division_code"])]

    def __str__(self) -> str:
        return self.report_no


# --- Department feed deliveries (部门数据): v1_feeds ------------------------------------------------


class FeedDelivery(models.Model):
    """One ingested delivery of a department feed for one 数据时点 (the snapshot lives in the feed store).

    The same file again changes nothing (no new row); a different file for the same feed and date
    needs a replace, which keeps the earlier snapshot recoverable and marks its delivery replaced.
    """

    class Status(models.TextChoices):
        CURRENT = "current", "当前"
        REPLACED = "replaced", "已被替换"

    # Not stored: True on the delivery handed back when the same file came again (for the message).
    unchanged: bool = False

    feed_id = models.CharField(max_length=32, db_comment="数据项，如 vehicle")
    as_of = models.DateField(db_comment="数据时点")
    source_name = models.CharField(max_length=255, db_comment="原始文件名")
    sha256 = models.CharField(max_length=64, db_comment="源文件 SHA-256")
    encoding = models.CharField(max_length=16, blank=True, db_comment="文件编码（utf-8、gb18030、xlsx）")
    rows = models.PositiveIntegerField(default=0, db_comment="总行数")
    accepted = models.PositiveIntegerField(default=0, db_comment="接收行数")
    rejected = models.PositiveIntegerField(default=0, db_comment="拒收行数")
    snapshot_path = models.CharField(max_length=500, db_comment="快照文件（data.parquet）")
    rejects_path = models.CharField(max_length=500, blank=True, db_comment="错误行文件（rejects.csv），无则为空")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CURRENT, db_index=True)
    replaced = models.BooleanField(default=False, db_comment="是否已被替换")
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_comment="替换它的交付"
    )
    kept_at = models.CharField(max_length=500, blank=True, db_comment="被替换后保留的位置（replaced-…）")
    ingested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ingested_at = models.DateTimeField(auto_now_add=True, db_comment="导入时间")
    seconds = models.FloatField(default=0, db_comment="导入耗时（秒）")

    class Meta:
        db_table_comment = "部门核对数据交付"
        ordering = ["feed_id", "-as_of", "-ingested_at", "-id"]
        indexes = [models.Index(fields=["feed_id", "as_of", "status"])]

    def __str__(self) -> str:
        return f"{self.feed_id} {self.as_of}（{self.source_name}）"
