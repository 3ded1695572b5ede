"""Writes in 婚姻登记: appointments (on the workflow kernel, machines/appointment.yaml) and registrations.

A 结婚登记 of a resident starts the 婚育户一件事 through the life-event part
(`lifeevents.services.event_from_record`, kind "marriage"): the bureau's own record is the event's source,
the couple reports nothing twice. Legal numbers (《中华人民共和国民法典》):
- 法定婚龄 男 22、女 20 周岁 (第一千零四十七条);
- 离婚冷静期: 申请受理之日起 30 日内可撤回，期满后 30 日内双方到场发证，否则视为撤回 (第一千零七十七条);
  期间开始的当日不计入 (第二百零一条): 发证最早在受理后第 31 日，最迟第 60 日。
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import yaml
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core import idnumber
from minzheng.core.masking import mask_name
from minzheng.marriage.models import Appointment, Kind, Registration
from minzheng.registry.models import Person
from minzheng.workflow import services as workflow
from minzheng.workflow.machine import Machine, load

MACHINE: Machine = load(
    "marriage_appointment",
    yaml.safe_load((Path(__file__).with_name("machines") / "appointment.yaml").read_text(encoding="utf-8")),
)
workflow.bind(Appointment, workflow.Binding(object_type="marriage_appointment", machine=lambda a: MACHINE))

MIN_AGE = {"M": 22, "F": 20}  # 民法典 第一千零四十七条
COOLING_DAYS = 30  # 民法典 第一千零七十七条 第一款
ISSUE_WINDOW_DAYS = 30  # 民法典 第一千零七十七条 第二款
PREFIX = {Kind.MARRY: "J", Kind.DIVORCE: "L"}  # 结婚证、离婚证字号: J/L + 登记机关代码 + 年份 + 序号


class MarriageError(ValueError):
    """Refused with a Chinese reason naming the field."""


def _parse(raw: str, what: str) -> idnumber.IdNumber:
    try:
        return idnumber.parse(raw)
    except idnumber.IdNumberError as exc:
        raise MarriageError(f"{what}身份号码：{exc}") from None


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


@dataclass
class Couple:
    name_a: str
    id_number_a: str
    name_b: str
    id_number_b: str


def _check_couple(c: Couple, kind: str, on: dt.date) -> tuple[str, str]:
    a, b = _parse(c.id_number_a, "男方（一方）"), _parse(c.id_number_b, "女方（另一方）")
    if not c.name_a.strip() or not c.name_b.strip():
        raise MarriageError("请填写双方姓名")
    if a.number == b.number:
        raise MarriageError("双方身份号码相同")
    if kind == Kind.MARRY:
        if a.sex == b.sex:
            raise MarriageError("结婚登记双方应为一男一女（民法典第一千零四十六条、第一千零四十九条）")
        for who, n in (("男方（一方）", a), ("女方（另一方）", b)):
            if age_on(n.birth_date, on) < MIN_AGE[n.sex]:
                need = MIN_AGE[n.sex]
                raise MarriageError(
                    f"{who}未达法定婚龄（{'男' if n.sex == 'M' else '女'}不得早于 {need} 周岁，民法典第一千零四十七条）"
                )
    return a.number, b.number


def book(
    couple: Couple, *, kind: str, on: dt.date, slot: str, office: str, actor: Actor, phone: str = ""
) -> Appointment:
    """预约 (or, for a divorce, 受理离婚登记申请: the 冷静期 runs from the day booked)."""
    if kind not in Kind.values:
        raise MarriageError("登记类型应为结婚登记或离婚登记")
    if on < timezone.localdate():
        raise MarriageError(f"预约日期 {on} 早于今天")
    a, b = _check_couple(couple, kind, on)
    with transaction.atomic():
        appt = Appointment.objects.create(
            kind=kind, division_code=office, on=on, slot=slot.strip(), name_a=couple.name_a.strip(), id_number_a=a,
            name_b=couple.name_b.strip(), id_number_b=b, phone=phone.strip(),
            applied_on=timezone.localdate() if kind == Kind.DIVORCE else None,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        workflow.start(appt, actor=actor)
        audit_record(
            actor=actor, action="create", object_type="marriage_appointment", object_id=appt.pk,
            summary=f"{appt.get_kind_display()}预约：{mask_name(appt.name_a)}、{mask_name(appt.name_b)}（{on} {slot}）",
        )  # fmt: skip
    return appt


def appointment_close(appt: Appointment, to: str, *, actor: Actor, reason: str = "") -> Appointment:
    """取消（离婚申请撤回）或未到场: a workflow step with its reason (the kernel audits it)."""
    if to not in ("cancelled", "no_show"):
        raise MarriageError("只能取消预约或登记未到场")
    workflow.transition(appt, to, actor=actor, reason=reason)
    return appt


def live_marriage(id_number: str) -> Registration | None:
    """The marriage registered here for this person that no registration here has dissolved."""
    dissolved = Registration.objects.filter(kind=Kind.DIVORCE, marriage__isnull=False).values("marriage_id")
    return (
        Registration.objects.filter(Q(id_number_a=id_number) | Q(id_number_b=id_number), kind=Kind.MARRY)
        .exclude(pk__in=dissolved)
        .order_by("-registered_on")
        .first()
    )


def cooling_window(applied_on: dt.date) -> tuple[dt.date, dt.date]:
    """(first, last) day a divorce certificate may be issued for an application received on `applied_on`."""
    return (
        applied_on + dt.timedelta(days=COOLING_DAYS + 1),
        applied_on + dt.timedelta(days=COOLING_DAYS + ISSUE_WINDOW_DAYS),
    )


def _next_number(kind: str, office: str, year: int) -> str:
    head = f"{PREFIX[Kind(kind)]}{office[:6]}-{year}-"
    last = Registration.objects.filter(certificate_no__startswith=head).order_by("-certificate_no").first()
    serial = int(last.certificate_no.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{head}{serial:06d}"


def _checks(appt: Appointment, on: dt.date) -> Registration | None:
    """The appointment may become a registration on `on`; for a divorce, the marriage it dissolves."""
    if appt.status != "booked":
        raise MarriageError(f"预约状态为「{MACHINE.state_label(appt.status)}」，不能办理登记")
    if on > timezone.localdate():
        raise MarriageError(f"登记日期 {on} 晚于今天")
    _check_couple(Couple(appt.name_a, appt.id_number_a, appt.name_b, appt.id_number_b), appt.kind, on)
    if appt.kind == Kind.MARRY:
        for who, number in (("男方（一方）", appt.id_number_a), ("女方（另一方）", appt.id_number_b)):
            found = live_marriage(number)
            if found is not None:
                raise MarriageError(f"{who}已于 {found.registered_on} 登记结婚（{found.certificate_no}），未见离婚登记")
        return None
    first, last = cooling_window(appt.applied_on or appt.on)
    if not first <= on <= last:
        raise MarriageError(
            f"离婚冷静期：申请受理于 {appt.applied_on}，应在 {first} 至 {last} 之间双方到场发证"
            "（民法典第一千零七十七条）"
        )
    marriage = live_marriage(appt.id_number_a)
    if marriage is not None and {marriage.id_number_a, marriage.id_number_b} != {appt.id_number_a, appt.id_number_b}:
        raise MarriageError(f"本机关登记的{appt.name_a}的婚姻（{marriage.certificate_no}）不是与{appt.name_b}")
    return marriage


def register(appt: Appointment, *, actor: Actor, on: dt.date | None = None, client_ip: str = "") -> Registration:
    """办理登记: the certificate number, the appointment closed, and for a marriage the 婚育户一件事."""
    day = on or timezone.localdate()
    marriage = _checks(appt, day)
    people = {p.id_number: p for p in Person.objects.filter(id_number__in=[appt.id_number_a, appt.id_number_b])}
    for attempt in range(3):  # two registrars numbering at once: the unique number decides, the loser renumbers
        try:
            with transaction.atomic():
                reg = Registration.objects.create(
                    kind=appt.kind, division_code=appt.division_code, registered_on=day,
                    certificate_no=_next_number(appt.kind, appt.division_code, day.year),
                    person_a=people.get(appt.id_number_a), name_a=appt.name_a, id_number_a=appt.id_number_a,
                    person_b=people.get(appt.id_number_b), name_b=appt.name_b, id_number_b=appt.id_number_b,
                    marriage=marriage, appointment=appt,
                    registrar=actor if getattr(actor, "is_authenticated", False) else None,
                )  # fmt: skip
                workflow.transition(appt, "registered", actor=actor, on=day, client_ip=client_ip)
                audit_record(
                    actor=actor, action="create", object_type="marriage_registration", object_id=reg.pk,
                    summary=f"{reg.get_kind_display()}：{reg.certificate_no}（{mask_name(reg.name_a)}、{mask_name(reg.name_b)}）",
                    client_ip=client_ip,
                )  # fmt: skip
                if reg.kind == Kind.MARRY:
                    _marriage_event(reg, actor)
            return reg
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _marriage_event(reg: Registration, actor: Actor | None) -> None:
    """婚育户一件事 for a resident party (女方 first when both are: 生育登记 follows her), the other as partner."""
    from minzheng.lifeevents.services import event_from_record

    person, partner = (reg.person_b, reg.person_a) if reg.person_b is not None else (reg.person_a, reg.person_b)
    if person is None:
        return  # neither party is a resident of this registry: nothing here to move or recompute
    partner_id = reg.id_number_a if person == reg.person_b else reg.id_number_b
    event_from_record(
        kind="marriage",
        person=person,
        source="marriage",
        source_ref=reg.certificate_no,
        facts={
            "registered_on": reg.registered_on.isoformat(),
            "certificate_no": reg.certificate_no,
            "partner_id_number": partner_id,
            "partner_name": reg.name_a if person == reg.person_b else reg.name_b,
            "partner_person_id": partner.pk if partner is not None else None,
        },
        actor=None,  # the department record drafts the event; 受理 stays a window officer's step
    )


def registration_read(reg: Registration, *, actor: Actor, client_ip: str = "") -> None:
    audit_record(
        actor=actor, action="view", object_type="marriage_registration", object_id=reg.pk,
        summary=f"查看婚姻登记档案：{reg.certificate_no}", client_ip=client_ip,
    )  # fmt: skip
