"""养老机构与社区养老设施: institutions, their residents, star ratings, inspections and findings,
monthly operating subsidies, and community facilities (幸福院, 日间照料中心) with their locations.

Money is integer fen. Care levels are GB/T 42195-2022 ability levels (0 能力完好 … 4 完全失能), the same
scale as eldercare's assessments. Coordinates are WGS-84 degrees. An institution is found by its code
(`User.unit` of its operator's account); every row carries a division code for jurisdiction scoping.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

CARE_LEVELS = {0: "能力完好", 1: "轻度失能", 2: "中度失能", 3: "重度失能", 4: "完全失能"}


def level_label(level: int | None) -> str:
    return "未评估" if level is None else CARE_LEVELS.get(level, str(level))


class Institution(models.Model):
    """A care institution (养老机构): 公办, 公建民营 or 民办, filed with the county 民政."""

    class Kind(models.TextChoices):
        PUBLIC = "public", "公办"
        PPP = "ppp", "公建民营"
        PRIVATE = "private", "民办"

    code = models.CharField(max_length=32, unique=True, db_comment="机构代码（运营方账号的单位代码）")
    name = models.CharField(max_length=100, db_comment="机构名称")
    kind = models.CharField(max_length=8, choices=Kind.choices, db_comment="性质")
    # 《养老机构管理办法》(民政部令第66号, 2020): 设立许可 abolished in 2018; institutions file (备案).
    filing_no = models.CharField(max_length=40, blank=True, db_comment="备案回执编号")
    licence_no = models.CharField(max_length=40, blank=True, db_comment="设立许可证号（2019 年前取得的）")
    credit_code = models.CharField(max_length=18, blank=True, db_comment="统一社会信用代码")
    operator = models.CharField(max_length=100, db_comment="运营方（公建民营为受托运营单位）")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="所在村（社区）区划代码")
    address = models.CharField(max_length=200, blank=True, db_comment="地址")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    lat = models.FloatField(null=True, blank=True, db_comment="纬度")
    lng = models.FloatField(null=True, blank=True, db_comment="经度")
    # {"0": 20, "1": 10, …}: beds by the care level they are equipped for (GB/T 42195 levels).
    beds = models.JSONField(default=dict, db_comment="按照护等级的床位数")
    medical = models.BooleanField(default=False, db_comment="内设医疗机构（医养结合）")
    opened_on = models.DateField(null=True, blank=True, db_comment="开业日期")
    active = models.BooleanField(default=True, db_comment="在运营")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "养老机构"

    def __str__(self) -> str:
        return self.name

    def beds_at(self, level: int) -> int:
        return int(self.beds.get(str(level), 0) or 0)

    @property
    def beds_total(self) -> int:
        return sum(int(v or 0) for v in self.beds.values())


class Resident(models.Model):
    """One stay of one registry person in an institution, from admission to discharge."""

    class Supply(models.TextChoices):
        SELF = "self", "自费入住"
        TEKUN = "tekun", "特困人员集中供养"

    class Discharge(models.TextChoices):
        HOME = "home", "回家居住"
        TRANSFER = "transfer", "转入其他机构"
        HOSPITAL = "hospital", "转入医院"
        DIED = "died", "死亡"
        OTHER = "other", "其他"

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="residents")
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+", db_comment="入住老人")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="机构所在区划代码（管辖范围）")
    supply = models.CharField(max_length=8, choices=Supply.choices, default=Supply.SELF, db_comment="入住方式")
    care_level = models.PositiveSmallIntegerField(null=True, blank=True, db_comment="照护等级（GB/T 42195）")
    level_assessed_on = models.DateField(null=True, blank=True, db_comment="能力评估日期")
    agreement_no = models.CharField(max_length=40, blank=True, db_comment="服务协议编号")
    bed_no = models.CharField(max_length=20, blank=True, db_comment="房间床位号")
    admitted_on = models.DateField(db_comment="入住日期")
    discharged_on = models.DateField(null=True, blank=True, db_comment="离院日期")
    discharge_reason = models.CharField(max_length=8, choices=Discharge.choices, blank=True, db_comment="离院原因")
    note = models.CharField(max_length=200, blank=True, db_comment="备注")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "机构入住老人"
        constraints = [
            # A person lives in one institution at a time: a second admission needs a discharge first.
            models.UniqueConstraint(
                fields=["person"], condition=Q(discharged_on__isnull=True), name="institutions_one_open_stay"
            )
        ]
        indexes = [models.Index(fields=["institution", "discharged_on"], name="institutions_res_open")]

    def __str__(self) -> str:
        return f"{self.institution_id}:{self.person_id}"

    @property
    def level_label(self) -> str:
        return level_label(self.care_level)


class Rating(models.Model):
    """等级评定 (GB/T 37276-2018 养老机构等级划分与评定): a level 1–5 from criteria scored on a visit."""

    class Status(models.TextChoices):
        CURRENT = "current", "有效"
        SUPERSEDED = "superseded", "已被新评定取代"
        REVOKED = "revoked", "已撤销"

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="ratings")
    division_code = models.CharField(max_length=12, db_index=True)
    visited_on = models.DateField(db_comment="评定现场检查日期")
    assessors = models.CharField(max_length=200, db_comment="评定人员")
    scores = models.JSONField(default=dict, db_comment="各评定项得分 {项目: 分}")
    total = models.PositiveIntegerField(db_comment="总分")
    level = models.PositiveSmallIntegerField(db_comment="等级 1–5（五级最高）")
    prerequisites_met = models.BooleanField(default=True, db_comment="满足评定前提条件")
    valid_until = models.DateField(db_comment="有效期至")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CURRENT)
    note = models.CharField(max_length=300, blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "养老机构等级评定"
        constraints = [
            models.UniqueConstraint(
                fields=["institution"], condition=Q(status="current"), name="institutions_one_current_rating"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.level}级"


class Inspection(models.Model):
    """A fire-safety or service-quality inspection, on the workflow kernel (machines/inspection.yaml)."""

    class Kind(models.TextChoices):
        FIRE = "fire", "消防安全检查"
        SERVICE = "service", "服务质量检查"

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="inspections")
    division_code = models.CharField(max_length=12, db_index=True)
    kind = models.CharField(max_length=8, choices=Kind.choices, db_comment="检查类型")
    planned_on = models.DateField(db_comment="计划检查日期")
    inspected_on = models.DateField(null=True, blank=True, db_comment="实际检查日期")
    inspectors = models.CharField(max_length=200, blank=True, db_comment="检查人员")
    status = models.CharField(max_length=16, default="planned", db_comment="流程状态（见 machines/inspection.yaml）")
    due_on = models.DateField(null=True, blank=True, db_comment="当前环节期限")
    summary = models.TextField(blank=True, db_comment="检查结论")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "养老机构安全与服务质量检查"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"


class Finding(models.Model):
    """One problem found on an inspection, with its rectification deadline in working days."""

    class Severity(models.TextChoices):
        GENERAL = "general", "一般问题"
        MAJOR = "major", "重大隐患"

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    item = models.CharField(max_length=200, db_comment="问题描述")
    severity = models.CharField(max_length=8, choices=Severity.choices, db_comment="严重程度")
    working_days = models.PositiveSmallIntegerField(db_comment="整改期限（工作日）")
    rectify_by = models.DateField(db_comment="整改期限（日期）")
    rectified_on = models.DateField(null=True, blank=True, db_comment="整改完成日期")
    rectification = models.CharField(max_length=300, blank=True, db_comment="整改情况")

    class Meta:
        db_table_comment = "检查发现问题"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.item


class SubsidyMonth(models.Model):
    """One institution's operating subsidy for one month, decided per resident by the rules engine."""

    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="subsidies")
    division_code = models.CharField(max_length=12, db_index=True)
    month = models.DateField(db_comment="所属期（月初）")
    total_fen = models.BigIntegerField(default=0, db_comment="补贴合计（分）")
    residents = models.PositiveIntegerField(default=0, db_comment="符合条件的入住老人数")
    pending = models.PositiveIntegerField(default=0, db_comment="待核对人数")
    status = models.CharField(max_length=12, default="draft", db_comment="流程状态（见 machines/subsidy.yaml）")
    built_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "养老机构运营补贴（月）"
        constraints = [models.UniqueConstraint(fields=["institution", "month"], name="institutions_one_subsidy_month")]

    def __str__(self) -> str:
        return f"{self.institution_id}-{self.month:%Y%m}"


class SubsidyLine(models.Model):
    """One resident's occupied bed in the month: days, level, the engine's amount and its explanation."""

    class Outcome(models.TextChoices):
        YES = "yes", "符合"
        NO = "no", "不符合"
        PENDING = "pending", "待核对"

    subsidy = models.ForeignKey(SubsidyMonth, on_delete=models.CASCADE, related_name="lines")
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="+")
    care_level = models.PositiveSmallIntegerField(null=True, blank=True)
    days = models.PositiveSmallIntegerField(db_comment="当月在院天数")
    amount_fen = models.BigIntegerField(default=0, db_comment="补贴（分）")
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    explanation = models.TextField(blank=True, db_comment="规则说明")

    class Meta:
        db_table_comment = "运营补贴明细"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.subsidy_id}:{self.resident_id}"


class Facility(models.Model):
    """A community care facility: 幸福院, 日间照料中心, 居家养老服务站, or a 助餐点 located here."""

    class Kind(models.TextChoices):
        HAPPINESS = "happiness", "农村幸福院"
        DAY_CENTRE = "day_centre", "日间照料中心"
        STATION = "station", "居家养老服务站"
        CANTEEN = "canteen", "老年助餐点"

    name = models.CharField(max_length=100, db_comment="名称")
    kind = models.CharField(max_length=12, choices=Kind.choices, db_comment="类型")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="所在村（社区）区划代码")
    address = models.CharField(max_length=200, blank=True, db_comment="地址")
    operator = models.CharField(max_length=100, blank=True, db_comment="运营方")
    lat = models.FloatField(db_comment="纬度")
    lng = models.FloatField(db_comment="经度")
    # meals owns canteens (menus, orders); a canteen placed on the map points to its meals row.
    canteen = models.OneToOneField(
        "meals.Canteen", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_comment="助餐点"
    )
    opened_on = models.DateField(null=True, blank=True, db_comment="启用日期")
    active = models.BooleanField(default=True, db_comment="在运营")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "社区养老服务设施"

    def __str__(self) -> str:
        return self.name
