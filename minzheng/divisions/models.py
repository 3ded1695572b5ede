from __future__ import annotations

from django.db import models


class Division(models.Model):
    """One row of the 统计用区划代码 tree, province down to village/community."""

    code = models.CharField(primary_key=True, max_length=12, db_comment="12 位统计用区划代码")
    name = models.CharField(max_length=64, db_comment="名称")
    level = models.PositiveSmallIntegerField(db_comment="1 省 2 市 3 县 4 乡镇 5 村社区")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        db_constraint=False,  # imports may bring children before parents
    )

    class Meta:
        db_table_comment = "行政区划（统计用区划代码）"
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"
