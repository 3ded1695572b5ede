"""一键通紧急呼叫: every write (one transaction, keyword-only actor=, one audit row).

Time is always passed in (`now=`): the timers are tested by driving the clock, and `minzheng
emergency tick` passes the wall clock.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.accounts.models import Role, User
from minzheng.accounts.types import Actor
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import covers
from minzheng.core.masking import mask_name, mask_phone
from minzheng.eldercare.models import Elder
from minzheng.emergency.models import LADDER, Alarm, AlarmKind, Device, EscalationStep, Incident, Outcome, Rung
from minzheng.notifications.services import notify

# Seconds a rung may run unanswered before the next one is taken. A county may change them in
# settings (EMERGENCY_RUNG_SECONDS). The defaults follow practice, not law: an operator calls back
# within a minute; 天水街道's plan has somebody at the door within 6 minutes (research §2.5).
DEFAULT_RUNG_SECONDS = {Rung.OPERATOR: 60, Rung.FAMILY: 180, Rung.COMMUNITY: 360}


class EmergencyError(Exception):
    """A refused action; the message is Chinese and says why."""


def rung_seconds() -> dict[str, int]:
    return {**DEFAULT_RUNG_SECONDS, **getattr(settings, "EMERGENCY_RUNG_SECONDS", {})}


def rung_deadline(incident: Incident) -> dt.datetime | None:
    """When the current rung escalates by itself; None when answered, last, or closed."""
    seconds = rung_seconds().get(incident.rung)
    if incident.status != Incident.Status.OPEN or incident.rung_answered or seconds is None:
        return None
    return incident.rung_started_at + dt.timedelta(seconds=seconds)


def _audit(
    actor: Actor | None, action: str, incident: Incident, summary: str, client_ip: str = "", **data: Any
) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="emergency_incident",
        object_id=incident.pk,
        summary=summary,
        client_ip=client_ip,
        data=data,
    )


def _contact(incident: Incident, rung: str) -> str:
    """Who this rung calls, as the record shows it (phones masked: the page shows them whole)."""
    elder = incident.elder
    if rung == Rung.OPERATOR:
        return "12349 坐席"
    if rung == Rung.FAMILY:
        people = [f"{c.get('relation', '')} {c.get('name', '')} {mask_phone(c.get('phone', ''))}".strip()
                  for c in elder.emergency_contacts]  # fmt: skip
        return "；".join(people)[:100] or "未登记紧急联系人"
    if rung == Rung.COMMUNITY:
        workers = [
            u.display_name or u.username
            for u in User.objects.filter(role=Role.VILLAGE_WORKER, is_active=True).order_by("username")
            if covers(u.jurisdiction, elder.division_code)
        ]
        return ("村（社区）工作人员 " + "、".join(workers))[:100] if workers else "村（社区）值班人员"
    return "120 急救中心"


def _start_rung(incident: Incident, rung: str, at: dt.datetime) -> EscalationStep:
    incident.rung, incident.rung_started_at, incident.rung_answered = rung, at, False
    incident.save(update_fields=["rung", "rung_started_at", "rung_answered"])
    return EscalationStep.objects.create(incident=incident, rung=rung, started_at=at, contact=_contact(incident, rung))


def _end_current(incident: Incident, at: dt.datetime, outcome: str, actor: Actor | None, note: str = "") -> None:
    step = incident.steps.filter(rung=incident.rung, ended_at__isnull=True).order_by("-started_at", "-pk").first()
    if step is None:
        return
    step.ended_at, step.outcome = at, outcome
    if note:
        step.note = note[:300]
    step.actor = _user(actor)  # who recorded the outcome; None = the timer
    step.save(update_fields=["ended_at", "outcome", "note", "actor"])


def _user(actor: Actor | None) -> User | None:
    return actor if actor is not None and actor.is_authenticated else None


def _locked(incident: Incident) -> Incident:
    """Re-read the incident under a row lock: the ticker and an operator may act at once."""
    locked = Incident.objects.select_for_update().select_related("elder").get(pk=incident.pk)
    if locked.status != Incident.Status.OPEN:
        raise EmergencyError(f"事件 #{locked.pk} 已结束（{locked.get_outcome_display()}），不能再操作")
    return locked


@transaction.atomic
def device_register(
    *,
    actor: Actor | None,
    elder: Elder,
    serial: str,
    installed_on: dt.date,
    sim_phone: str = "",
    sensors: list[str] | None = None,
    client_ip: str = "",
) -> Device:
    serial = serial.strip().upper()
    if not serial:
        raise EmergencyError("终端编号：不能为空")
    if Device.objects.filter(serial=serial).exists():
        raise EmergencyError(f"终端编号：{serial} 已登记")
    unknown = [s for s in sensors or [] if s not in AlarmKind.values]
    if unknown:
        raise EmergencyError(f"传感器：未知类型 {'、'.join(unknown)}")
    device = Device.objects.create(
        serial=serial,
        elder=elder,
        division_code=elder.division_code,
        sim_phone=sim_phone,
        sensors=list(sensors or []),
        installed_on=installed_on,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        object_type="emergency_device",
        object_id=device.pk,
        summary=f"登记一键通终端 {serial}（{elder.person.name}）",
        client_ip=client_ip,
    )
    return device


@transaction.atomic
def alarm_receive(
    *,
    actor: Actor | None,
    kind: str,
    now: dt.datetime,
    device: Device | None = None,
    elder: Elder | None = None,
    raised_at: dt.datetime | None = None,
    detail: dict[str, Any] | None = None,
    client_ip: str = "",
) -> Alarm:
    """A terminal's alarm (device=) or a red call the operator logs (elder=). Joins the open incident."""
    if kind not in AlarmKind.values:
        raise EmergencyError(f"报警类型：未知的 {kind}，应为 {'、'.join(AlarmKind.values)}")
    if device is not None:
        if not device.active:
            raise EmergencyError(f"终端 {device.serial} 已停用")
        elder = device.elder
    if elder is None:
        raise EmergencyError("报警必须来自已登记的终端或老人")
    incident = Incident.objects.select_for_update().filter(elder=elder, status=Incident.Status.OPEN).first()
    joined = incident is not None
    if incident is None:
        incident = _open(elder, kind, raised_at or now, now, actor)
    alarm = Alarm.objects.create(
        device=device, incident=incident, kind=kind, raised_at=raised_at or now, received_at=now, detail=detail or {}
    )
    label = AlarmKind(kind).label
    summary = f"{label}：并入处置中的事件 #{incident.pk}" if joined else f"{label}：新建紧急呼叫事件 #{incident.pk}"
    _audit(actor, AuditEvent.Action.CREATE, incident, f"{elder.person.name} {summary}", client_ip, alarm=alarm.pk)
    return alarm


def _open(elder: Elder, kind: str, opened_at: dt.datetime, now: dt.datetime, actor: Actor | None) -> Incident:
    try:
        with transaction.atomic():
            incident = Incident.objects.create(
                elder=elder, division_code=elder.division_code, kind=kind, opened_at=opened_at, rung_started_at=now
            )
    except IntegrityError:  # another alarm of the same elder opened it a moment ago
        return Incident.objects.select_for_update().get(elder=elder, status=Incident.Status.OPEN)
    EscalationStep.objects.create(
        incident=incident, rung=Rung.OPERATOR, started_at=now, contact=_contact(incident, Rung.OPERATOR)
    )
    return incident


@transaction.atomic
def incident_view(*, actor: Actor, incident: Incident, client_ip: str = "") -> None:
    """Opening an incident shows the elder's profile and full phones: a detail read."""
    _audit(
        actor,
        AuditEvent.Action.VIEW,
        incident,
        f"查看紧急呼叫事件 #{incident.pk}（{incident.elder.person.name}）",
        client_ip,
    )


@transaction.atomic
def incident_answer(
    *, actor: Actor, incident: Incident, now: dt.datetime, note: str = "", client_ip: str = ""
) -> Incident:
    """The current rung's contact answered (operator took the call, family reached, worker at the door)."""
    incident = _locked(incident)
    if incident.rung_answered:
        raise EmergencyError(f"{incident.get_rung_display()}已记录为已响应")
    _end_current(incident, now, "已响应", actor, note)
    incident.rung_answered = True
    fields = ["rung_answered"]
    if incident.rung == Rung.OPERATOR:
        incident.operator = _user(actor)
        fields.append("operator")
    incident.save(update_fields=fields)
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        incident,
        f"事件 #{incident.pk}：{incident.get_rung_display()}已响应",
        client_ip,
        note=note,
    )
    return incident


@transaction.atomic
def incident_escalate(
    *,
    actor: Actor,
    incident: Incident,
    now: dt.datetime,
    to: str | None = None,
    outcome: str = "",
    note: str = "",
    client_ip: str = "",
) -> Incident:
    """Move to the next rung, or straight to a later one (e.g. 120 when the elder is hurt)."""
    incident = _locked(incident)
    here = LADDER.index(Rung(incident.rung))
    target = Rung(to) if to else (LADDER[here + 1] if here + 1 < len(LADDER) else None)
    if target is None or LADDER.index(target) <= here:
        raise EmergencyError(
            f"已在「{incident.get_rung_display()}」环节，不能升级到「{Rung(to).label if to else '无'}」"
        )
    if not incident.rung_answered:
        _end_current(incident, now, outcome or "坐席决定升级", actor, note)
    _start_rung(incident, target, now)
    _audit(
        actor, AuditEvent.Action.UPDATE, incident, f"事件 #{incident.pk}：升级到{target.label}", client_ip, note=note
    )
    return incident


@transaction.atomic
def incident_close(
    *, actor: Actor | None, incident: Incident, now: dt.datetime, outcome: str, note: str = "", client_ip: str = ""
) -> Incident:
    if outcome not in Outcome.values:
        raise EmergencyError("处置结果：请选择 " + "、".join(Outcome.labels))
    incident = _locked(incident)
    _end_current(incident, now, f"结束：{Outcome(outcome).label}", actor, note)
    incident.status, incident.closed_at, incident.outcome = Incident.Status.CLOSED, now, outcome
    incident.outcome_note, incident.closed_by = note[:300], _user(actor)
    incident.save(update_fields=["status", "closed_at", "outcome", "outcome_note", "closed_by"])
    _audit(
        actor,
        AuditEvent.Action.UPDATE,
        incident,
        f"事件 #{incident.pk} 结束：{Outcome(outcome).label}",
        client_ip,
        note=note,
    )
    return incident


def incident_tick(*, now: dt.datetime, actor: Actor | None = None) -> int:
    """Escalate every open incident whose rung timed out; returns the rungs taken. Idempotent.

    Each escalation is dated at the deadline it passed, not at `now`, so a late tick (a worker that
    was down) replays the ladder exactly, and a second tick at the same time finds nothing to do.
    """
    taken = 0
    due = Incident.objects.filter(status=Incident.Status.OPEN, rung_answered=False).exclude(rung=Rung.EMERGENCY)
    for pk in due.order_by("pk").values_list("pk", flat=True):
        taken += _tick_one(pk, now, actor)
    return taken


@transaction.atomic
def _tick_one(pk: int, now: dt.datetime, actor: Actor | None) -> int:
    incident = Incident.objects.select_for_update().select_related("elder__person").get(pk=pk)
    taken = 0
    while (deadline := rung_deadline(incident)) is not None and deadline <= now:
        seconds = rung_seconds()[incident.rung]
        _end_current(incident, deadline, f"{seconds} 秒内未响应，自动升级", None)
        nxt = LADDER[LADDER.index(Rung(incident.rung)) + 1]
        _start_rung(incident, nxt, deadline)
        _audit(
            actor,
            AuditEvent.Action.UPDATE,
            incident,
            f"事件 #{incident.pk}：超时自动升级到{nxt.label}",
            at=deadline.isoformat(),
        )
        _notify_escalation(incident, nxt, deadline, seconds)
        taken += 1
    return taken


def _notify_escalation(incident: Incident, rung: Rung, at: dt.datetime, seconds: int) -> None:
    """The outbox (KERNELS §6): each automatic rung reaches the 12349 operators of the elder's area, and the
    community rung the village (community) workers who must go to the door. Written in the tick's
    transaction, delivered by the scheduler; one message per rung taken (fingerprint), however often ticked."""
    elder = incident.elder
    who = mask_name(elder.person.name)
    when = timezone.localtime(at).strftime("%H:%M:%S")
    recipients = [Role.HOTLINE_OPERATOR] + ([Role.VILLAGE_WORKER] if rung == Rung.COMMUNITY else [])
    for role in recipients:
        title = f"一键通事件 #{incident.pk}（{who}）{seconds} 秒内未响应，{when} 自动升级到「{rung.label}」"
        if role == Role.VILLAGE_WORKER:
            title = f"一键通事件 #{incident.pk}：{who} 呼叫后无人响应，请立即上门查看（{when} 起）"
        notify(
            kind="emergency_escalation",
            title=title,
            fingerprint=f"emergency:{incident.pk}:{rung.value}:{at.isoformat()}:{role.value}",
            role=role,
            division_code=elder.division_code,
            link=f"/emergency/incidents/{incident.pk}/" if role == Role.HOTLINE_OPERATOR else "",
        )
