"""地名: the register of standard names, their renamings, naming applications, signs and standard addresses.

A name is recorded as 《地名管理条例》(国务院令第753号) and the 国家地名信息库 record it: 专名 + 通名, the
罗马字母拼写 (suggested by `romanise`, confirmed by a person), category, the division it lies in, a point or
a line, approval and 公告. A renaming keeps the old name in `PlaceNameChange` (曾用名), never overwrites it.
Applications run on the workflow kernel (machines/naming.yaml, machines/use.yaml).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Category(models.TextChoices):
    # 条例第三条's scope, grouped as the public lookup shows it (GB/T 18521 codes are finer).
    RESIDENTIAL = "residential", "居民点（村、社区）"
    ROAD = "road", "街路巷"
    ESTATE = "estate", "住宅区、楼宇"
    BRIDGE = "bridge", "桥梁"
    FACILITY = "facility", "公园、广场等设施"
    NATURAL = "natural", "自然地理实体（山、河、湖）"
    OTHER = "other", "其他"


class PlaceName(models.Model):
    class Status(models.TextChoices):
        IN_USE = "in_use", "在用"
        RENAMED = "renamed", "已更名"
        ABOLISHED = "abolished", "已废止"

    code = models.CharField(max_length=24, unique=True, db_comment="地名代码，如 DM330212-000001")
    name = models.CharField(max_length=64, db_comment="标准名称")
    specific = models.CharField(max_length=48, db_comment="专名")
    generic = models.CharField(max_length=16, blank=True, db_comment="通名")
    roman = models.CharField(max_length=160, db_comment="罗马字母拼写（带调，登记用）")
    roman_sign = models.CharField(max_length=160, db_comment="罗马字母拼写（不带调，标志用）")
    minority_name = models.CharField(max_length=160, blank=True, db_comment="少数民族语书写（按官方转写规则）")
    minority_language = models.CharField(max_length=16, blank=True, db_comment="少数民族语种")
    category = models.CharField(max_length=16, choices=Category.choices, db_comment="地名类别")
    division_code = models.CharField(max_length=12, db_comment="所在村（社区）或乡镇区划代码")
    location_text = models.CharField(max_length=200, blank=True, db_comment="位置描述")
    lat = models.FloatField(null=True, blank=True, db_comment="纬度（点位）")
    lng = models.FloatField(null=True, blank=True, db_comment="经度（点位）")
    line = models.JSONField(default=list, blank=True, db_comment="线状实体的坐标串 [[lng, lat], …]")
    meaning = models.TextField(blank=True, db_comment="含义")
    history = models.TextField(blank=True, db_comment="历史沿革")
    protected = models.BooleanField(default=False, db_comment="列入地名文化遗产保护名录（条例第二十五条）")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_USE, db_comment="状态")
    approved_by = models.CharField(max_length=64, blank=True, db_comment="批准机关")
    approved_on = models.DateField(null=True, blank=True, db_comment="批准时间")
    approval_no = models.CharField(max_length=64, blank=True, db_comment="批准文号")
    announced_on = models.DateField(null=True, blank=True, db_comment="公告日期（条例第十四条：批准后 15 日内）")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "地名"
        indexes = [
            models.Index(fields=["division_code", "category"], name="placename_division_cat"),
            models.Index(fields=["name"], name="placename_name"),
            models.Index(fields=["roman_sign"], name="placename_roman"),
        ]

    def __str__(self) -> str:
        return self.name


class PlaceNameChange(models.Model):
    """One renaming (or abolition): the old name stays readable as 曾用名 with its date and approval."""

    place = models.ForeignKey(PlaceName, on_delete=models.PROTECT, related_name="changes")
    old_name = models.CharField(max_length=64, db_comment="原名称（曾用名）")
    new_name = models.CharField(max_length=64, blank=True, db_comment="新名称（废止为空）")
    changed_on = models.DateField(db_comment="更名日期")
    approval_no = models.CharField(max_length=64, blank=True, db_comment="批准文号")
    reason = models.TextField(blank=True, db_comment="更名理由")

    class Meta:
        db_table_comment = "地名更名记录"

    def __str__(self) -> str:
        return f"{self.old_name} → {self.new_name or '废止'}"


class NamingApplication(models.Model):
    """An application: 命名 or 更名 (expert review, 公示, approval, 公告) or 标准地名使用 (1 working day)."""

    class Kind(models.TextChoices):
        NAME = "name", "命名"
        RENAME = "rename", "更名"
        USE = "use", "标准地名使用确认"

    number = models.CharField(max_length=32, unique=True, db_comment="申请编号，如 地名-330212-2026-0001")
    kind = models.CharField(max_length=8, choices=Kind.choices, db_comment="申请类型")
    proposed_name = models.CharField(max_length=64, db_comment="拟用名称")
    specific = models.CharField(max_length=48, db_comment="专名")
    generic = models.CharField(max_length=16, blank=True, db_comment="通名")
    roman = models.CharField(max_length=160, db_comment="罗马字母拼写（建议，经人工确认）")
    category = models.CharField(max_length=16, choices=Category.choices, db_comment="地名类别")
    division_code = models.CharField(max_length=12, db_comment="所在区划代码")
    place = models.ForeignKey(
        PlaceName, null=True, blank=True, on_delete=models.PROTECT, related_name="applications", db_comment="所涉地名"
    )
    applicant = models.CharField(max_length=100, db_comment="申请单位")
    location_text = models.CharField(max_length=200, db_comment="地理实体位置、规模、性质（条例第十一条）")
    reason = models.TextField(db_comment="命名、更名方案及理由；使用确认写明用途")
    status = models.CharField(max_length=16, db_comment="流程状态（machines/naming.yaml、use.yaml）")
    stage_due_on = models.DateField(null=True, blank=True, db_comment="本环节办理期限")
    received_on = models.DateField(db_comment="受理日期")
    expert_opinion = models.TextField(blank=True, db_comment="专家论证意见")
    publicity_until = models.DateField(null=True, blank=True, db_comment="公示截止日期")
    approval_no = models.CharField(max_length=64, blank=True, db_comment="批准文号")
    decided_on = models.DateField(null=True, blank=True, db_comment="办结日期")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_comment="受理人"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "地名命名、更名及使用申请"
        indexes = [models.Index(fields=["division_code", "status"], name="naming_division_status")]

    def __str__(self) -> str:
        return f"{self.number} {self.proposed_name}"


class Sign(models.Model):
    """A 地名标志 (GB 17733): where it stands, what it says, and its condition when last checked."""

    class Condition(models.TextChoices):
        GOOD = "good", "完好"
        FADED = "faded", "褪色、模糊"
        DAMAGED = "damaged", "损坏"
        MISSING = "missing", "缺失"

    place = models.ForeignKey(PlaceName, on_delete=models.PROTECT, related_name="signs")
    kind = models.CharField(max_length=16, db_comment="标志类型：路牌、街牌、村牌、楼牌、桥牌、门牌")
    division_code = models.CharField(max_length=12, db_comment="所在区划代码")
    location_text = models.CharField(max_length=200, db_comment="设置位置")
    lat = models.FloatField(null=True, blank=True)
    lng = models.FloatField(null=True, blank=True)
    text = models.CharField(max_length=64, db_comment="标志上的汉字")
    roman_text = models.CharField(max_length=160, db_comment="标志上的罗马字母拼写")
    condition = models.CharField(max_length=8, choices=Condition.choices, default=Condition.GOOD, db_comment="状况")
    installed_on = models.DateField(null=True, blank=True, db_comment="设置日期")
    checked_on = models.DateField(null=True, blank=True, db_comment="最近检查日期")
    note = models.CharField(max_length=200, blank=True, db_comment="检查说明")

    class Meta:
        db_table_comment = "地名标志"

    def __str__(self) -> str:
        return f"{self.kind} {self.text}"


class StandardAddress(models.Model):
    """A registry household's address written on a standard road/estate name (条例第二十一条 标准地址)."""

    household = models.OneToOneField("registry.Household", on_delete=models.CASCADE, related_name="standard_address")
    place = models.ForeignKey(PlaceName, on_delete=models.PROTECT, related_name="addresses")
    door_no = models.CharField(max_length=32, db_comment="门牌号，如 18号、3幢")

    class Meta:
        db_table_comment = "居民户的标准地址"

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return f"{self.place.name}{self.door_no}"
