"""The child file (儿童福利, 一人一档、永久保存): one per child, never deleted.

Facts are kept with their evidence and date; a parent's situation is history (a change is a new
`ParentSituation` row and the old one gets `until`), so a category can be explained on any date.
The categories themselves are decided by the rules engine (`categories.py`) and only stored here
(`ChildCategory`) so lists are fast.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class ChildFileDeleteRefused(Exception):
    """一人一档、永久保存: a child file is never deleted."""


class ChildFile(models.Model):
    person = models.OneToOneField(
        "registry.Person", on_delete=models.PROTECT, related_name="child_file", db_comment="儿童（户籍人员）"
    )
    division_code = models.CharField(max_length=12, db_index=True, db_comment="区划代码（冗余，用于管辖范围）")
    # School: full-time school lets the orphan / 事实无人抚养 categories continue past 18 (to 22 at most).
    in_school = models.BooleanField(null=True, db_comment="是否在校（空 = 未核实）")
    school_name = models.CharField(max_length=100, blank=True, db_comment="学校")
    grade = models.CharField(max_length=32, blank=True, db_comment="年级")
    full_time_until = models.DateField(null=True, blank=True, db_comment="全日制学历教育预计至")
    health = models.CharField(max_length=200, blank=True, db_comment="健康状况（重病等）")
    disability_category = models.CharField(max_length=8, blank=True, db_comment="残疾类别（空 = 无）")
    disability_grade = models.PositiveSmallIntegerField(default=0, db_comment="残疾等级 1–4，0 = 无")
    # 监护缺失: the 儿童主任's finding after a visit (null = not yet assessed; unknown is not "no").
    guardian_missing = models.BooleanField(null=True, db_comment="监护缺失（儿童主任走访认定；空 = 未认定）")
    retention = models.CharField(max_length=16, default="永久", db_comment="保存期限")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table_comment = "儿童档案（一人一档，永久保存）"

    def __str__(self) -> str:
        return f"儿童档案 {self.person_id}"

    def delete(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise ChildFileDeleteRefused("儿童档案一人一档、永久保存，不能删除")


class Guardian(models.Model):
    class Relation(models.TextChoices):
        FATHER = "father", "父亲"
        MOTHER = "mother", "母亲"
        GRANDPARENT = "grandparent", "祖父母/外祖父母"
        SIBLING = "sibling", "兄姐"
        RELATIVE = "relative", "其他亲属"
        ENTRUSTED = "entrusted", "委托照护人"
        INSTITUTION = "institution", "儿童福利机构"
        OTHER = "other", "其他"

    child = models.ForeignKey(ChildFile, on_delete=models.PROTECT, related_name="guardians")
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_comment="监护人（户籍人员）",
    )
    name = models.CharField(max_length=64, blank=True, db_comment="监护人姓名（未登记户籍时）")
    id_number = models.CharField(max_length=18, blank=True, db_comment="监护人身份号码（未登记户籍时）")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    relation = models.CharField(max_length=16, choices=Relation.choices, db_comment="与儿童关系")
    since = models.DateField(db_comment="监护起始日期")
    until = models.DateField(null=True, blank=True, db_comment="监护终止日期")
    is_primary = models.BooleanField(default=True, db_comment="主要监护人")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "儿童监护人"

    def __str__(self) -> str:
        return f"{self.get_relation_display()} {self.display_name()}"

    def display_name(self) -> str:
        return self.person.name if self.person_id else self.name


class Situation(models.TextChoices):
    DEAD = "dead", "死亡"
    MISSING = "missing", "宣告失踪"
    SEVERE_DISABILITY = "severe_disability", "重残"
    SEVERE_ILLNESS = "severe_illness", "重病"
    IMPRISONED = "imprisoned", "服刑在押"
    COMPULSORY_REHAB = "compulsory_rehab", "强制隔离戒毒"
    LOST_CONTACT = "lost_contact", "失联"
    DEPORTED = "deported", "被遣送（驱逐）出境"
    AWAY_WORKING = "away_working", "外出务工"
    PRESENT = "present", "在家履行抚养义务"


class Source(models.TextChoices):
    FEED = "feed", "部门数据"
    DOCUMENT = "document", "证明材料"
    VISIT = "visit", "走访核实"


class ParentSituation(models.Model):
    class Parent(models.TextChoices):
        FATHER = "father", "父亲"
        MOTHER = "mother", "母亲"

    child = models.ForeignKey(ChildFile, on_delete=models.PROTECT, related_name="situations")
    parent = models.CharField(max_length=8, choices=Parent.choices, db_comment="父/母")
    parent_person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_comment="父/母（户籍人员）",
    )
    situation = models.CharField(max_length=24, choices=Situation.choices, db_comment="情形")
    evidence = models.CharField(max_length=300, blank=True, db_comment="证据（文书、部门数据名称与日期）")
    source = models.CharField(max_length=12, choices=Source.choices, db_comment="来源")
    feed_key = models.CharField(max_length=80, blank=True, db_comment="部门数据标识（去重用）")
    since = models.DateField(db_comment="起始日期（死亡、失联、入狱等之日）")
    until = models.DateField(null=True, blank=True, db_comment="终止日期（刑满释放、找到等）；空 = 仍然")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "儿童父母情形（历史）"
        indexes = [models.Index(fields=["child", "parent", "since"])]

    def __str__(self) -> str:
        return f"{self.get_parent_display()}：{self.get_situation_display()}（{self.since} 起）"


class ChildCategory(models.Model):
    """The rules engine's latest result for one child (recomputed on change and daily)."""

    child = models.OneToOneField(ChildFile, on_delete=models.CASCADE, related_name="category")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="区划代码（冗余）")
    categories = models.JSONField(default=list, db_comment="符合的类别 id 列表")
    pending = models.JSONField(default=list, db_comment="待核对的类别 id 列表")
    explanation = models.JSONField(default=list, db_comment="每个类别的中文说明")
    as_of = models.DateField(db_comment="判定日期")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "儿童类别（规则判定结果）"

    def __str__(self) -> str:
        return f"{self.child_id}: {','.join(self.categories)}"
