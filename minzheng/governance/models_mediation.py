"""人民调解 (《人民调解法》2010; seed 004 §青岛, seed 002 绍兴): committees (村居, 乡镇, 行业性, 社会组织设立的),
their mediators, and cases on machines/mediation.yaml with parties, the agreement (第二十九条: the parties,
the facts, the terms, how and by when they are performed) and follow-ups of its performance (第三十一条).
This is 司法行政's domain; 民政 records the committees it helps set up (seed 004 青岛: 社会组织人民调解委员会)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Committee(models.Model):
    class Kind(models.TextChoices):
        VILLAGE = "village", "村（居）民委员会人民调解委员会"
        TOWN = "town", "乡镇（街道）人民调解委员会"
        TRADE = "trade", "行业性、专业性人民调解委员会"
        SOCIALORG = "socialorg", "社会组织人民调解委员会"

    division_code = models.CharField(max_length=12, db_comment="所在村（社区）或乡镇区划代码")
    name = models.CharField(max_length=100, db_comment="名称")
    kind = models.CharField(max_length=10, choices=Kind.choices, db_comment="类型")
    org_credit_code = models.CharField(max_length=18, blank=True, db_comment="设立的社会组织统一社会信用代码")
    established_on = models.DateField(db_comment="成立日期")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话（单位）")

    class Meta:
        db_table_comment = "人民调解委员会"

    def __str__(self) -> str:
        return self.name


class Mediator(models.Model):
    class Title(models.TextChoices):
        DIRECTOR = "director", "主任"
        DEPUTY = "deputy", "副主任"
        MEMBER = "member", "委员"
        MEDIATOR = "mediator", "人民调解员"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="mediators")
    name = models.CharField(max_length=64, db_comment="姓名")
    title = models.CharField(max_length=10, choices=Title.choices, db_comment="职务")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    active = models.BooleanField(default=True, db_comment="在任")

    class Meta:
        db_table_comment = "人民调解员"

    def __str__(self) -> str:
        return f"{self.name}（{self.get_title_display()}）"


class MediationCase(models.Model):
    class Type(models.TextChoices):
        NEIGHBOUR = "neighbour", "邻里纠纷"
        FAMILY = "family", "婚姻家庭纠纷"
        CONTRACT = "contract", "合同纠纷"
        LABOUR = "labour", "劳动关系纠纷"
        ECONOMIC = "economic", "经济纠纷"
        MEMBER = "member", "会员单位矛盾"
        LAND = "land", "土地承包、宅基地纠纷"
        PROPERTY = "property", "物业纠纷"
        OTHER = "other", "其他纠纷"

    committee = models.ForeignKey(Committee, on_delete=models.PROTECT, related_name="cases")
    number = models.CharField(max_length=40, unique=True, db_comment="案件编号")
    division_code = models.CharField(max_length=12, db_comment="纠纷发生地区划代码")
    type = models.CharField(max_length=10, choices=Type.choices, db_comment="纠纷类型")
    facts = models.TextField(db_comment="纠纷事实与争议")
    received_on = models.DateField(db_comment="受理日期")
    mediators = models.ManyToManyField(Mediator, related_name="cases")  # 承办调解员
    status = models.CharField(max_length=10, default="received", db_comment="流程状态（见 machines/mediation.yaml）")
    stage_due = models.DateField(null=True, blank=True, db_comment="调解期限")
    agreement = models.TextField(blank=True, db_comment="协议内容（履行方式）")
    agreed_on = models.DateField(null=True, blank=True, db_comment="协议日期")
    perform_by = models.DateField(null=True, blank=True, db_comment="履行期限")
    judicial_confirmation = models.BooleanField(default=False, db_comment="当事人申请司法确认")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "人民调解案件"
        indexes = [models.Index(fields=["division_code", "status"], name="gov_mediation_div")]

    def __str__(self) -> str:
        return self.number


class Party(models.Model):
    class Side(models.TextChoices):
        APPLICANT = "applicant", "申请人"
        RESPONDENT = "respondent", "被申请人"

    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="parties")
    side = models.CharField(max_length=10, choices=Side.choices, db_comment="当事人地位")
    name = models.CharField(max_length=100, db_comment="姓名或名称")
    id_number = models.CharField(max_length=18, blank=True, db_comment="公民身份号码或统一社会信用代码")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")

    class Meta:
        db_table_comment = "调解案件当事人"

    def __str__(self) -> str:
        return f"{self.get_side_display()} {self.name}"


class FollowUp(models.Model):
    case = models.ForeignKey(MediationCase, on_delete=models.CASCADE, related_name="followups")
    on = models.DateField(db_comment="回访日期")
    fulfilled = models.BooleanField(db_comment="协议已履行")
    note = models.CharField(max_length=300, db_comment="回访情况")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "调解协议履行回访"
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.on} {'已履行' if self.fulfilled else '未履行'}"
