"""Writes in 地名管理: register a name, applications through their machines, renaming, signs, addresses.

Every write is one transaction ending in one audit row; an application's state changes only through the
workflow kernel (machines/naming.yaml, machines/use.yaml), so every step has its history row. The checks
of 条例第九条 (no duplicate within the county, homophones flagged, no 洋大怪重 words) run before a name
is accepted and are shown to the expert review.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.cases.models import CaseSequence
from minzheng.divisions.models import Division
from minzheng.placenames.models import Category, NamingApplication, PlaceName, PlaceNameChange, Sign, StandardAddress
from minzheng.placenames.romanise import romanise, sound_key, split, strip_tones
from minzheng.registry.models import Household
from minzheng.workflow import services as workflow
from minzheng.workflow.machine import Machine, load

_DIR = Path(__file__).with_name("machines")
MACHINES: dict[str, Machine] = {
    kind: load(f"placename_{kind}", yaml.safe_load((_DIR / f"{kind}.yaml").read_text(encoding="utf-8")))
    for kind in ("naming", "use")
}


def machine_of(application: NamingApplication) -> Machine:
    return MACHINES["use" if application.kind == NamingApplication.Kind.USE else "naming"]


FINAL_STATES = sorted({s.id for m in MACHINES.values() for s in m.states.values() if s.final})
workflow.bind(
    NamingApplication,
    workflow.Binding(object_type="placename_application", machine=machine_of, due_field="stage_due_on"),
)
# 条例第九条 and the 恩施 “洋、大、怪、重” clean-up (seed 000): words that mark a foreign or inflated name.
FOREIGN_OR_INFLATED = (
    "威尼斯",
    "曼哈顿",
    "维也纳",
    "巴黎",
    "罗马",
    "加州",
    "国际",
    "环球",
    "世界",
    "中央",
    "帝国",
    "皇家",
    "天下第一",
)


class PlaceNameError(ValueError):
    """Refused with a Chinese reason naming the field."""


def _next(prefix: str, width: int) -> str:
    seq, _ = CaseSequence.objects.select_for_update().get_or_create(prefix=prefix)
    CaseSequence.objects.filter(pk=seq.pk).update(last=seq.last + 1)
    return f"{prefix}-{seq.last + 1:0{width}d}"


def _division(code: str) -> Division:
    division = Division.objects.filter(code=code.ljust(12, "0")).first()
    if division is None:
        raise PlaceNameError(f"所在区划“{code}”不在区划表中")
    return division


def name_warnings(name: str, division_code: str, *, exclude: int | None = None) -> list[str]:
    """What 条例第九条 asks the review to weigh: same name or same sound in the county, foreign/inflated words."""
    county = division_code[:6]
    in_use = PlaceName.objects.filter(division_code__startswith=county, status=PlaceName.Status.IN_USE)
    if exclude:
        in_use = in_use.exclude(pk=exclude)
    out = [f"县内已有同名地名：{p.name}（{p.code}）" for p in in_use.filter(name=name)[:5]]
    key = sound_key(name)
    same_sound = [
        p for p in in_use.exclude(name=name).filter(roman_sign__iexact=_sign(name)) if sound_key(p.name) == key
    ]
    out += [f"县内有同音地名：{p.name}（{p.roman_sign}）" for p in same_sound[:5]]
    out += [f"含“{w}”：避免洋、大、怪、重的名称（条例第九条）" for w in FOREIGN_OR_INFLATED if w in name]
    return out


def _sign(name: str) -> str:
    return strip_tones(romanise(name))


def _not_taken(name: str, division_code: str) -> None:
    taken = PlaceName.objects.filter(
        division_code__startswith=division_code[:6], name=name, status=PlaceName.Status.IN_USE
    )
    if taken.exists():
        raise PlaceNameError(f"县内已有在用的地名“{name}”：同一县内不得重名（条例第九条）")


@dataclass
class NameData:
    name: str
    category: str
    division_code: str
    location_text: str = ""
    roman: str = ""  # empty: the suggestion from `romanise`
    minority_name: str = ""
    minority_language: str = ""
    lat: float | None = None
    lng: float | None = None
    meaning: str = ""
    history: str = ""
    approved_by: str = ""
    approved_on: dt.date | None = None
    approval_no: str = ""


def _check_name(name: str, category: str) -> None:
    if not name.strip():
        raise PlaceNameError("请填写名称")
    if category not in Category.values:
        raise PlaceNameError(f"地名类别“{category}”不在类别表中")
    if any(ch.isascii() and ch.isalpha() for ch in name):
        raise PlaceNameError(f"名称“{name}”含外文字母：标准地名用规范汉字（条例第九条）")


@transaction.atomic
def place_register(data: NameData, *, actor: Actor | None, client_ip: str = "") -> PlaceName:
    """Enter a name already standard (地名普查 or an earlier approval) into the register."""
    _check_name(data.name, data.category)
    data.division_code = _division(data.division_code).code  # 9 digits in, the 12-digit code stored
    _not_taken(data.name, data.division_code)
    specific, generic = split(data.name)
    roman = data.roman.strip() or romanise(data.name)
    place = PlaceName.objects.create(
        code=_next(f"DM{data.division_code[:6]}", 6),
        name=data.name.strip(),
        specific=specific,
        generic=generic,
        roman=roman,
        roman_sign=strip_tones(roman),
        **{k: getattr(data, k) for k in ("category", "division_code", "location_text", "minority_name")},
        **{k: getattr(data, k) for k in ("minority_language", "lat", "lng", "meaning", "history")},
        **{k: getattr(data, k) for k in ("approved_by", "approved_on", "approval_no")},
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="place_name",
        object_id=place.pk,
        summary=place.name,
        client_ip=client_ip,
    )
    return place


@dataclass
class ApplicationData:
    kind: str
    proposed_name: str
    category: str
    division_code: str
    applicant: str
    location_text: str
    reason: str
    place: PlaceName | None = None
    roman: str = ""


def _check_application(data: ApplicationData) -> None:
    if data.kind not in NamingApplication.Kind.values:
        raise PlaceNameError(f"申请类型“{data.kind}”应为命名、更名或标准地名使用确认")
    _check_name(data.proposed_name, data.category)
    data.division_code = _division(data.division_code).code
    for label, value in (("申请单位", data.applicant), ("位置描述", data.location_text), ("理由", data.reason)):
        if not value.strip():
            raise PlaceNameError(f"请填写{label}（条例第十一条）")
    if data.kind != NamingApplication.Kind.USE:
        _not_taken(data.proposed_name, data.division_code)
    if data.kind != NamingApplication.Kind.NAME and data.place is None:
        raise PlaceNameError("更名和使用确认须选择所涉的地名")
    if data.kind == NamingApplication.Kind.USE and data.place and data.place.name != data.proposed_name:
        raise PlaceNameError(f"使用确认的名称应与已批准的标准地名“{data.place.name}”一致")


@transaction.atomic
def application_receive(data: ApplicationData, *, actor: Actor, client_ip: str = "") -> NamingApplication:
    """受理: numbered, started in its machine (a use confirmation is due in 1 working day)."""
    _check_application(data)
    today = timezone.localdate()
    specific, generic = split(data.proposed_name)
    app = NamingApplication.objects.create(
        number=_next(f"地名-{data.division_code[:6]}-{today.year}", 4),
        kind=data.kind,
        proposed_name=data.proposed_name.strip(),
        specific=specific,
        generic=generic,
        roman=data.roman.strip() or romanise(data.proposed_name),
        category=data.category,
        division_code=data.division_code,
        place=data.place,
        applicant=data.applicant.strip(),
        location_text=data.location_text.strip(),
        reason=data.reason.strip(),
        status=machine_of(NamingApplication(kind=data.kind)).initial.id,
        received_on=today,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    workflow.start(app, actor=actor, on=today, client_ip=client_ip)
    audit_record(
        actor=actor,
        action="create",
        object_type="placename_application",
        object_id=app.pk,
        summary=app.number,
        client_ip=client_ip,
    )
    return app


def application_move(
    app: NamingApplication,
    to: str,
    *,
    actor: Actor,
    reason: str = "",
    fields: dict[str, Any] | None = None,
    client_ip: str = "",
) -> NamingApplication:
    """One step; the steps that carry data check it first. Approval and 公告 write the register."""
    fields = dict(fields or {})
    today = timezone.localdate()
    changes: dict[str, Any] = {}
    if to == "publicity":
        changes["expert_opinion"] = _required(fields, "expert_opinion", "专家论证意见")
        changes["publicity_until"] = fields.get("publicity_until") or today + dt.timedelta(days=7)
    if to == "approval" and app.publicity_until and today < app.publicity_until:
        raise PlaceNameError(f"公示到 {app.publicity_until} 才结束，结束后才能报批")
    if to == "approved":
        changes["approval_no"] = _required(fields, "approval_no", "批准文号")
    if to in ("announced", "accepted", "refused"):
        changes["decided_on"] = today
    with transaction.atomic():
        workflow.transition(app, to, actor=actor, reason=reason, changes=changes, client_ip=client_ip)
        if to in ("announced", "accepted"):
            _write_register(app, actor=actor, client_ip=client_ip)
    return app


def _required(fields: dict[str, Any], key: str, label: str) -> str:
    value = str(fields.get(key) or "").strip()
    if not value:
        raise PlaceNameError(f"请填写{label}")
    return value


def _write_register(app: NamingApplication, *, actor: Actor, client_ip: str) -> None:
    today = timezone.localdate()
    if app.kind == NamingApplication.Kind.NAME:
        data = NameData(app.proposed_name, app.category, app.division_code, app.location_text, app.roman)
        data.approved_by, data.approved_on, data.approval_no = "县人民政府", today, app.approval_no
        place = place_register(data, actor=actor, client_ip=client_ip)
        PlaceName.objects.filter(pk=place.pk).update(announced_on=today)
        NamingApplication.objects.filter(pk=app.pk).update(place=place)
    elif app.kind == NamingApplication.Kind.RENAME and app.place is not None:
        place_rename(app.place, app.proposed_name, approval_no=app.approval_no, reason=app.reason, actor=actor)


@transaction.atomic
def place_rename(
    place: PlaceName, new_name: str, *, approval_no: str, reason: str, actor: Actor | None, client_ip: str = ""
) -> PlaceName:
    """The old name becomes a 曾用名 row; the record keeps its code, signs and addresses (they now read anew)."""
    place = PlaceName.objects.select_for_update().get(pk=place.pk)
    if place.protected:
        raise PlaceNameError(f"“{place.name}”列入地名文化遗产保护名录，一般不得更名（条例第十条、第二十五条）")
    today = timezone.localdate()
    PlaceNameChange.objects.create(
        place=place, old_name=place.name, new_name=new_name, changed_on=today, approval_no=approval_no, reason=reason
    )
    specific, generic = split(new_name)
    roman = romanise(new_name)
    PlaceName.objects.filter(pk=place.pk).update(
        name=new_name,
        specific=specific,
        generic=generic,
        roman=roman,
        roman_sign=strip_tones(roman),
        approval_no=approval_no,
        approved_on=today,
        announced_on=today,
    )
    Sign.objects.filter(place=place).update(condition=Sign.Condition.FADED, note=f"已更名为“{new_name}”，待更换标志")
    audit_record(
        actor=actor,
        action="update",
        object_type="place_name",
        object_id=place.pk,
        summary=f"{place.name} → {new_name}",
        client_ip=client_ip,
    )
    place.refresh_from_db()
    return place


@transaction.atomic
def sign_check(
    sign: Sign, *, condition: str, note: str = "", on: dt.date | None = None, actor: Actor, client_ip: str = ""
) -> Sign:
    if condition not in Sign.Condition.values:
        raise PlaceNameError(f"标志状况“{condition}”应为完好、褪色、损坏或缺失")
    Sign.objects.filter(pk=sign.pk).update(condition=condition, note=note, checked_on=on or timezone.localdate())
    sign.refresh_from_db()
    audit_record(
        actor=actor,
        action="update",
        object_type="placename_sign",
        object_id=sign.pk,
        summary=sign.get_condition_display(),
        client_ip=client_ip,
    )
    return sign


@transaction.atomic
def sign_create(
    place: PlaceName, *, kind: str, location_text: str, actor: Actor, client_ip: str = "", **extra: Any
) -> Sign:
    if not location_text.strip():
        raise PlaceNameError("请填写标志设置位置")
    sign = Sign.objects.create(
        place=place,
        kind=kind or "路牌",
        division_code=extra.pop("division_code", place.division_code),
        location_text=location_text.strip(),
        text=place.name,
        roman_text=place.roman_sign,
        **extra,
    )
    audit_record(
        actor=actor,
        action="create",
        object_type="placename_sign",
        object_id=sign.pk,
        summary=place.name,
        client_ip=client_ip,
    )
    return sign


@transaction.atomic
def address_set(
    household: Household, place: PlaceName, door_no: str, *, actor: Actor | None, client_ip: str = ""
) -> StandardAddress:
    """Write a household's standard address on a road or estate name of its own county."""
    if place.status != PlaceName.Status.IN_USE:
        raise PlaceNameError(f"“{place.name}”不是在用的标准地名")
    if place.category not in (Category.ROAD, Category.ESTATE, Category.RESIDENTIAL):
        raise PlaceNameError("标准地址应写在街路巷、住宅区楼宇或村（社区）名称上")
    if not household.division_id.startswith(place.division_code[:6]):
        raise PlaceNameError(f"户 {household.household_no} 不在“{place.name}”所在的县")
    if not door_no.strip():
        raise PlaceNameError("请填写门牌号")
    address, _ = StandardAddress.objects.update_or_create(
        household=household, defaults={"place": place, "door_no": door_no.strip()}
    )
    audit_record(
        actor=actor,
        action="update",
        object_type="household",
        object_id=household.pk,
        summary=f"标准地址 {address.text}",
        client_ip=client_ip,
    )
    return address
