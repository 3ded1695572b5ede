"""议事协商: a topic (议题) through the seven steps on machines/topic.yaml, its opinions (汇), the meeting's
participants and their votes (议), and the archive reference (档). Per village (community) or, for 跨村议事,
per town: `division_code` is the 12-digit code of either."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Topic(models.Model):
    class Channel(models.TextChoices):
        RESIDENT = "resident", "村（居）民提议"
        COMMITTEE = "committee", "两委提议"
        GRID = "grid", "网格收集"
        DEPARTMENT = "department", "部门交办"

    class Kind(models.TextChoices):
        COMMON = "common", "共性议题（十必议）"
        OWN = "own", "个性议题"

    number = models.CharField(max_length=40, unique=True, db_comment="议题编号")
    division_code = models.CharField(max_length=12, db_comment="村（社区）或乡镇区划代码")
    title = models.CharField(max_length=120, db_comment="议题")
    description = models.TextField(db_comment="议题内容")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.OWN, db_comment="议题类型")
    channel = models.CharField(max_length=12, choices=Channel.choices, db_comment="提出渠道")
    proposer = models.CharField(max_length=64, db_comment="提出人或提出单位")
    proposed_on = models.DateField(db_comment="提出日期")
    status = models.CharField(max_length=16, default="proposed", db_comment="流程状态（见 machines/topic.yaml）")
    stage_due = models.DateField(null=True, blank=True, db_comment="本环节期限")
    review_opinion = models.TextField(blank=True, db_comment="审查意见（合法性、可行性）")
    consensus = models.TextField(blank=True, db_comment="汇聚共识摘要")
    meeting_on = models.DateField(null=True, blank=True, db_comment="会议日期")
    meeting_place = models.CharField(max_length=100, blank=True, db_comment="会议地点")
    minutes = models.TextField(blank=True, db_comment="会议纪要")
    result = models.TextField(blank=True, db_comment="议定事项（公示的结果）")
    responsible = models.CharField(max_length=64, blank=True, db_comment="落实责任人")
    implement_due = models.DateField(null=True, blank=True, db_comment="落实期限")
    progress = models.TextField(blank=True, db_comment="落实情况")
    publicity_place = models.CharField(max_length=100, blank=True, db_comment="公示地点")
    publicity_from = models.DateField(null=True, blank=True, db_comment="公示开始")
    publicity_to = models.DateField(null=True, blank=True, db_comment="公示结束")
    objections = models.TextField(blank=True, db_comment="公示期间异议及处理")
    archive_ref = models.CharField(max_length=60, blank=True, db_comment="归档号")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "议事协商议题"
        indexes = [models.Index(fields=["division_code", "status"], name="gov_topic_div")]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Opinion(models.Model):
    """汇聚共识: one opinion gathered (入户走访, 座谈, 网格, 线上)."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="opinions")
    source = models.CharField(max_length=64, db_comment="来源（走访、座谈会、网格员、线上征集）")
    text = models.TextField(db_comment="意见内容")
    on = models.DateField(db_comment="收集日期")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "议题意见征集"

    def __str__(self) -> str:
        return f"{self.source}：{self.text[:20]}"


class Participant(models.Model):
    """One member at the meeting (泰安 "7+X": seven fixed kinds of member plus those invited) and their vote."""

    class Kind(models.TextChoices):
        COMMITTEE = "committee", "村（居）两委成员"
        SUPERVISION = "supervision", "监督委员会成员"
        PARTY = "party", "党员代表"
        RESIDENT = "resident", "居民代表"
        DEPUTY = "deputy", "两代表一委员"
        CADRE = "cadre", "包村（居）干部"
        LAWYER = "lawyer", "法律顾问"
        STAKEHOLDER = "stakeholder", "利益相关方（X）"
        DEPARTMENT = "department", "职能部门（X）"

    class Vote(models.TextChoices):
        FOR = "for", "赞成"
        AGAINST = "against", "反对"
        ABSTAIN = "abstain", "弃权"
        NONE = "", "不表决"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(max_length=64, db_comment="姓名")
    kind = models.CharField(max_length=12, choices=Kind.choices, db_comment="身份")
    vote = models.CharField(max_length=8, choices=Vote.choices, blank=True, db_comment="表决")

    class Meta:
        db_table_comment = "议事协商会议参会人员及表决"

    def __str__(self) -> str:
        return f"{self.name}（{self.get_kind_display()}）"
