"""社会组织: the register, its procedures (登记 / 变更 / 注销), 年报, 双随机 inspections, ratings and 打非 leads.

An organisation and each procedure about it run on the workflow kernel (machines/*.yaml): the
organisation's own life (申请中 → 已登记 → 活动异常 → 已注销 / 撤销登记) and each filing (受理 → 准予 /
不予). 公益创投 lives in models_venture.py. Money is integer fen; the address is on the grid (a
12-digit village/community code), which is also the jurisdiction every query is scoped by.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Kind(models.TextChoices):
    # The three legal forms (research/reference-governance-maps.md §3): 国务院令第250号 / 第251号 / 第400号.
    SOCIAL_GROUP = "social_group", "社会团体"
    SERVICE = "service", "社会服务机构（民办非企业单位）"
    FOUNDATION = "foundation", "基金会"


# GB 32100-2015 position 2 for organisations registered by 民政 (position 1 = "5").
KIND_DIGIT = {Kind.SOCIAL_GROUP: "1", Kind.SERVICE: "2", Kind.FOUNDATION: "3"}


class Organisation(models.Model):
    kind = models.CharField(max_length=16, choices=Kind.choices, db_comment="组织类型")
    name = models.CharField(max_length=100, db_comment="名称")
    credit_code = models.CharField(max_length=18, blank=True, db_comment="统一社会信用代码（准予登记时赋码）")
    supervisor = models.CharField(max_length=100, blank=True, db_comment="业务主管单位（直接登记的为空）")
    legal_rep = models.CharField(max_length=64, db_comment="法定代表人")
    legal_rep_phone = models.CharField(max_length=20, blank=True, db_comment="法定代表人联系电话")
    capital_fen = models.BigIntegerField(default=0, db_comment="注册资金（分）")
    address = models.CharField(max_length=200, db_comment="住所")
    division_code = models.CharField(max_length=12, db_index=True, db_comment="住所所在村（社区）区划代码")
    scope = models.TextField(blank=True, db_comment="业务范围")
    registered_on = models.DateField(null=True, blank=True, db_comment="登记日期")
    status = models.CharField(max_length=16, default="applying", db_comment="状态（machines/organisation.yaml）")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "社会组织登记信息"
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"], condition=~models.Q(credit_code=""), name="socialorgs_one_code"
            ),
        ]
        indexes = [models.Index(fields=["status", "division_code"], name="socialorgs_org_status")]

    def __str__(self) -> str:
        return self.name

    @property
    def status_label(self) -> str:
        from minzheng.socialorgs import flow

        return flow.ORG.state_label(self.status)

    @property
    def capital_yuan(self) -> str:
        return f"{self.capital_fen / 100:,.2f}"


class Filing(models.Model):
    """One procedure: 成立登记, 变更登记 (fields and their new values) or 注销登记."""

    class Type(models.TextChoices):
        REGISTER = "register", "成立登记"
        CHANGE = "change", "变更登记"
        DEREGISTER = "deregister", "注销登记"

    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="filings")
    type = models.CharField(max_length=12, choices=Type.choices, db_comment="事项")
    changes = models.JSONField(default=dict, blank=True, db_comment="变更事项：字段 → 新值")
    materials = models.JSONField(default=list, blank=True, db_comment="已收取的申请材料（data/materials.yaml 的 key）")
    reason = models.TextField(blank=True, db_comment="申请理由（注销：清算情况）")
    division_code = models.CharField(max_length=12, db_comment="区划代码（组织住所，管辖范围）")
    received_on = models.DateField(db_comment="收件日期")
    due_on = models.DateField(null=True, blank=True, db_comment="当前环节办理期限（工作日）")
    status = models.CharField(max_length=16, default="received", db_comment="状态（machines/filing.yaml）")
    decision = models.TextField(blank=True, db_comment="决定意见")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "社会组织登记事项（成立、变更、注销）"

    def __str__(self) -> str:
        return f"{self.get_type_display()}：{self.org.name}"

    @property
    def status_label(self) -> str:
        from minzheng.socialorgs import flow

        return flow.FILING.state_label(self.status)

    def changes_display(self) -> list[tuple[str, str]]:
        """变更事项 in words: (登记事项, 新值), money in 元."""
        from minzheng.socialorgs.services import CHANGEABLE

        return [
            (CHANGEABLE.get(k, k), f"{v / 100:,.2f} 元" if k == "capital_fen" else str(v))
            for k, v in self.changes.items()
        ]


class AnnualReport(models.Model):
    """年报 for one year: filled by the organisation's own account, accepted or returned by the officer."""

    class Result(models.TextChoices):
        PASS = "pass", "合格"
        BASIC = "basic", "基本合格"
        FAIL = "fail", "不合格"

    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="reports")
    year = models.PositiveSmallIntegerField(db_comment="报告年度")
    division_code = models.CharField(max_length=12, db_comment="区划代码（冗余）")
    status = models.CharField(max_length=12, default="draft", db_comment="状态（machines/annual_report.yaml）")
    staff = models.PositiveIntegerField(null=True, blank=True, db_comment="专职工作人员（人）")
    members = models.PositiveIntegerField(null=True, blank=True, db_comment="会员或志愿者（人）")
    activities = models.PositiveIntegerField(null=True, blank=True, db_comment="全年开展活动（次）")
    beneficiaries = models.PositiveIntegerField(null=True, blank=True, db_comment="服务对象（人次）")
    villages_served = models.PositiveIntegerField(null=True, blank=True, db_comment="服务覆盖村（社区）数")
    income_fen = models.BigIntegerField(null=True, blank=True, db_comment="本年收入（分）")
    expense_fen = models.BigIntegerField(null=True, blank=True, db_comment="本年支出（分）")
    net_assets_fen = models.BigIntegerField(null=True, blank=True, db_comment="年末净资产（分）")
    party_org = models.BooleanField(null=True, db_comment="是否建立党组织")
    disclosed = models.BooleanField(null=True, db_comment="是否按章程公开年度信息")
    summary = models.TextField(blank=True, db_comment="业务活动情况")
    submitted_on = models.DateField(null=True, blank=True, db_comment="报送日期")
    result = models.CharField(max_length=8, choices=Result.choices, blank=True, db_comment="审查结论")
    opinion = models.TextField(blank=True, db_comment="审查意见")

    class Meta:
        db_table_comment = "社会组织年度报告"
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="socialorgs_one_report")]

    def __str__(self) -> str:
        return f"{self.org.name} {self.year} 年报"

    @property
    def status_label(self) -> str:
        from minzheng.socialorgs import flow

        return flow.REPORT.state_label(self.status)


class Inspector(models.Model):
    """执法检查人员名录库: the officers who may be drawn; `avoid` lists credit codes they must not inspect."""

    name = models.CharField(max_length=64, db_comment="姓名")
    unit = models.CharField(max_length=100, db_comment="所在单位")
    certificate = models.CharField(max_length=32, db_comment="执法证号")
    division_code = models.CharField(max_length=12, db_comment="所属登记管理机关区划")
    active = models.BooleanField(default=True, db_comment="在库")
    avoid = models.JSONField(default=list, blank=True, db_comment="须回避的组织（统一社会信用代码）")

    class Meta:
        db_table_comment = "执法检查人员名录库"

    def __str__(self) -> str:
        return f"{self.name}（{self.certificate}）"


class DrawBatch(models.Model):
    """One 双随机 batch: the pool, the seed and what was drawn, all saved before the result is shown."""

    name = models.CharField(max_length=100, db_comment="批次名称")
    year = models.PositiveSmallIntegerField(db_comment="年度")
    division_code = models.CharField(max_length=12, db_comment="登记管理机关区划（抽查范围）")
    ratio_permille = models.PositiveIntegerField(db_comment="抽查比例（千分比）")
    inspectors_per_org = models.PositiveSmallIntegerField(default=2, db_comment="每家检查人员数")
    seed = models.CharField(max_length=64, blank=True, db_comment="随机种子（十六进制）")
    algorithm = models.CharField(max_length=60, blank=True, db_comment="抽取算法及版本")
    pool_orgs = models.JSONField(default=list, blank=True, db_comment="检查对象名录快照")
    pool_inspectors = models.JSONField(default=list, blank=True, db_comment="检查人员名录快照")
    drawn = models.JSONField(default=list, blank=True, db_comment="抽取结果：组织及其检查人员")
    drawn_at = models.DateTimeField(null=True, blank=True, db_comment="抽取时间")
    drawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "双随机抽查批次"
        constraints = [models.UniqueConstraint(fields=["division_code", "name"], name="socialorgs_one_batch")]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    class Result(models.TextChoices):
        NONE = "", "未检查"
        PASS = "pass", "未发现问题"
        RECTIFY = "rectify", "发现问题，责令整改"
        REFER = "refer", "发现违法线索，移交查处"

    batch = models.ForeignKey(DrawBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="inspections")
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="inspections")
    division_code = models.CharField(max_length=12, db_comment="区划代码（冗余）")
    inspectors = models.JSONField(default=list, db_comment="检查人员（姓名、执法证号）")
    method = models.CharField(max_length=8, blank=True, db_comment="方式：书面检查 paper / 实地检查 site")
    inspected_on = models.DateField(null=True, blank=True, db_comment="检查日期")
    result = models.CharField(max_length=8, choices=Result.choices, blank=True, default="", db_comment="检查结果")
    published_on = models.DateField(null=True, blank=True, db_comment="结果公开日期")
    note = models.TextField(blank=True, db_comment="检查记录")

    class Meta:
        db_table_comment = "社会组织检查记录"

    def __str__(self) -> str:
        return f"{self.org.name} 检查"


class Finding(models.Model):
    AREAS = {
        "report": "年度报告",
        "disclosure": "信息公开",
        "governance": "内部治理",
        "finance": "财务状况",
        "activity": "业务活动",
    }  # 《社会组织抽查暂行办法》（民发〔2017〕45号）第七条 抽查内容

    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="findings")
    area = models.CharField(max_length=12, db_comment="问题类别")
    text = models.TextField(db_comment="问题描述")
    rectify_due = models.DateField(db_comment="整改期限（工作日计）")
    rectified_on = models.DateField(null=True, blank=True, db_comment="整改完成日期")

    class Meta:
        db_table_comment = "检查发现的问题"

    def __str__(self) -> str:
        return f"{self.area_label}：{self.text[:30]}"

    @property
    def area_label(self) -> str:
        return self.AREAS.get(self.area, self.area)


class Rating(models.Model):
    """等级评估: grade with its score out of 1000, valid five years (民政部令第39号 第二十六条)."""

    GRADES = ("5A", "4A", "3A", "2A", "1A")
    org = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="ratings")
    division_code = models.CharField(max_length=12, db_comment="区划代码（冗余）")
    grade = models.CharField(max_length=2, db_comment="等级")
    score = models.PositiveSmallIntegerField(db_comment="评估得分（满分 1000）")
    rated_on = models.DateField(db_comment="评定日期")
    expires_on = models.DateField(db_comment="有效期至")
    revoked_on = models.DateField(null=True, blank=True, db_comment="降级或取消日期")
    note = models.CharField(max_length=300, blank=True, db_comment="评估机构、文号")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "社会组织评估等级"
        ordering = ["-rated_on", "-id"]

    def __str__(self) -> str:
        return f"{self.org.name} {self.grade}"


class Lead(models.Model):
    """打非: a lead about an unregistered body acting as a 社会组织, to its handling (民政部令第21号)."""

    name = models.CharField(max_length=100, db_comment="涉嫌非法社会组织名称")
    source = models.CharField(max_length=100, db_comment="线索来源（举报、巡查、部门移送）")
    description = models.TextField(db_comment="线索内容")
    division_code = models.CharField(max_length=12, db_comment="活动地村（社区）区划代码")
    reported_on = models.DateField(db_comment="收到日期")
    due_on = models.DateField(null=True, blank=True, db_comment="当前环节办理期限（工作日）")
    status = models.CharField(max_length=16, default="received", db_comment="状态（machines/lead.yaml）")
    finding = models.TextField(blank=True, db_comment="核查情况")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "打击整治非法社会组织线索"

    def __str__(self) -> str:
        return self.name

    @property
    def status_label(self) -> str:
        from minzheng.socialorgs import flow

        return flow.LEAD.state_label(self.status)


# 公益创投's models live beside these; importing them here registers them with the app.
from minzheng.socialorgs import models_venture  # noqa: E402, F401
