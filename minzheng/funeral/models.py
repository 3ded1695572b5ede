"""殡葬: funeral homes, cemeteries and their plots, cremations (linked to the cremation feed), ashes custody,
burials by type, the two payments decided by the rules engine (惠民殡葬 basic-service subsidy, eco-burial
reward), grave clean-up campaigns and the 殡葬协理员 of each village (seed 002 湖州、金华、舟山).

Every row about a deceased person carries the division code of their registry address: the jurisdiction
the funeral officer (county) and the town/village read it under.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class BurialType(models.TextChoices):
    """安葬方式. The eco types (节地生态安葬, 民发〔2016〕21号) are the first five."""

    LAWN = "草坪葬", "草坪葬"
    TREE = "树葬", "树葬"
    FLOWER = "花坛葬", "花坛葬"
    SEA = "海葬", "海葬"
    WALL = "壁葬", "壁葬（格位存放）"
    HALL = "骨灰堂", "骨灰堂（楼）安放"
    GRAVE = "公墓", "公墓墓穴"
    OTHER = "其他", "其他"


ECO_TYPES = {BurialType.LAWN, BurialType.TREE, BurialType.FLOWER, BurialType.SEA, BurialType.WALL}
AT_SEA = {BurialType.SEA}  # no plot: the place is the sea area and the date of the scattering


class FuneralHome(models.Model):
    """殡仪馆 (public welfare: 基本殡葬服务 are its duty, 民发〔2012〕211号)."""

    code = models.CharField(max_length=20, unique=True, db_comment="殡仪馆编码")
    name = models.CharField(max_length=100, db_comment="名称")
    division_code = models.CharField(max_length=12, db_comment="所在区划代码（县或乡镇）")
    address = models.CharField(max_length=200, blank=True, db_comment="地址")
    phone = models.CharField(max_length=20, blank=True, db_comment="服务电话")
    active = models.BooleanField(default=True, db_comment="在用")

    class Meta:
        db_table_comment = "殡仪馆"

    def __str__(self) -> str:
        return self.name


class Cemetery(models.Model):
    """公墓: 公益性 (村、乡镇为本地村民) or 经营性 (《殡葬管理条例》第八条、第九条)."""

    class Kind(models.TextChoices):
        WELFARE = "welfare", "公益性公墓"
        COMMERCIAL = "commercial", "经营性公墓"
        HALL = "hall", "骨灰堂"

    name = models.CharField(max_length=100, db_comment="名称")
    kind = models.CharField(max_length=12, choices=Kind.choices, db_comment="类型")
    division_code = models.CharField(max_length=12, db_comment="所在区划代码（村、乡镇或县）")
    approval_no = models.CharField(max_length=64, blank=True, db_comment="建设批准文号")
    address = models.CharField(max_length=200, blank=True, db_comment="地址")
    operator = models.CharField(max_length=100, blank=True, db_comment="经营或管理单位")
    active = models.BooleanField(default=True, db_comment="在用")

    class Meta:
        db_table_comment = "公墓（含骨灰堂）"

    def __str__(self) -> str:
        return self.name


class Plot(models.Model):
    """One grave, lawn or tree spot, or niche of a cemetery, and its state."""

    class State(models.TextChoices):
        FREE = "free", "空闲"
        RESERVED = "reserved", "已预订"
        USED = "used", "已安葬"
        VACATED = "vacated", "已迁出"

    cemetery = models.ForeignKey(Cemetery, on_delete=models.PROTECT, related_name="plots")
    number = models.CharField(max_length=32, db_comment="墓位编号（区-排-号）")
    kind = models.CharField(max_length=8, choices=BurialType.choices, db_comment="适用安葬方式")
    area_m2 = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, db_comment="占地面积（平方米）"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.FREE, db_comment="状态")
    state_since = models.DateField(default=timezone.localdate, db_comment="状态起始日期")
    note = models.CharField(max_length=200, blank=True, db_comment="说明（预订人、迁出原因）")

    class Meta:
        db_table_comment = "墓位（格位）"
        constraints = [models.UniqueConstraint(fields=["cemetery", "number"], name="funeral_plot_number")]
        indexes = [models.Index(fields=["cemetery", "state"], name="funeral_plot_state")]

    def __str__(self) -> str:
        return f"{self.cemetery.name} {self.number}"


class Cremation(models.Model):
    """A cremation: recorded at the funeral home, or first seen in the cremation feed (then confirmed)."""

    class Source(models.TextChoices):
        HOME = "home", "殡仪馆登记"
        FEED = "feed", "火化数据（部门数据）"

    class Ashes(models.TextChoices):
        STORED = "stored", "寄存殡仪馆"
        TAKEN = "taken", "家属领回待安葬"
        BURIED = "buried", "已安葬"

    person = models.OneToOneField(
        "registry.Person", on_delete=models.PROTECT, related_name="cremation", db_comment="逝者"
    )
    division_code = models.CharField(max_length=12, db_comment="逝者户籍地区划代码（管辖范围）")
    home = models.ForeignKey(FuneralHome, null=True, blank=True, on_delete=models.PROTECT, related_name="cremations")
    died_on = models.DateField(db_comment="死亡日期")
    cremated_on = models.DateField(db_comment="火化日期")
    certificate_no = models.CharField(max_length=32, blank=True, db_comment="火化证明编号")
    source = models.CharField(max_length=8, choices=Source.choices, db_comment="来源")
    feed_as_of = models.DateField(null=True, blank=True, db_comment="火化数据时点（部门数据中见到的快照）")
    family_name = models.CharField(max_length=64, blank=True, db_comment="丧事承办人（家属）姓名")
    family_phone = models.CharField(max_length=20, blank=True, db_comment="丧事承办人电话")
    family_person = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_comment="丧事承办人"
    )
    ashes = models.CharField(max_length=8, choices=Ashes.choices, default=Ashes.STORED, db_comment="骨灰去向")
    ashes_since = models.DateField(null=True, blank=True, db_comment="骨灰去向起始日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "火化记录"
        indexes = [models.Index(fields=["division_code", "cremated_on"], name="funeral_cremation_div")]
        constraints = [
            models.UniqueConstraint(
                fields=["certificate_no"], condition=~Q(certificate_no=""), name="funeral_cremation_certificate"
            )
        ]

    def __str__(self) -> str:
        number = f"，火化证明 {self.certificate_no}" if self.certificate_no else ""
        return f"{self.cremated_on} 火化{number}"


class AshesEvent(models.Model):
    """骨灰跟踪管理 (seed 002 金华): every move of the ashes, dated, with who handled it."""

    cremation = models.ForeignKey(Cremation, on_delete=models.PROTECT, related_name="ashes_events")
    state = models.CharField(max_length=8, choices=Cremation.Ashes.choices, db_comment="去向")
    on = models.DateField(db_comment="日期")
    place = models.CharField(max_length=200, blank=True, db_comment="地点（寄存格位、安葬地）")
    handled_by = models.CharField(max_length=64, blank=True, db_comment="经办人或领取人")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "骨灰去向记录"
        ordering = ["on", "pk"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_state_display()}"


class Burial(models.Model):
    """安葬: where and how the deceased (or their ashes) were laid to rest. One per person."""

    person = models.OneToOneField("registry.Person", on_delete=models.PROTECT, related_name="burial")
    division_code = models.CharField(max_length=12, db_comment="逝者户籍地区划代码（管辖范围）")
    cremation = models.OneToOneField(Cremation, null=True, blank=True, on_delete=models.PROTECT, related_name="burial")
    burial_type = models.CharField(max_length=8, choices=BurialType.choices, db_comment="安葬方式")
    buried_on = models.DateField(db_comment="安葬日期")
    cemetery = models.ForeignKey(Cemetery, null=True, blank=True, on_delete=models.PROTECT, related_name="burials")
    plot = models.OneToOneField(Plot, null=True, blank=True, on_delete=models.PROTECT, related_name="burial")
    place = models.CharField(max_length=200, blank=True, db_comment="安葬地点说明（海葬海域等）")
    payee = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_comment="丧事承办人（补助、奖励收款人）"
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "安葬记录"
        indexes = [models.Index(fields=["division_code", "buried_on"], name="funeral_burial_div")]

    def __str__(self) -> str:
        return f"{self.get_burial_type_display()} {self.buried_on}"

    @property
    def eco(self) -> bool:
        return self.burial_type in ECO_TYPES


class Award(models.Model):
    """The rules engine's decision on one payment for one deceased person, and the payment it made."""

    class Programme(models.TextChoices):
        BASIC = "funeral_basic", "惠民殡葬基本服务补贴"
        ECO = "eco_burial", "节地生态安葬奖励"

    class Outcome(models.TextChoices):
        PAID = "granted", "符合，已纳入发放"
        REFUSED = "refused", "不符合"
        PENDING = "pending", "待核对"

    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    division_code = models.CharField(max_length=12, db_comment="逝者户籍地区划代码")
    programme = models.CharField(max_length=16, choices=Programme.choices, db_comment="项目")
    outcome = models.CharField(max_length=8, choices=Outcome.choices, db_comment="判定结果")
    amount_fen = models.BigIntegerField(default=0, db_comment="金额（分）")
    explanation = models.TextField(db_comment="规则引擎的中文说明")
    decided_on = models.DateField(db_comment="判定日期（规则评估日）")
    entitlement = models.OneToOneField(
        "payments.Entitlement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "殡葬补助与生态安葬奖励判定"
        constraints = [
            # Paid once per person and programme: a re-decision after 待核对 updates the row.
            models.UniqueConstraint(fields=["person", "programme"], name="funeral_award_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_programme_display()} {self.get_outcome_display()}"


class Assistant(models.Model):
    """殡葬协理员: one per village (seed 002 湖州 “每个村(社区)配备一名殡葬协理员”)."""

    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    name = models.CharField(max_length=64, db_comment="姓名")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    appointed_on = models.DateField(db_comment="聘任日期")
    ended_on = models.DateField(null=True, blank=True, db_comment="解聘日期")

    class Meta:
        db_table_comment = "殡葬协理员"
        constraints = [
            models.UniqueConstraint(
                fields=["division_code"], condition=Q(ended_on__isnull=True), name="funeral_one_assistant_per_village"
            )
        ]

    def __str__(self) -> str:
        return f"{self.division_code} {self.name}"


class Campaign(models.Model):
    """A grave clean-up campaign (散埋乱葬治理, “青山白化”整治, seed 002 金华)."""

    name = models.CharField(max_length=100, db_comment="名称")
    division_code = models.CharField(max_length=12, db_comment="范围（县或乡镇区划代码）")
    starts_on = models.DateField(db_comment="开始日期")
    ends_on = models.DateField(db_comment="结束日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "坟墓整治行动"

    def __str__(self) -> str:
        return self.name


class CleanupSite(models.Model):
    """One site of a campaign: how many graves, what was done, when."""

    class Action(models.TextChoices):
        PENDING = "pending", "待整治"
        MOVED = "moved", "迁入公墓"
        BURIED_FLAT = "flat", "深埋不留坟头"
        GREENED = "greened", "生态化改造（植绿遮挡）"
        REMOVED = "removed", "拆除硬化（豪华墓）"

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="sites")
    division_code = models.CharField(max_length=12, db_comment="村（社区）区划代码")
    location = models.CharField(max_length=200, db_comment="位置描述")
    graves = models.PositiveIntegerField(db_comment="坟墓数（穴）")
    action = models.CharField(max_length=8, choices=Action.choices, default=Action.PENDING, db_comment="整治方式")
    done_on = models.DateField(null=True, blank=True, db_comment="整治完成日期")
    land_mu = models.DecimalField(max_digits=7, decimal_places=2, default=0, db_comment="腾出土地（亩）")
    note = models.CharField(max_length=300, blank=True, db_comment="说明")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        db_table_comment = "坟墓整治台账"
        indexes = [models.Index(fields=["division_code", "action"], name="funeral_site_div")]

    def __str__(self) -> str:
        return f"{self.location}（{self.graves} 穴）"
