"""Community building: 幸福社区 star ratings by criteria (criteria as data: data/happy_community.yaml),
村(居)务公开 items, and the 无证明村 list of certificates the village no longer issues and what replaces them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class StarRating(models.Model):
    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    year = models.PositiveSmallIntegerField(db_comment="评定年度")
    scores = models.JSONField(db_comment="各项得分 {指标代码: 分}")
    total = models.PositiveIntegerField(db_comment="总分")
    stars = models.PositiveSmallIntegerField(db_comment="星级（0 为未达星级）")
    rated_on = models.DateField(db_comment="评定日期")
    note = models.CharField(max_length=300, blank=True, db_comment="评定意见")
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "幸福社区星级评定"
        constraints = [models.UniqueConstraint(fields=["division_code", "year"], name="gov_rating_once_a_year")]

    def __str__(self) -> str:
        return f"{self.year} 年 {self.stars} 星"


class PublicItem(models.Model):
    class Category(models.TextChoices):
        PARTY = "party", "党务公开"
        VILLAGE = "village", "村（居）务公开"
        FINANCE = "finance", "财务公开"
        SERVICE = "service", "服务公开"

    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    category = models.CharField(max_length=8, choices=Category.choices, db_comment="类别")
    title = models.CharField(max_length=120, db_comment="标题")
    body = models.TextField(db_comment="公开内容")
    amount_fen = models.BigIntegerField(null=True, blank=True, db_comment="涉及金额（分）")
    published_on = models.DateField(db_comment="公开日期")
    until = models.DateField(null=True, blank=True, db_comment="公开截止")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "村（居）务公开事项"
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class NoProofItem(models.Model):
    """无证明村: one certificate the village (or, for a town- or county-wide list, the town/county) stopped issuing."""

    class Replacement(models.TextChoices):
        DATA = "data", "数据共享核验"
        PLEDGE = "pledge", "告知承诺"
        DEPARTMENT = "department", "部门核查"
        CANCELLED = "cancelled", "直接取消"

    division_code = models.CharField(max_length=12, db_comment="区划代码（村、乡镇或县）")
    certificate = models.CharField(max_length=100, db_comment="不再出具的证明")
    replacement = models.CharField(max_length=12, choices=Replacement.choices, db_comment="替代方式")
    replaced_by = models.CharField(max_length=200, blank=True, db_comment="替代说明（由哪个部门、哪项数据核验）")
    basis = models.CharField(max_length=200, blank=True, db_comment="依据（清理证明事项的文件）")
    since = models.DateField(db_comment="停止出具日期")

    class Meta:
        db_table_comment = "无证明村：不再出具的证明事项"
        constraints = [models.UniqueConstraint(fields=["division_code", "certificate"], name="gov_noproof_once")]

    def __str__(self) -> str:
        return self.certificate
