"""灾害救助: events, village rapid assessments, relief claims and payments, material reserves, early warning.

Relief itself is a case on the case kernel (cases/types/disaster_*.yaml); `ReliefClaim` ties that case
to its event and keeps the facts the rules policy reads. `ReliefPayment` and `ReliefRecipient` are the
database's word that one household and one person receive each kind of relief once per event.
Stock lives in lots (expiry per lot) whose quantity never goes below zero (a check constraint and a
conditional UPDATE); every change is a `StockMovement` row and an audit event.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Event(models.Model):
    """A disaster event: type (GB/T 28921), area (village codes), dates, response level (national plan)."""

    name = models.CharField(max_length=80, db_comment="灾害事件名称，如 2026年第12号台风")
    kind = models.CharField(
        max_length=16, db_comment="灾害类型（GB/T 28921-2012 自然灾害分类与代码，data/standards.yaml）"
    )
    division_code = models.CharField(max_length=12, db_comment="主管区划（县级，用于管辖范围）")
    areas = models.JSONField(default=list, db_comment="受灾区域：乡镇或村（社区）区划代码")
    started_on = models.DateField(db_comment="灾害发生日期")
    ended_on = models.DateField(null=True, blank=True, db_comment="灾情稳定（应急响应终止）日期")
    response_level = models.CharField(max_length=4, blank=True, db_comment="应急响应等级 Ⅰ–Ⅳ（空：未启动）")
    level_basis = models.CharField(max_length=300, blank=True, db_comment="启动响应的依据（预案条款、会商意见）")
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "灾害事件"
        indexes = [models.Index(fields=["division_code", "started_on"], name="disaster_event_div")]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """One village's rapid needs assessment (GB/T 24438.1 indicators), re-reported as the situation develops."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="assessments")
    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    affected_persons = models.PositiveIntegerField(default=0, db_comment="受灾人口（人）")
    relocated_persons = models.PositiveIntegerField(default=0, db_comment="紧急转移安置人口（人）")
    transition_persons = models.PositiveIntegerField(default=0, db_comment="需过渡期生活救助人口（人）")
    houses_collapsed = models.PositiveIntegerField(default=0, db_comment="倒塌房屋（间）")
    houses_severe = models.PositiveIntegerField(default=0, db_comment="严重损坏房屋（间）")
    houses_general = models.PositiveIntegerField(default=0, db_comment="一般损坏房屋（间）")
    loss_fen = models.BigIntegerField(default=0, db_comment="直接经济损失（分）")
    note = models.CharField(max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, db_comment="报送次数（续报加一）")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "灾情快速评估（按村）"
        constraints = [
            models.UniqueConstraint(fields=["event", "division_code"], name="one_assessment_per_village"),
            models.CheckConstraint(condition=Q(loss_fen__gte=0), name="assessment_loss_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.division_code}"


class Kind(models.TextChoices):
    TRANSITION = "transition", "过渡期生活救助"
    WINTER = "winter", "冬春救助"


CASE_TYPES = {Kind.TRANSITION: "disaster_transition", Kind.WINTER: "disaster_winter"}
PROGRAMMES = CASE_TYPES  # payments/data/programmes.yaml ids are the case type ids


class HouseDamage(models.TextChoices):
    NONE = "", "无"
    COLLAPSED = "collapsed", "倒塌"
    SEVERE = "severe", "严重损坏"
    GENERAL = "general", "一般损坏"


class ReliefClaim(models.Model):
    """A household's relief application for one event: its case and the facts the policy reads."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="claims")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="disaster_claim")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    division_code = models.CharField(max_length=12, db_comment="户所在村（社区）")
    house_damage = models.CharField(max_length=12, choices=HouseDamage.choices, blank=True, db_comment="住房倒损")
    no_livelihood = models.BooleanField(default=False, db_comment="灾后无生活来源")
    transition_persons = models.PositiveSmallIntegerField(default=0, db_comment="需过渡期生活救助人数")
    winter_hardship = models.BooleanField(default=False, db_comment="冬春口粮、衣被、取暖有困难")
    winter_persons = models.PositiveSmallIntegerField(default=0, db_comment="冬春救助人数")
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "灾害救助申请（与案件一一对应）"
        indexes = [models.Index(fields=["household", "kind"], name="disaster_claim_household")]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.kind}:{self.household_id}"


class ReliefPayment(models.Model):
    """Relief paid: one per (event, kind, household), enforced by the database; the entitlement pays it."""

    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="payments")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    claim = models.OneToOneField(ReliefClaim, on_delete=models.PROTECT, related_name="payment")
    entitlement = models.OneToOneField("payments.Entitlement", on_delete=models.PROTECT, related_name="+")
    division_code = models.CharField(max_length=12)
    amount_fen = models.BigIntegerField(db_comment="救助金额（分，一次性）")
    persons = models.PositiveSmallIntegerField(db_comment="计发人数")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "灾害救助发放（每户每次灾害每类一次）"
        constraints = [
            models.UniqueConstraint(fields=["event", "kind", "household"], name="relief_once_per_household"),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="relief_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.kind}:{self.household_id}"


class ReliefRecipient(models.Model):
    """Each member covered by a payment: a person moved to another household is not paid again."""

    payment = models.ForeignKey(ReliefPayment, on_delete=models.CASCADE, related_name="recipients")
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")

    class Meta:
        db_table_comment = "灾害救助受益人员（每人每次灾害每类一次）"
        constraints = [models.UniqueConstraint(fields=["event", "kind", "person"], name="relief_once_per_person")]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.kind}:{self.person_id}"


# ------------------------------------------------------------------ material reserves


class Warehouse(models.Model):
    code = models.CharField(max_length=24, unique=True, db_comment="储备库编号")
    name = models.CharField(max_length=80, db_comment="救灾物资储备库（点）名称")
    division_code = models.CharField(max_length=12, db_comment="所在区划（管辖范围）")
    address = models.CharField(max_length=200, blank=True)
    keeper = models.CharField(max_length=40, blank=True, db_comment="保管员")

    class Meta:
        db_table_comment = "救灾物资储备库（《自然灾害救助条例》第十条）"

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    code = models.CharField(max_length=24, unique=True, db_comment="物资编码")
    name = models.CharField(max_length=60, db_comment="物资名称，如 棉被、帐篷")
    unit = models.CharField(max_length=8, db_comment="计量单位：床、顶、箱")
    category = models.CharField(max_length=20, blank=True, db_comment="类别：生活类、住宿类、食品类")

    class Meta:
        db_table_comment = "救灾物资品目"

    def __str__(self) -> str:
        return self.name


class Lot(models.Model):
    """One received batch of one item in one warehouse; issued first-expiring-first."""

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="lots")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="lots")
    batch_no = models.CharField(max_length=40, db_comment="批次号")
    quantity = models.IntegerField(default=0, db_comment="现存数量")
    received_on = models.DateField(db_comment="入库日期")
    expires_on = models.DateField(null=True, blank=True, db_comment="有效期至（空：无保质期）")
    source = models.CharField(max_length=80, blank=True, db_comment="来源：采购、调拨、捐赠")

    class Meta:
        db_table_comment = "库存批次"
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="lot_quantity_not_negative"),
            models.UniqueConstraint(fields=["warehouse", "item", "batch_no"], name="one_lot_per_batch"),
        ]

    def __str__(self) -> str:
        return f"{self.item} {self.batch_no}"


class Distribution(models.Model):
    """Materials issued from a warehouse to a village for an event, and the village's signed receipt."""

    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="distributions")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="distributions")
    division_code = models.CharField(max_length=12, db_comment="接收村（社区）")
    issued_on = models.DateField()
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    received_by = models.CharField(max_length=40, blank=True, db_comment="签收人")
    received_at = models.DateTimeField(null=True, blank=True, db_comment="签收时间")
    signature = models.ForeignKey(
        "documents.Attachment", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_comment="签名图片"
    )
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table_comment = "救灾物资调拨发放（村签收）"

    def __str__(self) -> str:
        return f"发放#{self.pk}"


class StockMovement(models.Model):
    """Every change of a lot: 入库, 发放 (to a village), 退回 (from it), 报损 (expired, damaged)."""

    class Kind(models.TextChoices):
        RECEIVE = "receive", "入库"
        ISSUE = "issue", "发放"
        RETURN = "return", "退回"
        WRITE_OFF = "write_off", "报损"

    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    quantity = models.PositiveIntegerField(db_comment="数量（正数；方向由类型定）")
    balance = models.IntegerField(db_comment="变动后结存")
    distribution = models.ForeignKey(
        Distribution, null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    reason = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "库存变动流水"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind}:{self.lot_id}:{self.quantity}"


# ------------------------------------------------------------------ early warning


class Contact(models.Model):
    """Who must be called in a village when a warning is issued (灾害信息员, 村干部, 独居老人 …)."""

    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    name = models.CharField(max_length=40)
    phone = models.CharField(max_length=20)
    role = models.CharField(max_length=20, db_comment="身份：灾害信息员、村干部、网格员、重点对象")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    active = models.BooleanField(default=True)

    class Meta:
        db_table_comment = "预警叫应联系人（按村）"

    def __str__(self) -> str:
        return self.name


class Warning(models.Model):
    """An early warning passed down to villages; each contact must be called and answer."""

    class Level(models.TextChoices):
        BLUE = "blue", "蓝色"
        YELLOW = "yellow", "黄色"
        ORANGE = "orange", "橙色"
        RED = "red", "红色"

    event = models.ForeignKey(Event, null=True, blank=True, on_delete=models.PROTECT, related_name="warnings")
    title = models.CharField(max_length=120)
    level = models.CharField(max_length=8, choices=Level.choices)
    division_code = models.CharField(max_length=12, db_comment="发布单位区划（县）")
    areas = models.JSONField(default=list, db_comment="预警区域：乡镇或村区划代码")
    issued_at = models.DateTimeField(default=timezone.now)
    call_within_minutes = models.PositiveIntegerField(default=60, db_comment="须在多少分钟内叫应")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "灾害预警（叫应）"

    def __str__(self) -> str:
        return self.title


class Call(models.Model):
    """One contact to be called for one warning: not yet called, called without answer, or answered."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="calls")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="calls")
    division_code = models.CharField(max_length=12)
    attempts = models.PositiveSmallIntegerField(default=0, db_comment="拨打次数")
    called_at = models.DateTimeField(null=True, blank=True, db_comment="最近拨打时间")
    answered_at = models.DateTimeField(null=True, blank=True, db_comment="接通（确认收到）时间")
    called_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table_comment = "预警叫应记录"
        constraints = [models.UniqueConstraint(fields=["warning", "contact"], name="one_call_per_contact")]

    def __str__(self) -> str:
        return f"{self.warning_id}:{self.contact_id}"
