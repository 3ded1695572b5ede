"""社工站、社工、志愿者、志愿服务活动与签到、时间银行、星级认定.

Two ledgers kept apart on purpose (《志愿服务条例》 requires service to be 无偿; reference-governance-maps
§5): the statutory service time is the confirmed `Attendance.confirmed_minutes`; the time bank is
`Account` + `Entry`, credited only for activities marked as time-bank service. Minutes are integers;
a balance can never go below zero (a CHECK constraint besides the services' own check), and every
movement is one `Entry` with a unique `key`, so the same confirmation, transfer or refund is booked once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Certificate(models.TextChoices):
    """社会工作者职业水平证书 (人社部、民政部《社会工作者职业水平评价暂行规定》)."""

    NONE = "none", "未持证"
    ASSISTANT = "assistant", "助理社会工作师"
    SOCIAL = "social", "社会工作师"
    SENIOR = "senior", "高级社会工作师"


class Skill(models.TextChoices):
    CARE = "care", "生活照料"
    MEALS = "meals", "助餐送餐"
    COMPANY = "company", "陪伴聊天"
    HAIRCUT = "haircut", "理发"
    HEALTH = "health", "义诊健康"
    REPAIR = "repair", "家电维修"
    LEGAL = "legal", "法律咨询"
    COUNSEL = "counsel", "心理疏导"
    CULTURE = "culture", "文体活动"
    RESCUE = "rescue", "应急救援"
    CHILDREN = "children", "儿童关爱"
    OTHER = "other", "其他"


class Station(models.Model):
    """乡镇（街道）社工站: one per town."""

    town_code = models.CharField(max_length=12, unique=True, db_comment="所在乡镇（街道）区划代码")
    name = models.CharField(max_length=100, db_comment="社工站名称")
    address = models.CharField(max_length=200, blank=True, db_comment="地址")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    operator_name = models.CharField(max_length=100, blank=True, db_comment="运营机构（政府购买服务的社工机构）")
    operator_credit_code = models.CharField(max_length=18, blank=True, db_comment="运营机构统一社会信用代码")
    opened_on = models.DateField(null=True, blank=True, db_comment="建站日期")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "乡镇（街道）社工站"
        ordering = ["town_code"]

    def __str__(self) -> str:
        return self.name


class SocialWorker(models.Model):
    """A station's social worker; `user` is the account (role social_worker) when they have one."""

    station = models.ForeignKey(Station, on_delete=models.PROTECT, related_name="workers")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="social_worker_record"
    )
    name = models.CharField(max_length=64, db_comment="姓名")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    certificate = models.CharField(max_length=12, choices=Certificate.choices, default=Certificate.NONE)
    certificate_no = models.CharField(max_length=40, blank=True, db_comment="证书编号")
    joined_on = models.DateField(null=True, blank=True, db_comment="到岗日期")
    active = models.BooleanField(default=True, db_comment="在岗")

    class Meta:
        db_table_comment = "社工站社会工作者"

    def __str__(self) -> str:
        return self.name

    @property
    def certified(self) -> bool:
        return self.certificate != Certificate.NONE


class Volunteer(models.Model):
    """A registered volunteer: one registry person; `user` is their own account (role volunteer)."""

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="volunteer")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="volunteer_record"
    )
    volunteer_no = models.CharField(max_length=24, unique=True, db_comment="志愿者编号")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="所在村（社区）区划代码（冗余）")
    skills = models.JSONField(default=list, blank=True, db_comment="服务技能（Skill 代码）")
    weekdays = models.JSONField(default=list, blank=True, db_comment="可服务日（0=周一 … 6=周日）")
    periods = models.JSONField(default=list, blank=True, db_comment="可服务时段（am 上午 / pm 下午 / eve 晚上）")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    registered_on = models.DateField(db_comment="注册日期")
    active = models.BooleanField(default=True, db_comment="在册")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "志愿者"

    def __str__(self) -> str:
        return self.volunteer_no


class Activity(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "报名签到中"
        CLOSED = "closed", "已结束"
        CANCELLED = "cancelled", "已取消"

    title = models.CharField(max_length=100, db_comment="活动名称")
    kind = models.CharField(max_length=12, choices=Skill.choices, db_comment="服务类别")
    station = models.ForeignKey(Station, null=True, blank=True, on_delete=models.PROTECT, related_name="activities")
    organiser = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="活动地点区划代码")
    place = models.CharField(max_length=200, db_comment="活动地点")
    lat = models.FloatField(db_comment="地点纬度")
    lng = models.FloatField(db_comment="地点经度")
    radius_m = models.PositiveIntegerField(default=300, db_comment="签到范围（米），超出须说明原因")
    starts_at = models.DateTimeField(db_comment="开始时间")
    ends_at = models.DateTimeField(db_comment="结束时间")
    timebank = models.BooleanField(default=False, db_comment="计入时间银行（养老服务类）")
    description = models.CharField(max_length=300, blank=True, db_comment="服务内容")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "志愿服务活动"
        indexes = [models.Index(fields=["division_code", "starts_at"], name="vol_activity_div_start")]
        constraints = [models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="vol_activity_ends")]

    def __str__(self) -> str:
        return self.title


class Attendance(models.Model):
    """One volunteer at one activity: sign-in and sign-out on the phone (GPS), then the organiser confirms."""

    class Status(models.TextChoices):
        SIGNED_IN = "signed_in", "已签到"
        SIGNED_OUT = "signed_out", "已签退（待确认）"
        CONFIRMED = "confirmed", "已确认"
        REJECTED = "rejected", "不予确认"

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="attendances")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="attendances")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.SIGNED_IN)
    in_at = models.DateTimeField(db_comment="签到时间（服务器）")
    in_client_at = models.DateTimeField(db_comment="签到时间（手机）")
    in_lat = models.FloatField(null=True, blank=True)
    in_lng = models.FloatField(null=True, blank=True)
    in_distance_m = models.PositiveIntegerField(null=True, blank=True, db_comment="签到点距活动地点（米）")
    in_reason = models.CharField(max_length=200, blank=True, db_comment="超出范围或未定位的说明")
    out_at = models.DateTimeField(null=True, blank=True, db_comment="签退时间（服务器）")
    out_client_at = models.DateTimeField(null=True, blank=True, db_comment="签退时间（手机）")
    out_lat = models.FloatField(null=True, blank=True)
    out_lng = models.FloatField(null=True, blank=True)
    out_distance_m = models.PositiveIntegerField(null=True, blank=True, db_comment="签退点距活动地点（米）")
    out_reason = models.CharField(max_length=200, blank=True)
    minutes = models.PositiveIntegerField(default=0, db_comment="签到至签退的服务时长（分钟，限活动时段内）")
    confirmed_minutes = models.PositiveIntegerField(default=0, db_comment="组织者确认的服务时长（分钟）")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True, db_comment="确认说明（核减或不予确认的原因）")

    class Meta:
        db_table_comment = "志愿服务签到记录"
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="vol_one_attendance")]

    def __str__(self) -> str:
        return f"{self.activity_id}/{self.volunteer_id}"


class Account(models.Model):
    """时间银行账户 of a registry person: a volunteer's own, or a family member's who received hours."""

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="timebank_account")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="区划代码（冗余）")
    balance_minutes = models.IntegerField(default=0, db_comment="余额（分钟）")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "时间银行账户"
        constraints = [models.CheckConstraint(condition=Q(balance_minutes__gte=0), name="vol_balance_never_negative")]

    def __str__(self) -> str:
        return f"账户 {self.pk}"


class Transfer(models.Model):
    """转赠: hours from one account to a family member's, under the local rule in force that day."""

    giver = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_out")
    receiver = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="transfers_in")
    minutes = models.PositiveIntegerField(db_comment="转赠时长（分钟）")
    relation = models.CharField(max_length=16, db_comment="亲属关系（spouse / parent_child / grandparent）")
    relation_source = models.CharField(max_length=200, db_comment="关系依据（户籍或申报及证明材料）")
    rule_text = models.TextField(db_comment="适用的本地规则（参数及依据）")
    request_key = models.CharField(max_length=40, unique=True, db_comment="提交编号（重复提交只记一次）")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "时间银行转赠"

    def __str__(self) -> str:
        return f"转赠 {self.minutes} 分钟"


class Draw(models.Model):
    """兑换: hours drawn as home-care service through an eldercare order (channel 时间银行兑换)."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="draws")
    order = models.OneToOneField("eldercare.Order", on_delete=models.PROTECT, related_name="timebank_draw")
    minutes = models.PositiveIntegerField(db_comment="兑换时长（分钟，下单时扣减）")
    settled = models.BooleanField(default=False, db_comment="已按订单结果结清（未用部分已退回）")
    refunded_minutes = models.PositiveIntegerField(default=0, db_comment="退回时长（分钟）")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "时间银行兑换居家养老服务"

    def __str__(self) -> str:
        return f"兑换 {self.minutes} 分钟（订单 {self.order_id}）"


class Entry(models.Model):
    """One movement of a time-bank account. `key` makes every movement happen once."""

    class Kind(models.TextChoices):
        EARN = "earn", "服务存入"
        TRANSFER_OUT = "transfer_out", "转赠转出"
        TRANSFER_IN = "transfer_in", "转赠转入"
        DRAW = "draw", "兑换服务"
        REFUND = "refund", "兑换退回"

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    minutes = models.IntegerField(db_comment="变动（分钟，存入为正、支出为负）")
    balance_after = models.IntegerField(db_comment="变动后余额（分钟）")
    key = models.CharField(max_length=64, unique=True, db_comment="幂等键（同一事项只记一次）")
    attendance = models.ForeignKey(Attendance, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    transfer = models.ForeignKey(Transfer, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    draw = models.ForeignKey(Draw, null=True, blank=True, on_delete=models.PROTECT, related_name="entries")
    note = models.CharField(max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "时间银行流水"
        ordering = ["-at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(balance_after__gte=0), name="vol_entry_balance_gte0")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.minutes} 分钟"


class Recognition(models.Model):
    """星级志愿者: awarded when confirmed service hours reach a level of data/stars.yaml."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="recognitions")
    level = models.PositiveSmallIntegerField(db_comment="星级")
    hours_at_award = models.PositiveIntegerField(db_comment="认定时累计服务小时")
    awarded_on = models.DateField(db_comment="认定日期")
    certificate_no = models.CharField(max_length=32, unique=True, db_comment="证书编号")

    class Meta:
        db_table_comment = "星级志愿者认定"
        constraints = [models.UniqueConstraint(fields=["volunteer", "level"], name="vol_one_star_level")]

    def __str__(self) -> str:
        return f"{self.level} 星 {self.certificate_no}"
