"""Writes at the station: intake, identity requests, the over-limit reason, the end of a stay, the return home.

Every write is one transaction ending in one audit row; the stay's state changes only through the workflow
kernel (machines/stay.yaml), so every step has a history row too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import yaml
from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import covers
from minzheng.core.masking import mask_name
from minzheng.divisions.models import Division
from minzheng.documents.services import attachment_store
from minzheng.registry.models import Person
from minzheng.rescue import params
from minzheng.rescue.models import RISKS, Handover, IdentityRequest, LedgerEntry, Stay
from minzheng.rescue.services_ledger import Who, entry_open
from minzheng.workflow import services as workflow
from minzheng.workflow.machine import Machine, load

MACHINE: Machine = load(
    "rescue_stay", yaml.safe_load((Path(__file__).with_name("machines") / "stay.yaml").read_text(encoding="utf-8"))
)
workflow.bind(Stay, workflow.Binding(object_type="rescue_stay", machine=lambda stay: MACHINE))
ENDINGS = ("transferred", "left", "died")


class RescueError(ValueError):
    """Refused with a Chinese reason naming the field."""


@dataclass
class Intake:
    found_at: str
    found_on: dt.date
    brought_by: str
    admitted_on: dt.date
    id_number: str = ""  # when the person's identity is known at intake
    name: str = ""
    sex: str = ""
    age_estimate: int | None = None
    description: str = ""
    condition: str = ""
    risks: list[str] = field(default_factory=list)
    planned_leave_on: dt.date | None = None


def _person(id_number: str) -> Person | None:
    if not id_number:
        return None
    person = Person.objects.filter(id_number=id_number.strip().upper()).first()
    if person is None:
        raise RescueError(f"身份号码 {id_number} 不在居民库中：请按身份未明登记，并申请比对")
    return person


def _check_intake(data: Intake) -> None:
    today = timezone.localdate()
    if not data.found_at.strip():
        raise RescueError("请填写发现地点")
    if data.brought_by not in Stay.BroughtBy.values:
        raise RescueError("送站方式应为：公安护送、群众报告、主动求助或其他部门转送")
    if data.admitted_on > today or data.found_on > today:
        raise RescueError(f"入站日期 {data.admitted_on} 或发现日期 {data.found_on} 晚于今天")
    if data.found_on > data.admitted_on:
        raise RescueError(f"发现日期 {data.found_on} 晚于入站日期 {data.admitted_on}")
    if data.planned_leave_on and data.planned_leave_on < data.admitted_on:
        raise RescueError(f"计划离站日期 {data.planned_leave_on} 早于入站日期")
    unknown = [r for r in data.risks if r not in RISKS]
    if unknown:
        raise RescueError(f"未知的风险标记：{'、'.join(unknown)}")
    if not data.id_number and not (data.description.strip() or data.name.strip()):
        raise RescueError("身份未明的受助人员须填写体貌特征或自报姓名")


def intake_create(
    data: Intake, *, station: str, actor: Actor, photo: BinaryIO | None = None, client_ip: str = ""
) -> Stay:
    """Take a person in: the stay starts at 在站救助 on the day admitted (workflow history + audit)."""
    _check_intake(data)
    person = _person(data.id_number)
    with transaction.atomic():
        stay = Stay.objects.create(
            person=person,
            name=person.name if person else data.name.strip(),
            sex=person.sex if person else data.sex,
            age_estimate=None if person else data.age_estimate,
            description=data.description.strip(),
            division_code=station,
            found_at=data.found_at.strip(),
            found_on=data.found_on,
            brought_by=data.brought_by,
            condition=data.condition.strip(),
            risks=list(data.risks),
            home_division=person.division_code if person else "",
            admitted_on=data.admitted_on,
            planned_leave_on=data.planned_leave_on,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        workflow.start(stay, actor=actor, on=data.admitted_on, client_ip=client_ip)
        if photo is not None:
            attachment_store(
                photo,
                filename=getattr(photo, "name", "") or "photo",
                owner_type="rescue_stay",
                owner_id=stay.pk,
                kind="photo",
                actor=actor,
            )
        audit_record(
            actor=actor,
            action="create",
            object_type="rescue_stay",
            object_id=stay.pk,
            summary=f"站内救助登记：{mask_name(stay.display_name)}（{'已查明身份' if person else '身份未明'}）",
            client_ip=client_ip,
        )
    return stay


def stay_days(stay: Stay, on: dt.date | None = None) -> int:
    """Days at the station, counting the day of admission (day 1)."""
    end = stay.ended_on or on or timezone.localdate()
    return (end - stay.admitted_on).days + 1


def stay_limit(stay: Stay) -> int:
    return params.param_days(params.STAY_LIMIT, stay.division_code, stay.admitted_on)


def stay_over_limit(stay: Stay, on: dt.date | None = None) -> bool:
    return stay_days(stay, on) > stay_limit(stay)


def stay_extend(
    stay: Stay, *, reason: str, planned_leave_on: dt.date | None, actor: Actor, client_ip: str = ""
) -> Stay:
    """Record why the stay goes past the limit (治疗, 寻亲未果, 等待接送 …) and the new planned date."""
    if not reason.strip():
        raise RescueError("请填写延长救助的理由")
    if stay.status != "admitted":
        raise RescueError("该受助人员已离站，不能延长救助")
    with transaction.atomic():
        Stay.objects.filter(pk=stay.pk).update(over_limit_reason=reason.strip(), planned_leave_on=planned_leave_on)
        stay.over_limit_reason, stay.planned_leave_on = reason.strip(), planned_leave_on
        audit_record(
            actor=actor,
            action="update",
            object_type="rescue_stay",
            object_id=stay.pk,
            summary=f"延长救助期限至 {planned_leave_on or '未定'}",
            reason=reason.strip(),
            client_ip=client_ip,
        )
    return stay


def identity_request(stay: Stay, *, method: str, actor: Actor, on: dt.date | None = None) -> IdentityRequest:
    if method not in IdentityRequest.Method.values:
        raise RescueError("比对方式应为人脸识别比对或 DNA 比对")
    with transaction.atomic():
        req = IdentityRequest.objects.create(
            stay=stay, method=method, requested_on=on or timezone.localdate(), requested_by=actor
        )
        audit_record(
            actor=actor,
            action="create",
            object_type="rescue_stay",
            object_id=stay.pk,
            summary=f"申请{req.get_method_display()}",
        )
    return req


def identity_answer(
    req: IdentityRequest, *, result: str, id_number: str = "", note: str = "", actor: Actor
) -> IdentityRequest:
    """公安's answer; a match with an identity number in the registry identifies the person on the stay."""
    if result not in (IdentityRequest.Result.MATCHED, IdentityRequest.Result.NO_MATCH):
        raise RescueError("比对结果应为比中或未比中")
    person = _person(id_number) if result == IdentityRequest.Result.MATCHED else None
    if result == IdentityRequest.Result.MATCHED and person is None:
        raise RescueError("比中时请填写比中的身份号码")
    with transaction.atomic():
        req.result, req.answered_on, req.note = result, timezone.localdate(), note.strip()[:300]
        req.save(update_fields=["result", "answered_on", "note"])
        if person is not None:
            Stay.objects.filter(pk=req.stay_id).update(
                person=person, name=person.name, sex=person.sex, home_division=person.division_code
            )
        audit_record(
            actor=actor,
            action="update",
            object_type="rescue_stay",
            object_id=req.stay_id,
            summary=f"{req.get_method_display()}反馈：{req.get_result_display()}",
        )
    return req


def stay_end(stay: Stay, to: str, *, reason: str, on: dt.date | None = None, actor: Actor, client_ip: str = "") -> Stay:
    """转介安置 / 自行离站 / 在站死亡: a workflow step with its reason (the kernel audits it)."""
    if to not in ENDINGS:
        raise RescueError("离站方式应为转介安置、自行离站或在站死亡")
    day = on or timezone.localdate()
    workflow.transition(stay, to, actor=actor, reason=reason, on=day, changes={"ended_on": day}, client_ip=client_ip)
    return stay


@dataclass
class Return:
    escort: str
    receiving_division: str  # a town or village code in the county
    receiver: str
    on: dt.date
    note: str = ""
    prone_to_wander: bool = False  # also enter the 易流浪走失人员 ledger


def stay_return(stay: Stay, data: Return, *, actor: Actor, client_ip: str = "") -> LedgerEntry | None:
    """护送返乡: the handover, the step 护送返乡, and the person on the 返乡人员 ledger of the receiving grid.

    A person returned outside the station's county is handed over only: that county's network keeps the
    ledger (seed 004's four levels), so no entry is made here and None is returned.
    """
    if not data.escort.strip() or not data.receiver.strip():
        raise RescueError("请填写护送人员和接收人")
    if len(data.receiving_division) != 12 or not data.receiving_division.isdigit():
        raise RescueError("接收地应为 12 位乡镇或村区划代码")
    if data.on < stay.admitted_on:
        raise RescueError(f"交接日期 {data.on} 早于入站日期 {stay.admitted_on}")
    local = covers(stay.division_code, data.receiving_division)
    if local and not Division.objects.filter(code=data.receiving_division).exists():
        raise RescueError(f"接收地区划代码 {data.receiving_division} 不存在")
    with transaction.atomic():
        Handover.objects.create(
            stay=stay,
            escort=data.escort.strip(),
            receiving_division=data.receiving_division,
            receiver=data.receiver.strip(),
            handed_over_on=data.on,
            note=data.note.strip(),
            recorded_by=actor,
        )
        workflow.transition(
            stay, "returned", actor=actor, on=data.on, changes={"ended_on": data.on}, client_ip=client_ip
        )
        if not local:
            return None
        who = _ledger_person(stay, data)
        entry = entry_open(LedgerEntry.Kind.RETURNED, who, stay=stay, on=data.on, actor=actor, client_ip=client_ip)
        if data.prone_to_wander:
            entry_open(LedgerEntry.Kind.WANDER, who, stay=stay, on=data.on, actor=actor, client_ip=client_ip)
    return entry


def _ledger_person(stay: Stay, data: Return) -> Who:
    person = stay.person
    return Who(
        person=person,
        name=stay.display_name,
        id_number=person.id_number if person else "",
        phone=person.phone if person else "",
        division_code=data.receiving_division,
        risks=list(stay.risks),
    )


def stay_file_read(stay: Stay, *, actor: Actor, client_ip: str = "") -> None:
    """Opening a person's rescue file is a read of personal data: audited."""
    audit_record(
        actor=actor,
        action="view",
        object_type="rescue_stay",
        object_id=stay.pk,
        summary=f"查看救助档案：{mask_name(stay.display_name)}",
        client_ip=client_ip,
    )
