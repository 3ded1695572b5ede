"""儿童主任's visits: a plan per child (how often, next due) and the visits themselves.

The plan is derived from the child's categories (children.ChildCategory, decided by the rules
engine) and the frequency parameters (data/params.yaml); it is stored so the phone list and the
overdue 待办 are one indexed query. Visit photos are documents.Attachment rows (owner_type
"child_visit"), kept for ever like the child file.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class VisitPlan(models.Model):
    child = models.OneToOneField("children.ChildFile", on_delete=models.PROTECT, related_name="visit_plan")
    division_code = models.CharField(max_length=12, db_comment="儿童所在村（社区）区划代码（冗余，用于管辖范围）")
    category = models.CharField(max_length=32, db_comment="决定走访频次的类别 id（频次最高者）")
    interval_months = models.PositiveSmallIntegerField(db_comment="走访间隔（月）")
    next_due_on = models.DateField(db_comment="下次走访截止日期")
    last_visited_on = models.DateField(null=True, blank=True, db_comment="最近一次走访日期")
    active = models.BooleanField(default=True, db_comment="在册（类别不再需要走访时停用，不删除）")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table_comment = "儿童走访计划"
        indexes = [models.Index(fields=["division_code", "active", "next_due_on"], name="childvisit_plan_due")]

    def __str__(self) -> str:
        return f"{self.child_id} 每 {self.interval_months} 月，下次 {self.next_due_on}"


class ChildVisit(models.Model):
    class Observed(models.TextChoices):
        STABLE = "stable", "生活稳定，监护到位"
        CONCERN = "concern", "需关注（监护不力、生活困难等）"
        URGENT = "urgent", "需立即帮扶或报告（安全风险）"
        ABSENT = "absent", "未见到儿童"

    child = models.ForeignKey("children.ChildFile", on_delete=models.PROTECT, related_name="visits")
    division_code = models.CharField(max_length=12, db_comment="区划代码（冗余，用于管辖范围）")
    visited_on = models.DateField(db_comment="走访日期（手机时间）")
    client_at = models.DateTimeField(null=True, blank=True, db_comment="手机记录时间（离线时先记后传）")
    recorded_at = models.DateTimeField(default=timezone.now, db_comment="服务器收到时间")
    visitor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    observed = models.CharField(max_length=12, choices=Observed.choices, db_comment="儿童状况")
    findings = models.TextField(db_comment="走访情况")
    parent_change = models.CharField(max_length=300, blank=True, db_comment="发现的父母情况变化（已转儿童档案）")
    categories = models.JSONField(default=list, db_comment="走访时的类别")

    class Meta:
        db_table_comment = "儿童走访记录（永久保存）"
        indexes = [models.Index(fields=["child", "visited_on"], name="childvisit_child_day")]

    def __str__(self) -> str:
        return f"{self.child_id} {self.visited_on}"
