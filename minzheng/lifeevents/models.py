"""一件事 (life events): one report of a death, a birth or a marriage fans out to every department.

The event itself is a Case on the case kernel (types `life_death`, `life_birth`, `life_marriage` in
cases/types): number, stages, deadlines, the checklist (零证明: each proof ticked with its source or
asked of the family), history and the stage's 待办. Beside it, this app keeps what the kernel has no
place for: the form's facts, the department records that reported it, the family's token link, one
task per item of the region's list (data/items.yaml) on its own machine (machines/task.yaml), and
the benefit changes the event causes, each shown to a caseworker before the next payroll.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    DEATH = "death", "身后一件事"
    BIRTH = "birth", "出生一件事"
    MARRIAGE = "marriage", "婚育户一件事"


class Department(models.Model):
    """A body that answers items: 公安, 人力社保, 医保 … Its staff are `department_staff` with `unit` = code."""

    code = models.CharField(max_length=32, unique=True, db_comment="部门代码（账号的所属单位）")
    name = models.CharField(max_length=64, db_comment="部门名称")
    role = models.CharField(
        max_length=32, default="department_staff", db_comment="办理角色：协办部门 / 殡葬管理 / 乡镇民政办"
    )

    class Meta:
        db_table_comment = "一件事协办部门"

    def __str__(self) -> str:
        return self.name


def family_token() -> str:
    # 128 bits: the family's link cannot be guessed (as eldercare's family page and the 公示 page).
    return secrets.token_urlsafe(16)


class LifeEvent(models.Model):
    """One death, birth or marriage, reported once; the case carries its stages and checklist."""

    kind = models.CharField(max_length=12, choices=Kind.choices, db_comment="事项类型")
    case = models.OneToOneField("cases.Case", on_delete=models.PROTECT, related_name="life_event")
    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="+", db_comment="当事人：逝者、母亲或登记人"
    )
    partner = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_comment="另一方：配偶或新生儿的父亲",
    )
    child = models.ForeignKey(
        "registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_comment="新生儿"
    )
    event_date = models.DateField(null=True, blank=True, db_comment="死亡、出生或登记日期")
    division_code = models.CharField(max_length=12, db_comment="当事人所在村（社区）区划代码（管辖范围）")
    region = models.CharField(max_length=12, db_comment="所用事项清单的区划（清单按地区配置）")
    facts = models.JSONField(default=dict, blank=True, db_comment="一表申请：各事项所需信息")
    reporter_name = models.CharField(max_length=64, blank=True, db_comment="申请人（家属）姓名")
    reporter_id_number = models.CharField(max_length=18, blank=True, db_comment="申请人身份号码")
    reporter_phone = models.CharField(max_length=20, blank=True, db_comment="申请人电话（办结通知）")
    reporter_relation = models.CharField(max_length=16, blank=True, db_comment="与当事人关系")
    authorisation_no = models.CharField(max_length=64, blank=True, db_comment="家属授权书编号")
    source = models.CharField(max_length=32, db_comment="首次来源：window 窗口 / cremation / hukou / marriage …")
    token = models.CharField(max_length=32, unique=True, default=family_token, db_comment="家属进度页链接")
    is_open = models.BooleanField(default=True, db_comment="在办（同一人同类事项只有一件在办）")
    notified_at = models.DateTimeField(null=True, blank=True, db_comment="全部办结通知时间（只通知一次）")
    notice_text = models.CharField(max_length=200, blank=True, db_comment="发给家属的办结通知（短信发件箱）")
    token_expires_at = models.DateTimeField(null=True, blank=True, db_comment="进度页链接失效时间（办结后 90 天）")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "一件事"
        constraints = [
            # Two records of one death (火化 and 户籍注销) attach to the same event, even when they race.
            models.UniqueConstraint(fields=["kind", "person"], condition=Q(is_open=True), name="one_open_event"),
        ]
        indexes = [models.Index(fields=["division_code", "kind"], name="lifeevent_division_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.case_id}"


class EventRecord(models.Model):
    """A department record that reported the event (火化记录, 户籍注销, 婚姻登记, 窗口申请)."""

    event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="records")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    person = models.ForeignKey("registry.Person", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=32, db_comment="来源：cremation / hukou / death / marriage / window …")
    source_ref = models.CharField(max_length=64, db_comment="来源记录编号（同一记录只登记一次）")
    facts = models.JSONField(default=dict, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "一件事来源记录"
        constraints = [
            models.UniqueConstraint(fields=["kind", "person", "source", "source_ref"], name="one_record_once"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.source_ref}"


class Task(models.Model):
    """One item of the region's list, for its department: status (machines/task.yaml), deadline, reply."""

    event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="tasks")
    item = models.CharField(max_length=40, db_comment="事项代码（data/items.yaml）")
    label = models.CharField(max_length=80, db_comment="事项名称")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="tasks")
    division_code = models.CharField(max_length=12, db_comment="当事人所在村（社区）区划代码（冗余，管辖范围）")
    status = models.CharField(max_length=16, default="pending", db_comment="状态（见 machines/task.yaml）")
    due_on = models.DateField(null=True, blank=True, db_comment="办结期限（工作日）")
    proofs = models.JSONField(default=list, blank=True, db_comment="本事项所需证明（清单代码）")
    reply = models.TextField(blank=True, db_comment="部门办理结果或不涉及理由")
    reply_ref = models.CharField(max_length=64, blank=True, db_comment="部门业务编号（回执）")
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "一件事部门事项"
        constraints = [models.UniqueConstraint(fields=["event", "item"], name="one_task_per_item")]
        indexes = [models.Index(fields=["department", "status", "division_code"], name="lifetask_dept_status")]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.item}"


class BenefitChange(models.Model):
    """What the event does to a payment: end, new amount, new member, moved — shown before the payroll."""

    class Action(models.TextChoices):
        END = "end", "停发"
        AMOUNT = "amount", "重新核定金额"
        REVIEW = "review", "重新评估（待办）"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "待确认"
        APPLIED = "applied", "已确认"
        DISMISSED = "dismissed", "不予变更"

    event = models.ForeignKey(LifeEvent, on_delete=models.CASCADE, related_name="benefit_changes")
    entitlement = models.ForeignKey(
        "payments.Entitlement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    programme = models.CharField(max_length=32, db_comment="项目")
    action = models.CharField(max_length=8, choices=Action.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    division_code = models.CharField(max_length=12, db_comment="待遇所在村（社区）区划代码")
    old_amount_fen = models.BigIntegerField(null=True, blank=True, db_comment="原月金额（分）")
    new_amount_fen = models.BigIntegerField(null=True, blank=True, db_comment="重算月金额（分；空：待核对）")
    old_members = models.PositiveSmallIntegerField(null=True, blank=True)
    new_members = models.PositiveSmallIntegerField(null=True, blank=True)
    effective_month = models.DateField(null=True, blank=True, db_comment="生效所属期（月初）")
    last_month = models.DateField(null=True, blank=True, db_comment="停发：最后发放所属期（月初）")
    explanation = models.JSONField(default=list, blank=True, db_comment="重算理由（规则引擎）")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=300, blank=True, db_comment="确认结果（追回台账编号等）")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table_comment = "一件事待遇变更"
        constraints = [
            models.UniqueConstraint(fields=["event", "programme", "entitlement"], name="one_change_per_entitlement"),
        ]

    def __str__(self) -> str:
        return f"{self.event_id}:{self.programme}:{self.action}"
