"""The dashboard's stored figures and its map layers.

`Aggregate` holds every registered figure (core.figures) rolled up to every division prefix, so a
page reads a handful of indexed rows whatever the county's size. `Refresh` records each run of the
scheduled job (its time is shown on every page). `Boundary` and `DivisionPoint` are the offline
map: polygons an administrator imports (with their provenance and licence) and one point per
division (imported, or estimated from the located elders and caregivers inside it).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Aggregate(models.Model):
    figure = models.CharField(max_length=64, db_comment="指标（core.figures 的 key）")
    division = models.CharField(max_length=12, db_comment="区划代码前缀（2/4/6/9/12 位）")
    bucket = models.CharField(max_length=32, blank=True, db_comment="分组（空：合计）")
    value = models.BigIntegerField(db_comment="数值（人、件、分、分钟或工作日，见指标单位）")

    class Meta:
        db_table_comment = "民政大脑指标汇总"
        constraints = [models.UniqueConstraint(fields=["figure", "division", "bucket"], name="one_aggregate_per_cell")]
        # A page reads one division (and its children) across every figure.
        indexes = [models.Index(fields=["division", "figure"], name="aggregate_division_idx")]

    def __str__(self) -> str:
        return f"{self.figure} {self.division} {self.bucket}={self.value}"


class Refresh(models.Model):
    started_at = models.DateTimeField(default=timezone.now, db_comment="开始时间")
    finished_at = models.DateTimeField(null=True, blank=True, db_comment="完成时间")
    as_of = models.DateField(db_comment="统计日期")
    figures = models.PositiveIntegerField(default=0, db_comment="指标数")
    rows = models.PositiveIntegerField(default=0, db_comment="汇总行数")
    failed = models.JSONField(default=list, blank=True, db_comment="计算失败的指标及原因")

    class Meta:
        db_table_comment = "民政大脑刷新记录"
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"刷新 {self.started_at:%Y-%m-%d %H:%M}"


class Boundary(models.Model):
    """One division's polygon from an imported boundary set; never mixed CRS within one installation."""

    code = models.CharField(primary_key=True, max_length=12, db_comment="区划代码前缀（6 县 / 9 乡镇 / 12 村）")
    name = models.CharField(max_length=64, db_comment="名称")
    geometry = models.JSONField(db_comment="GeoJSON geometry（Polygon / MultiPolygon）")
    source = models.CharField(max_length=200, db_comment="数据来源")
    edition_year = models.PositiveSmallIntegerField(null=True, blank=True, db_comment="版本年份")
    crs = models.CharField(max_length=16, db_comment="坐标系：CGCS2000 / WGS-84 / GCJ-02")
    licence = models.CharField(max_length=200, db_comment="许可")
    review_no = models.CharField(max_length=64, blank=True, db_comment="审图号（无则为示意图）")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "行政区域界线（导入）"

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class DivisionPoint(models.Model):
    """Where to draw a division that has no polygon: its seat (imported) or an estimate."""

    class Basis(models.TextChoices):
        IMPORTED = "imported", "导入（驻地坐标）"
        ESTIMATED = "estimated", "估算（辖区内已定位老人、护理员的中心，示意）"

    code = models.CharField(primary_key=True, max_length=12, db_comment="区划代码前缀")
    lat = models.FloatField(db_comment="纬度")
    lng = models.FloatField(db_comment="经度")
    basis = models.CharField(max_length=16, choices=Basis.choices, db_comment="来源")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table_comment = "区划中心点"

    def __str__(self) -> str:
        return f"{self.code} ({self.lat:.4f}, {self.lng:.4f})"
