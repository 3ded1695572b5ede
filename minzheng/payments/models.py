"""Entitlements and payments (KERNELS §8): who receives what, from when, by which decision; the
monthly payroll that pays it, the bank's answer, and money to recover.

Months are stored as the first day of the month (a DateField), amounts as integer fen.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Status(models.TextChoices):
    ACTIVE = "active", "在保"
    SUSPENDED = "suspended", "暂停"
    ENDED = "ended", "停发"


class BankAccount(models.Model):
    """An account money is paid into. A change is a new row (the old one closed), never an edit."""

    holder = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="bank_accounts",
        db_comment="账户所有人（个人账户）",
    )
    # A unit's collective account (养老机构: 集中供养 特困人员的供养金付至机构账户, KERNELS §8 extended by I1).
    unit = models.CharField(max_length=32, blank=True, default="", db_comment="单位账户：单位代码（如养老机构代码）")
    bank_code = models.CharField(max_length=16, db_comment="开户银行代码（见 payments/data/banks）")
    bank_name = models.CharField(max_length=64, db_comment="开户银行名称")
    account_no = models.CharField(max_length=32, db_comment="账号或社会保障卡号")
    account_name = models.CharField(max_length=64, db_comment="账户名称（户名）")
    division_code = models.CharField(max_length=12, db_comment="账户所有人区划代码（冗余，用于管辖范围）")
    active = models.BooleanField(default=True, db_comment="当前使用的账户")
    reason = models.CharField(max_length=200, db_comment="登记或变更原因")
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_comment="变更后的账户"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "发放账户"
        constraints = [
            models.UniqueConstraint(fields=["holder"], condition=Q(active=True), name="one_active_account_per_holder"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(active=True) & ~Q(unit=""), name="one_active_account_per_unit"
            ),
            models.CheckConstraint(
                condition=Q(holder__isnull=False) | ~Q(unit=""), name="bank_account_has_holder_or_unit"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.account_no[-4:]}"


class Entitlement(models.Model):
    """The one record of who receives what. Registry benefit tags and the rules' `enrolled` derive from it."""

    programme = models.CharField(max_length=32, db_comment="项目（payments/data/programmes.yaml 的 id）")
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entitlements",
        db_comment="享受人（按人发放的项目）",
    )
    household = models.ForeignKey(
        "registry.Household",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entitlements",
        db_comment="享受户（按户发放的项目）",
    )
    payee = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="entitlements_paid",
        db_comment="收款人：本人、户主或监护人",
    )
    # 集中供养: the money goes to this unit's active account (payments.BankAccount.unit), not the payee's own.
    payee_unit = models.CharField(
        max_length=32, blank=True, default="", db_comment="收款单位代码（集中供养：付至供养机构账户；空为本人账户）"
    )
    division_code = models.CharField(max_length=12, db_index=True, db_comment="区划代码（冗余，用于管辖范围）")
    members = models.PositiveSmallIntegerField(default=1, db_comment="保障人口数")
    amount_fen = models.BigIntegerField(db_comment="月发放金额（分）")
    from_month = models.DateField(db_comment="起始所属期（月初）")
    to_month = models.DateField(null=True, blank=True, db_comment="最后所属期（月初；空：长期）")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.ACTIVE, db_comment="状态")
    suspended_from = models.DateField(null=True, blank=True, db_comment="暂停起始所属期（月初）")
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entitlements",
        db_comment="产生本待遇的案件",
    )
    source = models.CharField(max_length=16, db_comment="来源：case 案件确认 / auto 免申即享 / migrated 由旧标签迁移")
    decision = models.CharField(max_length=300, blank=True, db_comment="决定摘要（文号、理由）")
    version = models.PositiveIntegerField(default=1, db_comment="版本（每次变更加一，发放明细记录所用版本）")
    next_review_on = models.DateField(null=True, blank=True, db_comment="下次复核日期")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table_comment = "待遇（享受记录）"
        constraints = [
            models.CheckConstraint(
                condition=Q(person__isnull=False) | Q(household__isnull=False), name="entitlement_has_subject"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gte=0), name="entitlement_amount_not_negative"),
            # One live entitlement per programme and subject: a second confirmation cannot pay twice.
            models.UniqueConstraint(
                fields=["programme", "person"],
                condition=~Q(status="ended") & Q(person__isnull=False),
                name="one_live_entitlement_per_person",
            ),
            models.UniqueConstraint(
                fields=["programme", "household"],
                condition=~Q(status="ended") & Q(household__isnull=False),
                name="one_live_entitlement_per_household",
            ),
        ]
        indexes = [models.Index(fields=["programme", "status", "division_code"])]

    def __str__(self) -> str:
        return f"{self.programme}#{self.pk}"


class EntitlementChange(models.Model):
    """History of an entitlement: created, amount changed, suspended, restored, ended."""

    class Kind(models.TextChoices):
        CREATED = "created", "新增"
        AMOUNT = "amount", "金额变更"
        SUSPENDED = "suspended", "暂停"
        RESTORED = "restored", "恢复"
        ENDED = "ended", "停发"
        ACCOUNT = "account", "收款账户变更"

    entitlement = models.ForeignKey(Entitlement, on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    effective_month = models.DateField(db_comment="生效所属期（月初）")
    old_amount_fen = models.BigIntegerField(null=True, blank=True)
    new_amount_fen = models.BigIntegerField(null=True, blank=True)
    reason = models.CharField(max_length=300, db_comment="原因")
    version = models.PositiveIntegerField(db_comment="变更后的版本")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "待遇变更记录"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.entitlement_id}:{self.kind}"


class PayrollRun(models.Model):
    """One monthly payroll per programme, month and region (a supplementary run has seq ≥ 1)."""

    class State(models.TextChoices):
        COMPUTING = "computing", "计算中"
        DRAFT = "draft", "待审核"
        APPROVED = "approved", "已审核"
        ISSUED = "issued", "已出盘"
        RECONCILED = "reconciled", "已对账"
        CANCELLED = "cancelled", "已作废"

    programme = models.CharField(max_length=32)
    month = models.DateField(db_comment="所属期（月初）")
    region = models.CharField(max_length=12, db_comment="区划代码前缀")
    seq = models.PositiveSmallIntegerField(default=0, db_comment="0：月度发放；1…：补发批次")
    status = models.CharField(max_length=12, choices=State.choices, default=State.COMPUTING)
    beneficiaries = models.PositiveIntegerField(default=0, db_comment="发放人数（明细行数）")
    total_fen = models.BigIntegerField(default=0, db_comment="发放总额（分）")
    inputs_hash = models.CharField(max_length=64, blank=True, db_comment="输入快照摘要（sha256）")
    bank_file_sha256 = models.CharField(max_length=64, blank=True, db_comment="银行代发文件摘要")
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    lease_until = models.DateTimeField(null=True, blank=True, db_comment="计算租约（进程被杀后可接续）")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table_comment = "月度发放批次"
        constraints = [
            models.UniqueConstraint(fields=["programme", "month", "region", "seq"], name="one_run_per_month_region")
        ]

    def __str__(self) -> str:
        return f"{self.programme}-{self.month:%Y%m}-{self.region}-{self.seq}"


class PayrollLine(models.Model):
    """One payment to one payee for one month: a snapshot of every input, never edited after issue."""

    class State(models.TextChoices):
        PENDING = "pending", "待发放"
        ISSUED = "issued", "已出盘"
        PAID = "paid", "已到账"
        FAILED = "failed", "发放失败"
        CANCELLED = "cancelled", "已作废"

    run = models.ForeignKey(PayrollRun, on_delete=models.CASCADE, related_name="lines")
    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="lines")
    entitlement_version = models.PositiveIntegerField()
    period = models.DateField(db_comment="所属期（月初）")
    division_code = models.CharField(max_length=12, db_index=True)
    payee_name = models.CharField(max_length=64)
    payee_id_number = models.CharField(max_length=18)
    bank_code = models.CharField(max_length=16, blank=True)
    bank_name = models.CharField(max_length=64, blank=True)
    account_no = models.CharField(max_length=32, blank=True)
    account_name = models.CharField(max_length=64, blank=True)
    members = models.PositiveSmallIntegerField(default=1, db_comment="保障人口数")
    amount_fen = models.BigIntegerField()
    status = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    bank_serial = models.CharField(max_length=64, blank=True, db_comment="银行流水号")
    fail_reason = models.CharField(max_length=200, blank=True, db_comment="失败原因（银行回盘）")
    reissue_of = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reissued_as",
        db_comment="补发所对应的失败行",
    )

    class Meta:
        db_table_comment = "发放明细"
        constraints = [
            # Never paid twice: one live line per entitlement and month (a failed line may be followed by one re-issue).
            models.UniqueConstraint(
                fields=["entitlement", "period"],
                condition=Q(status__in=["pending", "issued", "paid"]),
                name="one_live_line_per_entitlement_month",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="line_amount_positive"),
        ]
        indexes = [models.Index(fields=["run", "status"])]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.pk}"


class ReturnFile(models.Model):
    """A bank's return file, kept raw; applying the same file twice changes nothing (sha256)."""

    run = models.ForeignKey(PayrollRun, on_delete=models.PROTECT, related_name="returns")
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=200)
    content = models.BinaryField()
    paid = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list, blank=True, db_comment="无法对应的行（行号、原因）")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "银行回盘文件"
        constraints = [models.UniqueConstraint(fields=["run", "sha256"], name="one_return_file_per_content")]

    def __str__(self) -> str:
        return self.file_name


class Overpayment(models.Model):
    """追回台账: money paid for months after a death or while not entitled. Paid lines are never edited."""

    class Cause(models.TextChoices):
        DEATH = "death", "死亡未及时停发"
        INELIGIBLE = "ineligible", "不符合条件期间发放"
        FRAUD = "fraud", "虚报、隐瞒、伪造（第六十八条）"

    class State(models.TextChoices):
        OPEN = "open", "待追回"
        RECOVERING = "recovering", "分期追回中"
        RECOVERED = "recovered", "已追回"
        WRITE_OFF = "write_off", "核销待审核"
        WRITTEN_OFF = "written_off", "已核销"

    entitlement = models.ForeignKey(Entitlement, on_delete=models.PROTECT, related_name="overpayments")
    division_code = models.CharField(max_length=12, db_index=True)
    cause = models.CharField(max_length=12, choices=Cause.choices)
    period_from = models.DateField(db_comment="多发起始所属期")
    period_to = models.DateField(db_comment="多发最后所属期")
    amount_fen = models.BigIntegerField(db_comment="应追回金额（分）")
    recovered_fen = models.BigIntegerField(default=0, db_comment="已追回金额（分）")
    instalments = models.PositiveSmallIntegerField(default=1, db_comment="分期数")
    status = models.CharField(max_length=12, choices=State.choices, default=State.OPEN)
    note = models.CharField(max_length=300, blank=True)
    lines = models.ManyToManyField(PayrollLine, related_name="overpayments")  # the lines paid in excess
    # Art. 68 applies only where benefits were obtained by concealment or forgery (cause fraud):
    # the fine is 1–3 times the amount, decided by the county; recorded here, collected elsewhere.
    fine_multiple = models.DecimalField(
        max_digits=3, decimal_places=1, null=True, blank=True, db_comment="罚款倍数（第六十八条：1～3 倍；仅骗取时）"
    )
    fine_fen = models.BigIntegerField(null=True, blank=True, db_comment="罚款金额（分）")
    write_off_reason = models.CharField(max_length=300, blank=True, db_comment="核销理由")
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "追回台账"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="overpayment_positive")]

    def __str__(self) -> str:
        return f"追回#{self.pk}"


class Repayment(models.Model):
    overpayment = models.ForeignKey(Overpayment, on_delete=models.PROTECT, related_name="repayments")
    received_on = models.DateField()
    amount_fen = models.BigIntegerField()
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "追回收款"
        constraints = [models.CheckConstraint(condition=Q(amount_fen__gt=0), name="repayment_positive")]

    def __str__(self) -> str:
        return f"{self.overpayment_id}:{self.amount_fen}"
