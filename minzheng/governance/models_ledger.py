"""阳光报告会 (seed 004 §德州平原县 "三务三资"): the meeting (一述、两问、三评、四定) and its question ledger.

A question runs on machines/question.yaml. Its deadline is set per question in working days when it is
assigned (`due_on`, counted by the holiday table) and a reopened question gets a new one. The asker's name
and phone are kept for the confirmation call only: the public board shows neither.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Meeting(models.Model):
    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    held_on = models.DateField(db_comment="召开日期")
    place = models.CharField(max_length=100, db_comment="地点")
    reporter = models.CharField(max_length=64, db_comment="述职人（村委会主任）")
    attendance = models.PositiveIntegerField(db_comment="参会村（居）民人数")
    officials = models.CharField(max_length=200, blank=True, db_comment="到会的县乡专员、纪检、财政人员")
    report = models.TextField(db_comment="一述：报告内容（三务三资）")
    evaluation = models.TextField(blank=True, db_comment="三评：对村委会主任、两委成员、党员的评价")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "阳光报告会"
        indexes = [models.Index(fields=["division_code", "held_on"], name="gov_meeting_div")]

    def __str__(self) -> str:
        return f"{self.held_on} 阳光报告会"


class Question(models.Model):
    class Category(models.TextChoices):
        PARTY = "party", "党务"
        FINANCE = "finance", "财务"
        VILLAGE = "village", "村务"
        FUNDS = "funds", "资金"
        ASSETS = "assets", "资产"
        RESOURCES = "resources", "资源"
        OTHER = "other", "其他诉求"

    class AssigneeKind(models.TextChoices):
        DEPARTMENT = "department", "部门"
        PERSON = "person", "责任人"

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="questions")
    number = models.CharField(max_length=40, unique=True, db_comment="台账编号")
    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    category = models.CharField(max_length=10, choices=Category.choices, db_comment="类别（三务三资）")
    text = models.TextField(db_comment="质询内容")
    asker_name = models.CharField(max_length=64, blank=True, db_comment="提问人（确认销号用，不公开）")
    asker_phone = models.CharField(max_length=20, blank=True, db_comment="提问人电话（不公开）")
    status = models.CharField(max_length=12, default="recorded", db_comment="流程状态（见 machines/question.yaml）")
    assignee_kind = models.CharField(max_length=12, choices=AssigneeKind.choices, blank=True, db_comment="承办类型")
    assignee = models.CharField(max_length=100, blank=True, db_comment="承办部门或责任人")
    assigned_on = models.DateField(null=True, blank=True, db_comment="交办日期")
    deadline_days = models.PositiveSmallIntegerField(null=True, blank=True, db_comment="办理时限（工作日）")
    due_on = models.DateField(null=True, blank=True, db_comment="办理期限（按工作日计算）")
    answer = models.TextField(blank=True, db_comment="答复内容")
    answered_on = models.DateField(null=True, blank=True, db_comment="答复日期")
    on_the_spot = models.BooleanField(default=False, db_comment="当场答复")
    reopened = models.PositiveSmallIntegerField(default=0, db_comment="重新交办次数")
    confirmed_on = models.DateField(null=True, blank=True, db_comment="提问人确认日期")
    confirmation = models.CharField(max_length=200, blank=True, db_comment="确认方式与评价")
    public = models.BooleanField(default=True, db_comment="在公开栏公布")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "阳光报告会问题台账"
        indexes = [models.Index(fields=["division_code", "status"], name="gov_question_div")]

    def __str__(self) -> str:
        return self.number
