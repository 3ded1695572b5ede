from __future__ import annotations

from django.conf import settings
from django.db import models


class Relation(models.TextChoices):
    """与户主关系, with GB/T 4761-2008 家庭关系代码 as the stored value."""

    HEAD = "02", "户主"
    SPOUSE = "10", "配偶"
    SON = "20", "子"
    DAUGHTER = "30", "女"
    GRANDCHILD = "40", "孙子女"
    FATHER = "51", "父亲"
    MOTHER = "52", "母亲"
    SIBLING = "70", "兄弟姐妹"
    DAUGHTER_IN_LAW = "38", "儿媳"
    SON_IN_LAW = "28", "女婿"
    OTHER = "80", "其他"


class Household(models.Model):
    """户: keyed by the importing office's 户编号, located on the 7-level grid."""

    household_no = models.CharField(max_length=40, unique=True, db_comment="户编号")
    division = models.ForeignKey(
        "divisions.Division",
        on_delete=models.PROTECT,
        related_name="households",
        db_comment="现住址区划代码（村/社区）",
    )
    grid = models.CharField(max_length=40, blank=True, db_comment="网格")
    building = models.CharField(max_length=40, blank=True, db_comment="楼栋")
    unit = models.CharField(max_length=20, blank=True, db_comment="单元")
    room = models.CharField(max_length=20, blank=True, db_comment="房间")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table_comment = "户"

    def __str__(self) -> str:
        return self.household_no

    @property
    def grid_address(self) -> str:
        parts = [self.grid, _labelled(self.building, "幢"), _labelled(self.unit, "单元"), _labelled(self.room, "室")]
        return " ".join(p for p in parts if p)


# Offices type "5幢", "2单元", "301室" as often as the bare numbers: never label twice ("5幢幢").
_LABELS = {"幢": ("幢", "栋", "楼", "座"), "单元": ("单元",), "室": ("室", "号", "房")}


def _labelled(value: str, label: str) -> str:
    value = value.strip()
    if not value or value.endswith(_LABELS[label]):
        return value
    return value + label


class Person(models.Model):
    """A resident. Sex and birth date are derived from the identity number."""

    class Sex(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"

    id_number = models.CharField(max_length=18, unique=True, db_comment="公民身份号码（18 位）")
    # Indexed through Meta's (name, id): the search's ORDER BY name, id LIMIT 50 then reads 50 rows.
    name = models.CharField(max_length=64, db_comment="姓名")
    sex = models.CharField(max_length=1, choices=Sex.choices, db_comment="性别（由身份号码推出）")
    birth_date = models.DateField(db_comment="出生日期（由身份号码推出）")
    phone = models.CharField(max_length=20, blank=True, db_index=True, db_comment="联系电话")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members", db_comment="所属户")
    relation = models.CharField(max_length=2, choices=Relation.choices, db_comment="与户主关系")
    # Copied from the household so jurisdiction scoping is one indexed range scan
    # on the person table (search p95 at a million rows); kept in step by services.
    # Indexed through Meta's (division_code, name); a separate index would only slow imports.
    division_code = models.CharField(max_length=12, db_comment="现住址区划代码（冗余）")
    tags_text = models.CharField(max_length=200, blank=True, db_comment="人员标签（规范化文本）")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table_comment = "居民"
        indexes = [
            models.Index(fields=["division_code", "name"]),
            # A 2-character name prefix matches ~1,400 of a million persons: with `name` alone the
            # planner fetched and joined every match to sort them by (name, id) before the limit
            # (19 ms on PostgreSQL); in (name, id) order the scan stops at the page (1 ms).
            models.Index(fields=["name", "id"], name="person_name_id"),
        ]

    def __str__(self) -> str:
        return self.name


class PersonTag(models.Model):
    """Typed tag: 残疾 (category + grade), 失能 level, 留守儿童, 独居老人, ..."""

    class Kind(models.TextChoices):
        DISABILITY = "disability", "残疾"
        INCAPACITY = "incapacity", "失能"
        LEFT_BEHIND_CHILD = "left_behind_child", "留守儿童"
        LIVING_ALONE_ELDER = "living_alone_elder", "独居老人"
        EMPTY_NEST_ELDER = "empty_nest_elder", "空巢老人"
        DIBAO = "dibao", "低保对象"
        DIBAO_EDGE = "dibao_edge", "低保边缘"
        TEKUN = "tekun", "特困人员"
        ORPHAN = "orphan", "孤儿"
        UNSUPPORTED_CHILD = "unsupported_child", "事实无人抚养儿童"
        DISTRESSED_CHILD = "distressed_child", "困境儿童"
        RIGID_EXPENSE = "rigid_expense", "刚性支出困难"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="tags")
    kind = models.CharField(max_length=32, choices=Kind.choices, db_comment="标签类型")
    category = models.CharField(max_length=16, blank=True, db_comment="类别，如 肢体")
    grade = models.CharField(max_length=16, blank=True, db_comment="等级，如 二级、中度")

    class Meta:
        db_table_comment = "人员标签"
        constraints = [
            models.UniqueConstraint(fields=["person", "kind"], name="one_tag_kind_per_person"),
        ]
        indexes = [models.Index(fields=["kind", "person"])]

    def __str__(self) -> str:
        return self.get_kind_display() + (f":{self.category}{self.grade}" if self.category or self.grade else "")


class ChangeRecord(models.Model):
    """History of a person or household: who changed which field, old → new."""

    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.CASCADE, related_name="changes")
    field = models.CharField(max_length=32, db_comment="字段（中文名）")
    old_value = models.CharField(max_length=200, blank=True, db_comment="原值")
    new_value = models.CharField(max_length=200, blank=True, db_comment="新值")
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True, db_comment="时间")
    source = models.CharField(max_length=64, blank=True, db_comment="来源，如 导入 文件名")

    class Meta:
        db_table_comment = "居民与户的变更记录"
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"
