"""Writes for 社工站, social workers and volunteers: one transaction, keyword-only `actor=`, one audit row.

Activities and sign-in are in `services_activity.py`; the time bank in `services_timebank.py`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.models import Role, User
from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.registry.models import Person
from minzheng.volunteers.models import Certificate, Skill, SocialWorker, Station, Volunteer

PERIODS = {"am": "上午", "pm": "下午", "eve": "晚上"}
WEEKDAYS = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


class VolunteerError(ValueError):
    """A write refused; the message is Chinese and names the field."""


def _audit(actor: Actor | None, action: str, otype: str, oid: Any, summary: str, ip: str = "", **data: Any) -> None:
    audit_record(
        actor=actor, action=action, object_type=otype, object_id=oid, summary=summary, client_ip=ip, data=data or None
    )


@transaction.atomic
def station_create(
    *, actor: Actor | None, town_code: str, name: str, address: str = "", lat: float | None = None,
    lng: float | None = None, phone: str = "", operator_name: str = "", operator_credit_code: str = "",
    opened_on: dt.date | None = None, client_ip: str = "",
) -> Station:  # fmt: skip
    """A town's 社工站 (one per town: a second one for the same town is refused)."""
    if len(town_code) != 9 or not town_code.isdigit():
        raise VolunteerError(f"所在乡镇：“{town_code}”应为 9 位乡镇（街道）区划代码")
    if Station.objects.filter(town_code=town_code).exists():
        raise VolunteerError(f"所在乡镇：{town_code} 已有社工站")
    if not name.strip():
        raise VolunteerError("社工站名称：请填写")
    station = Station.objects.create(
        town_code=town_code, name=name.strip(), address=address, lat=lat, lng=lng, phone=phone,
        operator_name=operator_name, operator_credit_code=operator_credit_code, opened_on=opened_on,
    )  # fmt: skip
    _audit(actor, "create", "volunteer_station", station.pk, f"设立社工站 {station.name}", client_ip)
    return station


@transaction.atomic
def worker_add(
    *, actor: Actor | None, station: Station, name: str, phone: str = "", certificate: str = Certificate.NONE,
    certificate_no: str = "", user: User | None = None, joined_on: dt.date | None = None, client_ip: str = "",
) -> SocialWorker:  # fmt: skip
    if certificate not in Certificate.values:
        raise VolunteerError(f"证书等级：“{certificate}”不在可选范围内")
    if certificate != Certificate.NONE and not certificate_no.strip():
        raise VolunteerError("证书编号：持证社工请填写证书编号")
    if user is not None:
        if user.role != Role.SOCIAL_WORKER or not str(user.jurisdiction).startswith(station.town_code):
            raise VolunteerError(f"账号：{user.username} 不是 {station.name} 所在乡镇的社工账号")
        if SocialWorker.objects.filter(user=user).exists():
            raise VolunteerError(f"账号：{user.username} 已关联其他社工")
    if not name.strip():
        raise VolunteerError("姓名：请填写")
    worker = SocialWorker.objects.create(
        station=station, name=name.strip(), phone=phone, certificate=certificate,
        certificate_no=certificate_no.strip(), user=user, joined_on=joined_on,
    )  # fmt: skip
    _audit(actor, "create", "volunteer_station", station.pk, f"{station.name} 登记社工 {worker.name}", client_ip)
    return worker


def _check_choices(skills: list[str], weekdays: list[int], periods: list[str]) -> None:
    bad = [s for s in skills if s not in Skill.values]
    if bad:
        raise VolunteerError(f"服务技能：“{'、'.join(bad)}”不在可选范围内")
    if any(d not in range(7) for d in weekdays):
        raise VolunteerError("可服务日：应为周一至周日")
    if any(p not in PERIODS for p in periods):
        raise VolunteerError("可服务时段：应为上午、下午或晚上")


@transaction.atomic
def volunteer_register(
    *, actor: Actor | None, person: Person, skills: list[str], weekdays: list[int], periods: list[str],
    phone: str = "", registered_on: dt.date | None = None, client_ip: str = "",
) -> Volunteer:  # fmt: skip
    """志愿者注册: one record per registry person (a second registration is refused)."""
    _check_choices(skills, weekdays, periods)
    if Volunteer.objects.filter(person=person).exists():
        raise VolunteerError(f"公民身份号码：{person.name} 已注册为志愿者")
    vol = Volunteer.objects.create(
        person=person, volunteer_no=uuid.uuid4().hex[:24], division_code=person.division_code,
        skills=sorted(set(skills)), weekdays=sorted(set(weekdays)), periods=sorted(set(periods)),
        phone=phone or person.phone, registered_on=registered_on or timezone.localdate(), created_by=actor,
    )  # fmt: skip
    vol.volunteer_no = f"ZY{person.division_code[:6]}{vol.pk:08d}"
    vol.save(update_fields=["volunteer_no"])
    _audit(actor, "create", "volunteer", vol.pk, f"注册志愿者 {vol.volunteer_no}", client_ip)
    return vol


@transaction.atomic
def volunteer_update(
    vol: Volunteer, *, actor: Actor, skills: list[str], weekdays: list[int], periods: list[str], phone: str,
    active: bool, client_ip: str = "",
) -> Volunteer:  # fmt: skip
    _check_choices(skills, weekdays, periods)
    vol.skills, vol.weekdays, vol.periods = sorted(set(skills)), sorted(set(weekdays)), sorted(set(periods))
    vol.phone, vol.active = phone, active
    vol.save(update_fields=["skills", "weekdays", "periods", "phone", "active"])
    _audit(actor, "update", "volunteer", vol.pk, f"修改志愿者 {vol.volunteer_no} 的技能与服务时间", client_ip)
    return vol


@transaction.atomic
def volunteer_link_account(vol: Volunteer, *, user: User, actor: Actor | None, client_ip: str = "") -> Volunteer:
    """The volunteer's own account (role 志愿者) opens the phone pages of this record only."""
    if user.role != Role.VOLUNTEER:
        raise VolunteerError(f"账号：{user.username} 不是志愿者账号")
    if not vol.division_code.startswith(str(user.jurisdiction)):
        raise VolunteerError(f"账号：{user.username} 的管辖范围不含志愿者所在村（社区）")
    taken = Volunteer.objects.filter(user=user).exclude(pk=vol.pk).first()
    if taken is not None:
        raise VolunteerError(f"账号：{user.username} 已关联志愿者 {taken.volunteer_no}")
    vol.user = user
    vol.save(update_fields=["user"])
    _audit(actor, "update", "volunteer", vol.pk, f"志愿者 {vol.volunteer_no} 关联账号 {user.username}", client_ip)
    return vol


def volunteer_read(vol: Volunteer, *, actor: Actor, client_ip: str = "") -> Volunteer:
    """Every detail read of a volunteer (a registered person) leaves an audit row."""
    _audit(actor, "view", "volunteer", vol.pk, f"查看志愿者 {vol.volunteer_no}", client_ip)
    return vol


def exported(*, actor: Actor, what: str, name: str, rows: int, filters: dict[str, str], client_ip: str = "") -> None:
    _audit(actor, "export", "volunteer_export", name, f"导出{what} {rows} 条", client_ip, filters=filters, rows=rows)
