"""Writes about institutions and their residents: registration, beds, the unit account, admissions,
discharges and reassessed care levels. Every write is one transaction ending in one audit row.

特困人员集中供养: a 特困 person admitted for 集中供养 has the live 特困 entitlement paid into the
institution's account from the month after admission (payments.services.entitlement_pay_to_unit), and
back into their own account from the month after discharge; the payroll does the paying.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.dates import add_months, first_of, month_label
from minzheng.core.masking import mask_name
from minzheng.divisions.models import Division
from minzheng.institutions.models import CARE_LEVELS, Institution, Resident, level_label
from minzheng.payments import services as payments
from minzheng.payments.models import Entitlement
from minzheng.registry.models import Person, PersonTag

TEKUN = "tekun"  # the payments programme of 特困人员基本生活费


class InstitutionError(ValueError):
    """Refused with a Chinese reason naming the field."""


@dataclass
class InstitutionData:
    code: str
    name: str
    kind: str
    operator: str
    division_code: str
    filing_no: str = ""
    licence_no: str = ""
    credit_code: str = ""
    address: str = ""
    phone: str = ""
    lat: float | None = None
    lng: float | None = None
    beds: dict[str, int] = field(default_factory=dict)
    medical: bool = False
    opened_on: dt.date | None = None


def _check_beds(beds: dict[str, int]) -> dict[str, int]:
    clean: dict[str, int] = {}
    for key, value in beds.items():
        if int(key) not in CARE_LEVELS:
            raise InstitutionError(f"床位照护等级 {key} 不存在（应为 0–4）")
        if int(value) < 0:
            raise InstitutionError(f"{level_label(int(key))}床位数不能为负数")
        clean[str(int(key))] = int(value)
    return clean


def _check(data: InstitutionData) -> None:
    if not data.code.strip() or not data.name.strip() or not data.operator.strip():
        raise InstitutionError("请填写机构代码、机构名称和运营方")
    if data.kind not in Institution.Kind.values:
        raise InstitutionError("机构性质应为公办、公建民营或民办")
    if not (data.filing_no.strip() or data.licence_no.strip()):
        raise InstitutionError("请填写备案回执编号（或 2019 年前取得的设立许可证号）")
    if not Division.objects.filter(code=data.division_code).exists():
        raise InstitutionError(f"所在区划代码 {data.division_code} 不存在")
    if (data.lat is None) != (data.lng is None):
        raise InstitutionError("经纬度须同时填写")


def institution_save(
    data: InstitutionData, *, actor: Actor | None, instance: Institution | None = None, client_ip: str = ""
) -> Institution:
    """Register an institution (备案) or update its record; the code never changes once registered."""
    _check(data)
    beds = _check_beds(data.beds)
    fields = {k: v for k, v in data.__dict__.items() if k not in ("code", "beds")}
    with transaction.atomic():
        if instance is None:
            if Institution.objects.filter(code=data.code.strip()).exists():
                raise InstitutionError(f"机构代码 {data.code} 已登记")
            inst = Institution.objects.create(code=data.code.strip(), beds=beds, **fields)
        else:
            inst = instance
            for key, value in {**fields, "beds": beds}.items():
                setattr(inst, key, value)
            inst.save()
        audit_record(
            actor=actor,
            action="create" if instance is None else "update",
            object_type="institution",
            object_id=inst.pk,
            summary=f"{'登记' if instance is None else '更新'}养老机构：{inst.name}（{inst.get_kind_display()}，"
            f"床位 {inst.beds_total} 张）",
            client_ip=client_ip,
        )
    return inst


def institution_account_set(
    inst: Institution, *, bank_code: str, bank_name: str, account_no: str, reason: str, actor: Actor
) -> None:
    """The institution's 对公账户, into which 集中供养 特困人员's money is paid."""
    try:
        payments.unit_account_set(
            inst.code, unit_name=inst.name, division_code=inst.division_code, bank_code=bank_code,
            bank_name=bank_name, account_no=account_no, reason=reason, actor=actor,
        )  # fmt: skip
    except payments.EntitlementError as exc:
        raise InstitutionError(str(exc)) from None


# ------------------------------------------------------------------ residents


def occupied(inst: Institution, level: int | None = None, on: dt.date | None = None) -> int:
    """Residents in the institution on `on` (default today), at one care level or all."""
    day = on or timezone.localdate()
    qs = inst.residents.filter(admitted_on__lte=day).exclude(discharged_on__lte=day)
    return qs.filter(care_level=level).count() if level is not None else qs.count()


@dataclass
class Admission:
    person: Person
    admitted_on: dt.date
    supply: str = Resident.Supply.SELF
    care_level: int | None = None  # None: the level of the person's latest eldercare assessment
    level_assessed_on: dt.date | None = None
    agreement_no: str = ""
    bed_no: str = ""
    note: str = ""


def _level_from_eldercare(person: Person) -> tuple[int | None, dt.date | None]:
    from minzheng.eldercare.models import Elder

    elder = Elder.objects.filter(person=person).values_list("ability_level", "level_assessed_on").first()
    return (elder[0], elder[1]) if elder else (None, None)


def _check_admission(inst: Institution, data: Admission) -> tuple[int, dt.date | None]:
    if not inst.active:
        raise InstitutionError(f"{inst.name} 已停止运营，不能办理入住")
    if data.admitted_on > timezone.localdate():
        raise InstitutionError(f"入住日期 {data.admitted_on} 晚于今天")
    if data.supply not in Resident.Supply.values:
        raise InstitutionError("入住方式应为自费入住或特困人员集中供养")
    level, assessed = data.care_level, data.level_assessed_on
    if level is None:
        level, assessed = _level_from_eldercare(data.person)
    if level is None or level not in CARE_LEVELS:
        # 《养老机构管理办法》: an admission assessment decides the care level before the stay begins.
        raise InstitutionError("照护等级：入住前须完成老年人能力评估（GB/T 42195-2022）并填写等级")
    if Resident.objects.filter(person=data.person, discharged_on__isnull=True).exists():
        raise InstitutionError(f"{mask_name(data.person.name)} 仍在机构入住，须先办理离院")
    # Every stay not ended by the admission day holds a bed from then on (a back-dated entry included).
    holding = inst.residents.filter(care_level=level).exclude(discharged_on__lte=data.admitted_on).count()
    if holding >= inst.beds_at(level):
        raise InstitutionError(f"{level_label(level)}床位已满（{inst.beds_at(level)} 张），不能再入住")
    return level, assessed


def _tekun_entitlement(person: Person) -> Entitlement | None:
    return payments.live_entitlement(TEKUN, person)


def admit(inst: Institution, data: Admission, *, actor: Actor, client_ip: str = "") -> Resident:
    """入住: the stay, and for 集中供养 the 特困 entitlement paid into the institution from next month."""
    level, assessed = _check_admission(inst, data)
    tekun = _tekun_entitlement(data.person) if data.supply == Resident.Supply.TEKUN else None
    tagged = PersonTag.objects.filter(person=data.person, kind=PersonTag.Kind.TEKUN).exists()
    if data.supply == Resident.Supply.TEKUN and tekun is None and not tagged:
        raise InstitutionError("入住方式：该老人不是特困人员（无特困供养待遇），不能按集中供养入住")
    with transaction.atomic():
        row = Resident.objects.create(
            institution=inst, person=data.person, division_code=inst.division_code, supply=data.supply,
            care_level=level, level_assessed_on=assessed, agreement_no=data.agreement_no.strip(),
            bed_no=data.bed_no.strip(), admitted_on=data.admitted_on, note=data.note.strip()[:200],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        paid = ""
        if tekun is not None:
            month = add_months(first_of(data.admitted_on), 1)
            reason = f"集中供养：入住{inst.name}，特困供养金自{month_label(month)}起付至机构账户"
            payments.entitlement_pay_to_unit(tekun, unit=inst.code, month=month, reason=reason, actor=actor)
            paid = f"；{reason}"
        audit_record(
            actor=actor,
            action="create",
            object_type="institution_resident",
            object_id=row.pk,
            summary=f"{inst.name} 入住：{mask_name(data.person.name)}"
            f"（{row.get_supply_display()}，{level_label(level)}）{paid}",
            client_ip=client_ip,
        )
    return row


def discharge(
    row: Resident, *, on: dt.date, reason: str, note: str = "", actor: Actor, client_ip: str = ""
) -> Resident:
    """离院: the stay ends; a 集中供养 特困 person's money goes back to their own account next month."""
    if row.discharged_on is not None:
        raise InstitutionError("该老人已离院")
    if reason not in Resident.Discharge.values:
        raise InstitutionError("请选择离院原因")
    if on < row.admitted_on or on > timezone.localdate():
        raise InstitutionError(f"离院日期 {on} 应在入住日期 {row.admitted_on} 与今天之间")
    with transaction.atomic():
        Resident.objects.filter(pk=row.pk).update(discharged_on=on, discharge_reason=reason, note=note.strip()[:200])
        row.discharged_on, row.discharge_reason = on, reason
        tekun = _tekun_entitlement(row.person) if row.supply == Resident.Supply.TEKUN else None
        extra = ""
        if tekun is not None and tekun.payee_unit == row.institution.code and reason != Resident.Discharge.DIED:
            month = add_months(first_of(on), 1)
            why = f"离开{row.institution.name}（{row.get_discharge_reason_display()}），"
            why += f"特困供养金自{month_label(month)}起付回本人账户"
            payments.entitlement_pay_to_unit(tekun, unit="", month=month, reason=why, actor=actor)
            extra = f"；{why}"
        audit_record(
            actor=actor,
            action="update",
            object_type="institution_resident",
            object_id=row.pk,
            summary=f"{row.institution.name} 离院：{mask_name(row.person.name)}"
            f"（{row.get_discharge_reason_display()}）{extra}",
            client_ip=client_ip,
        )
    return row


def level_set(row: Resident, *, level: int, assessed_on: dt.date, actor: Actor, client_ip: str = "") -> Resident:
    """A reassessment changes the resident's care level (and so next month's subsidy)."""
    if level not in CARE_LEVELS:
        raise InstitutionError("照护等级应为 0–4")
    if assessed_on > timezone.localdate():
        raise InstitutionError(f"评估日期 {assessed_on} 晚于今天")
    with transaction.atomic():
        old = row.care_level
        Resident.objects.filter(pk=row.pk).update(care_level=level, level_assessed_on=assessed_on)
        row.care_level, row.level_assessed_on = level, assessed_on
        audit_record(
            actor=actor,
            action="update",
            object_type="institution_resident",
            object_id=row.pk,
            summary=f"照护等级变更：{level_label(old)} → {level_label(level)}（{assessed_on} 评估）",
            client_ip=client_ip,
        )
    return row


def resident_read(row: Resident, *, actor: Actor, client_ip: str = "") -> None:
    """Opening a resident's record is a read of personal data: audited."""
    audit_record(
        actor=actor,
        action="view",
        object_type="institution_resident",
        object_id=row.pk,
        summary=f"查看入住老人：{mask_name(row.person.name)}（{row.institution.name}）",
        client_ip=client_ip,
    )


def exported(*, actor: Actor, what: str, rows: int, client_ip: str = "") -> None:
    audit_record(
        actor=actor,
        action="export",
        object_type="institution_export",
        summary=f"导出{what}（{rows} 行）",
        client_ip=client_ip,
    )
