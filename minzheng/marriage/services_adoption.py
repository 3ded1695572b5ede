"""收养登记 and 解除收养登记 (《中华人民共和国民法典》第五編第五章). Legal numbers:
- 被收养人为未成年人 (第一千零九十三条, 18 周岁: 第十七条);
- 收养人年满三十周岁 (第一千零九十八条第五项);
- 收养人无子女或者只有一名子女 (第一千零九十八条第一项); 有子女的只能收养一名 (第一千一百条);
- 无配偶者收养异性子女，年龄应当相差四十周岁以上 (第一千一百零二条);
- 收养关系自登记之日起成立 (第一千一百零五条).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core import idnumber
from minzheng.core.masking import mask_name
from minzheng.marriage.models import Adoption
from minzheng.marriage.services import MarriageError, age_on
from minzheng.registry.models import Person

ADULT = 18  # 民法典 第十七条
ADOPTER_MIN_AGE = 30  # 第一千零九十八条第五项
MAX_CHILDREN_BEFORE = 1  # 第一千零九十八条第一项
SINGLE_OPPOSITE_SEX_GAP = 40  # 第一千一百零二条
PREFIX = "SY"  # 收养登记证字号: SY + 登记机关代码 + 年份 + 序号


@dataclass
class AdoptionData:
    child_name: str
    child_id_number: str
    adopter_name: str
    adopter_id_number: str
    registered_on: dt.date
    spouse_name: str = ""
    spouse_id_number: str = ""
    children_before: int = 0
    origin: str = ""


def _id(raw: str, what: str) -> idnumber.IdNumber:
    try:
        return idnumber.parse(raw)
    except idnumber.IdNumberError as exc:
        raise MarriageError(f"{what}身份号码：{exc}") from None


def check(data: AdoptionData) -> tuple[idnumber.IdNumber, idnumber.IdNumber]:
    child, adopter = _id(data.child_id_number, "被收养人"), _id(data.adopter_id_number, "收养人")
    day = data.registered_on
    if day > timezone.localdate():
        raise MarriageError(f"登记日期 {day} 晚于今天")
    if age_on(child.birth_date, day) >= ADULT:
        raise MarriageError("被收养人应为未成年人（民法典第一千零九十三条）")
    if age_on(adopter.birth_date, day) < ADOPTER_MIN_AGE:
        raise MarriageError(f"收养人应年满 {ADOPTER_MIN_AGE} 周岁（民法典第一千零九十八条）")
    if data.children_before > MAX_CHILDREN_BEFORE:
        raise MarriageError("收养人已有两名以上子女，不能收养（民法典第一千零九十八条、第一千一百条）")
    spouse = data.spouse_id_number.strip()
    if spouse:
        _id(spouse, "配偶")
    elif child.sex != adopter.sex and age_on(child.birth_date, day) + SINGLE_OPPOSITE_SEX_GAP > age_on(
        adopter.birth_date, day
    ):
        raise MarriageError(
            f"无配偶者收养异性子女，年龄应相差 {SINGLE_OPPOSITE_SEX_GAP} 周岁以上（民法典第一千一百零二条）"
        )
    return child, adopter


def _number(office: str, year: int) -> str:
    head = f"{PREFIX}{office[:6]}-{year}-"
    last = Adoption.objects.filter(certificate_no__startswith=head).order_by("-certificate_no").first()
    return f"{head}{(int(last.certificate_no.rsplit('-', 1)[1]) + 1) if last else 1:06d}"


def adoption_register(data: AdoptionData, *, office: str, actor: Actor, client_ip: str = "") -> Adoption:
    child, adopter = check(data)
    people = {p.id_number: p for p in Person.objects.filter(id_number__in=[child.number, adopter.number])}
    for attempt in range(3):
        try:
            with transaction.atomic():
                row = Adoption.objects.create(
                    division_code=office, registered_on=data.registered_on,
                    certificate_no=_number(office, data.registered_on.year),
                    child=people.get(child.number), child_name=data.child_name.strip(), child_id_number=child.number,
                    child_birth_date=child.birth_date, adopter=people.get(adopter.number),
                    adopter_name=data.adopter_name.strip(), adopter_id_number=adopter.number,
                    adopter_birth_date=adopter.birth_date, spouse_name=data.spouse_name.strip(),
                    spouse_id_number=data.spouse_id_number.strip().upper(), children_before=data.children_before,
                    origin=data.origin.strip(), registrar=actor if getattr(actor, "is_authenticated", False) else None,
                )  # fmt: skip
                audit_record(
                    actor=actor, action="create", object_type="marriage_adoption", object_id=row.pk,
                    summary=f"收养登记：{row.certificate_no}（被收养人 {mask_name(row.child_name)}）",
                    client_ip=client_ip,
                )  # fmt: skip
            return row
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def adoption_dissolve(adoption: Adoption, *, on: dt.date, reason: str, actor: Actor, client_ip: str = "") -> Adoption:
    """解除收养登记 (第一千一百一十四条、第一千一百一十六条): a new row naming the adoption it dissolves."""
    if adoption.kind != Adoption.Kind.ADOPT:
        raise MarriageError("只能解除收养登记")
    if Adoption.objects.filter(adoption=adoption).exists():
        raise MarriageError(f"收养登记 {adoption.certificate_no} 已解除")
    if not reason.strip():
        raise MarriageError("请填写解除收养的原因")
    if on < adoption.registered_on or on > timezone.localdate():
        raise MarriageError(f"解除日期 {on} 应在收养登记日期与今天之间")
    with transaction.atomic():
        row = Adoption.objects.create(
            kind=Adoption.Kind.DISSOLVE, division_code=adoption.division_code, registered_on=on,
            certificate_no=f"J{adoption.certificate_no}", child=adoption.child, child_name=adoption.child_name,
            child_id_number=adoption.child_id_number, child_birth_date=adoption.child_birth_date,
            adopter=adoption.adopter, adopter_name=adoption.adopter_name, adopter_id_number=adoption.adopter_id_number,
            adopter_birth_date=adoption.adopter_birth_date, origin=reason.strip()[:100], adoption=adoption,
            registrar=actor if getattr(actor, "is_authenticated", False) else None,
        )  # fmt: skip
        audit_record(
            actor=actor, action="create", object_type="marriage_adoption", object_id=row.pk,
            summary=f"解除收养登记：{adoption.certificate_no}", reason=reason, client_ip=client_ip,
        )  # fmt: skip
    return row
