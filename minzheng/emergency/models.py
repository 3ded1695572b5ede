"""一键通紧急呼叫: terminals in elders' homes, their alarms, incidents and the escalation ladder.

An alarm opens an incident (or joins the elder's open one). The incident climbs a ladder of
rungs, operator → family → community worker → 120, each rung with a timer; every rung taken is
an EscalationStep row saying who, when and with what outcome. Closing needs an outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AlarmKind(models.TextChoices):
    """What the terminal reported [research §2.5: red key, no-movement sensor, smoke, gas]."""

    BUTTON = "button", "按键呼叫"
    NO_MOVEMENT = "no_movement", "长时间无活动"
    SMOKE = "smoke", "烟感"
    GAS = "gas", "燃气"
    RED_CALL = "red_call", "红色呼叫"


class Rung(models.TextChoices):
    """The ladder, in order."""

    OPERATOR = "operator", "坐席接警"
    FAMILY = "family", "通知家属"
    COMMUNITY = "community", "社区人员上门"
    EMERGENCY = "emergency", "呼叫120"


LADDER = [Rung.OPERATOR, Rung.FAMILY, Rung.COMMUNITY, Rung.EMERGENCY]


class Outcome(models.TextChoices):
    """How an incident ended."""

    FALSE_ALARM = "false_alarm", "误报"
    RESOLVED = "resolved", "已处置"
    HOSPITAL = "hospital", "送医"
    FAMILY_CARE = "family_care", "家属照看"
    NO_ANSWER = "no_answer", "无人应答，已上门确认平安"
    DECEASED = "deceased", "死亡"


class Device(models.Model):
    """一键通 terminal installed in an elder's home."""

    serial = models.CharField(max_length=40, unique=True, db_comment="终端编号")
    elder = models.ForeignKey("eldercare.Elder", on_delete=models.PROTECT, related_name="emergency_devices")
    # Copied from the elder so jurisdiction scoping is one indexed range scan; set by the services.
    division_code = models.CharField(max_length=12, db_index=True, db_comment="安装地址区划代码（冗余）")
    sim_phone = models.CharField(max_length=20, blank=True, db_comment="终端号码")
    sensors = models.JSONField(default=list, blank=True, db_comment="附带传感器（AlarmKind 代码列表）")
    installed_on = models.DateField(db_comment="安装日期")
    active = models.BooleanField(default=True, db_comment="在用")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table_comment = "一键通终端"

    def __str__(self) -> str:
        return self.serial

    @property
    def sensor_labels(self) -> list[str]:
        return [AlarmKind(s).label for s in self.sensors if s in AlarmKind.values]


class Incident(models.Model):
    """One emergency of one elder, from the first alarm to its outcome."""

    class Status(models.TextChoices):
        OPEN = "open", "处置中"
        CLOSED = "closed", "已结束"

    elder = models.ForeignKey("eldercare.Elder", on_delete=models.PROTECT, related_name="emergency_incidents")
    division_code = models.CharField(max_length=12, db_comment="老人住址区划代码（冗余）")
    kind = models.CharField(max_length=16, choices=AlarmKind.choices, db_comment="首个报警类型")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN, db_comment="状态")
    opened_at = models.DateTimeField(db_comment="报警时间")
    rung = models.CharField(max_length=16, choices=Rung.choices, default=Rung.OPERATOR, db_comment="当前环节")
    rung_started_at = models.DateTimeField(db_comment="当前环节开始时间（计时起点）")
    # A rung whose contact has answered stops its timer until the operator moves the incident on.
    rung_answered = models.BooleanField(default=False, db_comment="当前环节已响应（停止计时）")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True, db_comment="结束时间")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True, db_comment="处置结果")
    outcome_note = models.CharField(max_length=300, blank=True, db_comment="处置说明")
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table_comment = "紧急呼叫事件"
        indexes = [models.Index(fields=["status", "division_code"])]
        constraints = [
            # At most one open incident per elder: a second alarm joins it.
            models.UniqueConstraint(
                fields=["elder"], condition=models.Q(status="open"), name="one_open_incident_per_elder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class Alarm(models.Model):
    """One report from a terminal (or a red call logged by the operator)."""

    device = models.ForeignKey(Device, null=True, blank=True, on_delete=models.PROTECT, related_name="alarms")
    incident = models.ForeignKey(Incident, on_delete=models.PROTECT, related_name="alarms")
    kind = models.CharField(max_length=16, choices=AlarmKind.choices, db_comment="报警类型")
    raised_at = models.DateTimeField(db_comment="终端报警时间")
    received_at = models.DateTimeField(db_comment="平台收到时间")
    detail = models.JSONField(default=dict, blank=True, db_comment="终端上报内容")

    class Meta:
        db_table_comment = "一键通报警"
        ordering = ["raised_at", "pk"]

    def __str__(self) -> str:
        return self.get_kind_display()


class EscalationStep(models.Model):
    """One rung taken: who was contacted, when it began and ended, and how it ended."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="steps")
    rung = models.CharField(max_length=16, choices=Rung.choices, db_comment="环节")
    started_at = models.DateTimeField(db_comment="开始")
    ended_at = models.DateTimeField(null=True, blank=True, db_comment="结束")
    contact = models.CharField(max_length=100, blank=True, db_comment="联系对象，如 子 周建华 139****0002")
    outcome = models.CharField(max_length=100, blank=True, db_comment="结果，如 已接通 / 超时未响应，自动升级")
    note = models.CharField(max_length=300, blank=True, db_comment="说明")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )  # who recorded the outcome; null = the timer (系统)

    class Meta:
        db_table_comment = "紧急呼叫处置步骤"
        ordering = ["started_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_rung_display()}：{self.outcome}"
