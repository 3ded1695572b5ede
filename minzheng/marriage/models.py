"""婚姻登记 and 收养登记: appointments, the registrations with their certificate numbers, adoptions.

A registration names both parties as residents when they are in the registry (the marriage event of the
life-event part needs the person); a party from elsewhere is kept by name and identity number only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    MARRY = "marry", "结婚登记"
    DIVORCE = "divorce", "离婚登记"


class Appointment(models.Model):
    """预约: a couple books a day at the registry office; a divorce booking is also the 离婚申请 that
    starts the 30-day 冷静期 (《民法典》第一千零七十七条)."""

    kind = models.CharField(max_length=8, choices=Kind.choices, db_comment="登记类型")
    division_code = models.CharField(max_length=12, db_comment="婚姻登记机关所在县区划代码（管辖范围）")
    on = models.DateField(db_comment="预约日期")
    slot = models.CharField(max_length=16, blank=True, db_comment="时段（如 09:00-10:00）")
    name_a = models.CharField(max_length=64, db_comment="男方（一方）姓名")
    id_number_a = models.CharField(max_length=18, db_comment="男方（一方）身份号码")
    name_b = models.CharField(max_length=64, db_comment="女方（另一方）姓名")
    id_number_b = models.CharField(max_length=18, db_comment="女方（另一方）身份号码")
    phone = models.CharField(max_length=20, blank=True, db_comment="联系电话")
    applied_on = models.DateField(null=True, blank=True, db_comment="离婚申请受理日期（冷静期起算）")
    status = models.CharField(max_length=12, default="booked", db_comment="状态（见 machines/appointment.yaml）")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "婚姻登记预约"
        indexes = [models.Index(fields=["division_code", "on"], name="marriage_appt_day")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}预约 {self.on}"


class Registration(models.Model):
    """One 结婚 or 离婚 registration, with its certificate number (结婚证/离婚证字号)."""

    kind = models.CharField(max_length=8, choices=Kind.choices, db_comment="登记类型")
    division_code = models.CharField(max_length=12, db_comment="登记机关所在县区划代码（管辖范围）")
    registered_on = models.DateField(db_comment="登记日期")
    certificate_no = models.CharField(max_length=32, unique=True, db_comment="证书字号")
    person_a = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_comment="男方（一方）"
    )
    name_a = models.CharField(max_length=64, db_comment="男方（一方）姓名")
    id_number_a = models.CharField(max_length=18, db_index=True, db_comment="男方（一方）身份号码")
    person_b = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_comment="女方（另一方）",
    )
    name_b = models.CharField(max_length=64, db_comment="女方（另一方）姓名")
    id_number_b = models.CharField(max_length=18, db_index=True, db_comment="女方（另一方）身份号码")
    marriage = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_comment="所解除的结婚登记"
    )
    appointment = models.OneToOneField(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="registration"
    )
    registrar = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "婚姻登记记录"
        constraints = [
            # A marriage is dissolved once.
            models.UniqueConstraint(fields=["marriage"], condition=Q(kind="divorce"), name="marriage_one_divorce")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.certificate_no}"


class Adoption(models.Model):
    """收养登记 (《民法典》第一千一百零五条: 收养应当向县级以上人民政府民政部门登记，自登记之日起成立)."""

    class Kind(models.TextChoices):
        ADOPT = "adopt", "收养登记"
        DISSOLVE = "dissolve", "解除收养登记"

    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.ADOPT, db_comment="登记类型")
    division_code = models.CharField(max_length=12, db_comment="登记机关所在县区划代码（管辖范围）")
    registered_on = models.DateField(db_comment="登记日期")
    certificate_no = models.CharField(max_length=32, unique=True, db_comment="收养登记证（解除证明）字号")
    child = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    child_name = models.CharField(max_length=64, db_comment="被收养人姓名")
    child_id_number = models.CharField(max_length=18, blank=True, db_comment="被收养人身份号码")
    child_birth_date = models.DateField(db_comment="被收养人出生日期")
    adopter = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    adopter_name = models.CharField(max_length=64, db_comment="收养人姓名")
    adopter_id_number = models.CharField(max_length=18, db_comment="收养人身份号码")
    adopter_birth_date = models.DateField(db_comment="收养人出生日期")
    spouse_name = models.CharField(max_length=64, blank=True, db_comment="共同收养的配偶姓名")
    spouse_id_number = models.CharField(max_length=18, blank=True, db_comment="配偶身份号码")
    children_before = models.PositiveSmallIntegerField(default=0, db_comment="收养人已有子女数")
    origin = models.CharField(max_length=100, blank=True, db_comment="被收养人来源（社会福利机构、生父母等）")
    adoption = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_comment="所解除的收养登记"
    )
    registrar = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "收养登记记录"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.certificate_no}"
