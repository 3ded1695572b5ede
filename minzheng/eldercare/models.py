"""居家养老: elders, providers, caregivers, the service catalogue, orders, assessments, flags, statements.

Money is integer fen. Coordinates are WGS-84 degrees (floats: they are measurements, not money).
The dispatch engine (`eldercare.dispatch`, Django-free) reads Caregiver and Order through plain values.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ElderStatus(models.TextChoices):
    """Status that decides hours and the government share (seed 004 峡山)."""

    TEKUN = "tekun", "特困"
    DIBAO = "dibao", "低保"
    DIBAO_EDGE = "dibao_edge", "低保边缘"
    OTHER = "other", "其他"


class AbilityLevel(models.IntegerChoices):
    """GB/T 42195-2022 C.3 levels."""

    INTACT = 0, "能力完好"
    MILD = 1, "轻度失能"
    MODERATE = 2, "中度失能"
    SEVERE = 3, "重度失能"
    TOTAL = 4, "完全失能"


class Qualification(models.TextChoices):
    """What a caregiver holds and what a service item needs."""

    CARE_WORKER = "care_worker", "养老护理员"
    NURSE = "nurse", "护士"
    REHAB = "rehab", "康复治疗师"
    SOCIAL_WORKER = "social_worker", "社会工作者"
    RENOVATION = "renovation", "适老化改造施工"


class ServiceCategory(models.TextChoices):
    """GB/T 43153-2023 居家养老上门服务基本规范: the seven categories."""

    DAILY_LIVING = "daily_living", "生活照料"
    BASIC_CARE = "basic_care", "基础照护"
    HEALTH = "health", "健康管理"
    VISITING = "visiting", "探访关爱"
    COMFORT = "comfort", "精神慰藉"
    ERRANDS = "errands", "委托代办"
    RENOVATION = "renovation", "适老化改造"


class Elder(models.Model):
    """An elder receiving home care: one registry person, with status, level and home location."""

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="elder")
    status = models.CharField(max_length=16, choices=ElderStatus.choices, default=ElderStatus.OTHER, db_comment="身份")
    ability_level = models.PositiveSmallIntegerField(
        choices=AbilityLevel.choices, null=True, blank=True, db_comment="当前能力等级（GB/T 42195-2022）"
    )
    level_assessed_on = models.DateField(null=True, blank=True, db_comment="当前等级的评估日期")
    reassess_due = models.DateField(null=True, blank=True, db_comment="应复评日期")
    condition_changed = models.BooleanField(default=False, db_comment="状况变化，需即时评估")
    # Copied from the person's household so scoping is one indexed range scan; kept in step by services.
    division_code = models.CharField(max_length=12, db_index=True, db_comment="现住址区划代码（冗余）")
    address = models.CharField(max_length=200, blank=True, db_comment="上门地址")
    lat = models.FloatField(null=True, blank=True, db_comment="登记住址纬度")
    lng = models.FloatField(null=True, blank=True, db_comment="登记住址经度")
    phone = models.CharField(max_length=20, blank=True, db_index=True, db_comment="来电号码（弹屏用）")
    # [{"name": "张小明", "relation": "子", "phone": "138..."}]
    emergency_contacts = models.JSONField(default=list, blank=True, db_comment="紧急联系人")
    family_token = models.CharField(max_length=43, unique=True, db_comment="家属页面链接令牌")
    # A link forwarded once works for ELDERCARE_FAMILY_LINK_DAYS; staff rotate it (old link dies at once).
    family_token_expires_at = models.DateTimeField(null=True, blank=True, db_comment="家属链接到期时间")
    active = models.BooleanField(default=True, db_comment="在服务")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table_comment = "居家养老服务对象"

    def __str__(self) -> str:
        return self.person.name


class Provider(models.Model):
    """A service organisation (居家养老照料公司) and its service area on the grid."""

    name = models.CharField(max_length=100, db_comment="机构名称")
    credit_code = models.CharField(max_length=18, blank=True, db_comment="统一社会信用代码")
    division_code = models.CharField(max_length=12, db_comment="所在区划代码")
    # Division-code prefixes (乡镇 or 村) the provider serves, e.g. ["330212100", "330212101201"].
    service_area = models.JSONField(default=list, blank=True, db_comment="服务区域（区划代码前缀）")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="eldercare_providers")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "居家养老服务商"

    def __str__(self) -> str:
        return self.name

    def serves(self, division_code: str) -> bool:
        return any(division_code.startswith(p) for p in self.service_area)


class Caregiver(models.Model):
    """A caregiver (护理员): qualifications, home base and working hours, for dispatch."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="caregiver"
    )
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="caregivers")
    name = models.CharField(max_length=64, db_comment="姓名")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    qualifications = models.JSONField(default=list, blank=True, db_comment="资质（Qualification 代码列表）")
    division_code = models.CharField(max_length=12, blank=True, db_comment="常驻村（社区）区划代码")
    home_lat = models.FloatField(db_comment="出发点纬度")
    home_lng = models.FloatField(db_comment="出发点经度")
    work_start = models.TimeField(default="08:00", db_comment="每日上班时间")
    work_end = models.TimeField(default="17:00", db_comment="每日下班时间")
    work_days = models.JSONField(default=list, blank=True, db_comment="工作日（0=周一 … 6=周日）")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "护理员"

    def __str__(self) -> str:
        return self.name

    def has(self, qualification: str) -> bool:
        return not qualification or qualification in self.qualifications


class ServiceItem(models.Model):
    """One item of the catalogue (GB/T 43153 category, standard minutes, price, qualification)."""

    code = models.CharField(max_length=16, unique=True, db_comment="项目编码")
    name = models.CharField(max_length=64, db_comment="项目名称")
    category = models.CharField(max_length=16, choices=ServiceCategory.choices, db_comment="服务类别")
    standard_minutes = models.PositiveIntegerField(db_comment="标准时长（分钟）")
    price_fen = models.PositiveIntegerField(db_comment="单价（分）")
    qualification = models.CharField(
        max_length=16, choices=Qualification.choices, blank=True, db_comment="所需资质（空 = 不限）"
    )
    description = models.CharField(max_length=200, blank=True, db_comment="服务内容")
    active = models.BooleanField(default=True)

    class Meta:
        db_table_comment = "居家养老服务项目"
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    PLACED = "placed", "已下单"
    DISPATCHED = "dispatched", "已派单"
    ACCEPTED = "accepted", "已接单"
    CHECKED_IN = "checked_in", "已签到"
    IN_SERVICE = "in_service", "服务中"
    CHECKED_OUT = "checked_out", "已签退"
    VISITED_BACK = "visited_back", "已回访"
    SETTLED = "settled", "已结算"
    CANCELLED = "cancelled", "已取消"
    MISSED = "missed", "未上门"


class OrderChannel(models.TextChoices):
    HOTLINE = "hotline", "12349 热线"
    FAMILY = "family", "家属手机"
    VILLAGE = "village", "村（社区）代下单"
    # Hours drawn from a volunteer time bank (volunteers.services_timebank): the bank's fund pays the
    # whole price and the elder's monthly government hours are not used (entitlements.minutes_in_month).
    TIMEBANK = "timebank", "时间银行兑换"


class Order(models.Model):
    """A 点餐式 order: items for one elder in a time window, through its lifecycle (see lifecycle.py)."""

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="orders")
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    caregiver = models.ForeignKey(Caregiver, null=True, blank=True, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=16, choices=OrderStatus.choices, default=OrderStatus.PLACED, db_index=True)
    channel = models.CharField(max_length=16, choices=OrderChannel.choices, db_comment="下单渠道")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="服务对象区划代码（冗余）")
    window_start = models.DateTimeField(db_comment="预约时段开始")
    window_end = models.DateTimeField(db_comment="预约时段结束")
    minutes = models.PositiveIntegerField(default=0, db_comment="计划时长（分钟，各项目标准时长之和）")
    price_fen = models.PositiveIntegerField(default=0, db_comment="总价（分）")
    subsidy_fen = models.PositiveIntegerField(default=0, db_comment="政府补贴（分，结算时计算）")
    copay_fen = models.PositiveIntegerField(default=0, db_comment="个人自付（分）")
    note = models.CharField(max_length=200, blank=True, db_comment="备注")
    caller_phone = models.CharField(max_length=20, blank=True, db_comment="来电号码")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # At the door: server time and the phone's own time (offline check-ins are sent later).
    checkin_at = models.DateTimeField(null=True, blank=True, db_comment="签到时间（服务器收到）")
    checkin_client_at = models.DateTimeField(null=True, blank=True, db_comment="签到时间（手机记录）")
    checkin_lat = models.FloatField(null=True, blank=True)
    checkin_lng = models.FloatField(null=True, blank=True)
    checkin_distance_m = models.PositiveIntegerField(null=True, blank=True, db_comment="签到点距登记住址（米）")
    checkin_reason = models.CharField(max_length=200, blank=True, db_comment="超出范围签到的说明")
    checkout_at = models.DateTimeField(null=True, blank=True, db_comment="签退时间（服务器收到）")
    checkout_client_at = models.DateTimeField(null=True, blank=True, db_comment="签退时间（手机记录）")
    checkout_lat = models.FloatField(null=True, blank=True)
    checkout_lng = models.FloatField(null=True, blank=True)
    checkout_distance_m = models.PositiveIntegerField(null=True, blank=True, db_comment="签退点距登记住址（米）")
    checkout_reason = models.CharField(max_length=200, blank=True, db_comment="超出范围签退的说明")
    confirmed_by = models.CharField(max_length=64, blank=True, db_comment="确认人（老人或家属）")
    followup_result = models.CharField(max_length=200, blank=True, db_comment="回访结果")
    satisfaction = models.PositiveSmallIntegerField(null=True, blank=True, db_comment="满意度 1–5")
    end_reason = models.CharField(max_length=200, blank=True, db_comment="取消或未上门原因")
    statement = models.ForeignKey("Statement", null=True, blank=True, on_delete=models.SET_NULL, related_name="orders")

    class Meta:
        db_table_comment = "居家养老服务订单"
        indexes = [
            models.Index(fields=["caregiver", "window_start"]),
            models.Index(fields=["elder", "window_start"]),
        ]

    def __str__(self) -> str:
        return f"订单 {self.pk}"

    @property
    def service_date(self):  # type: ignore[no-untyped-def]
        return self.window_start.date()


class OrderLine(models.Model):
    """One ordered item, with its minutes and price copied at ordering time."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    item = models.ForeignKey(ServiceItem, on_delete=models.PROTECT, related_name="+")
    minutes = models.PositiveIntegerField(db_comment="标准时长（分钟）")
    price_fen = models.PositiveIntegerField(db_comment="单价（分）")
    qualification = models.CharField(max_length=16, blank=True, db_comment="所需资质")
    done = models.BooleanField(default=False, db_comment="已完成")

    class Meta:
        db_table_comment = "订单服务项目"

    def __str__(self) -> str:
        return f"{self.item_id} × {self.minutes} 分钟"


class OrderPhoto(models.Model):
    """Before/after photo taken at the door (a file under DATA_DIR/uploads)."""

    class Kind(models.TextChoices):
        BEFORE = "before", "服务前"
        AFTER = "after", "服务后"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    path = models.CharField(max_length=300, db_comment="文件路径（相对上传目录）")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "上门服务照片"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.path}"


class OrderTransition(models.Model):
    """One step of an order's lifecycle (the audit log has the same step; this one is for the pages)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=OrderStatus.choices)
    to_status = models.CharField(max_length=16, choices=OrderStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(auto_now_add=True)
    client_at = models.DateTimeField(null=True, blank=True, db_comment="手机记录的时间")
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        db_table_comment = "订单状态变更"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class Assessment(models.Model):
    """An ability assessment (GB/T 42195-2022, or a legacy MZ/T 039-2013 record)."""

    class Standard(models.TextChoices):
        GBT42195 = "gbt42195", "GB/T 42195-2022"
        MZT039 = "mzt039", "MZ/T 039-2013"

    class Reason(models.TextChoices):
        # GB/T 42195-2022 A.1 评估原因
        FIRST = "first", "首次评估"
        ROUTINE = "routine", "常规评估"
        CHANGE = "change", "即时评估"
        DISPUTE = "dispute", "因对评估结果有疑问进行的复评"
        OTHER = "other", "其他"

    elder = models.ForeignKey(Elder, on_delete=models.PROTECT, related_name="assessments")
    standard = models.CharField(max_length=16, choices=Standard.choices, default=Standard.GBT42195)
    reason = models.CharField(max_length=16, choices=Reason.choices, default=Reason.FIRST, db_comment="评估原因")
    assessed_on = models.DateField(db_comment="评估日期")
    assessor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    assessor_name = models.CharField(max_length=64, db_comment="评估员")
    items = models.JSONField(default=dict, db_comment="各项得分")
    coma = models.BooleanField(default=False, db_comment="昏迷")
    diagnoses = models.JSONField(default=list, blank=True, db_comment="疾病诊断（ICD-10）")
    risk_events = models.JSONField(default=dict, blank=True, db_comment="近30天照护风险事件")
    domains = models.JSONField(default=dict, db_comment="一级指标得分")
    total = models.PositiveSmallIntegerField(null=True, blank=True, db_comment="总分")
    initial_level = models.PositiveSmallIntegerField(null=True, blank=True, db_comment="初步等级")
    final_level = models.PositiveSmallIntegerField(null=True, blank=True, db_comment="最终等级")
    reasons = models.JSONField(default=list, blank=True, db_comment="等级变更依据")
    needs_review = models.BooleanField(default=False, db_comment="需人工复核（MZ/T 039 查表无结果）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "老年人能力评估"
        ordering = ["-assessed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.get_standard_display()} {self.assessed_on}"


class FraudFlag(models.Model):
    """A finding of the authenticity checks, waiting on the supervision worklist."""

    class Kind(models.TextChoices):
        OVERLAP = "overlap", "时空重叠"
        TRAVEL = "travel", "不可能的行程"
        HOURS = "hours", "超出应享时长"
        QUALIFICATION = "qualification", "护理员无资质"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="flags")
    other_order = models.ForeignKey(Order, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    division_code = models.CharField(max_length=12, db_index=True)
    detail = models.CharField(max_length=300, db_comment="说明")
    open = models.BooleanField(default=True, db_comment="待处理")
    resolution = models.CharField(max_length=200, blank=True, db_comment="处理意见")
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    resolved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "服务真实性核查疑点"
        constraints = [models.UniqueConstraint(fields=["kind", "order"], name="one_flag_kind_per_order")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.detail}"


class Statement(models.Model):
    """A provider's monthly settlement statement, approved by the county (民政)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "待审核"
        APPROVED = "approved", "已审核"

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="statements")
    month = models.DateField(db_comment="结算月份（当月1日）")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    order_count = models.PositiveIntegerField(default=0)
    price_fen = models.PositiveBigIntegerField(default=0, db_comment="服务总额（分）")
    subsidy_fen = models.PositiveBigIntegerField(default=0, db_comment="政府补贴（分）")
    copay_fen = models.PositiveBigIntegerField(default=0, db_comment="个人自付（分）")
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    approved_at = models.DateTimeField(null=True, blank=True)
    # The maker of maker-checker: whoever last (re)built it; the approver may be neither this account
    # nor one it created or changed (approvals.py).
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_comment="生成人（最近一次生成结算单的账号）",
    )

    class Meta:
        db_table_comment = "服务商月度结算单"
        constraints = [models.UniqueConstraint(fields=["provider", "month"], name="one_statement_per_month")]

    def __str__(self) -> str:
        return f"{self.provider_id} {self.month:%Y-%m}"
