"""Writes of 灾害救助: events, village assessments, relief claims (a case on the kernel plus its facts).

Every write is one transaction ending in one audit row. Jurisdiction is checked here as well as in
the views: an event's area, a village's assessment and a claim's household must lie inside the
actor's jurisdiction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import covers
from minzheng.disaster.models import CASE_TYPES, Assessment, Event, Kind, ReliefClaim, ReliefRecipient
from minzheng.divisions.models import Division
from minzheng.registry.models import Household

STANDARDS_FILE = Path(__file__).with_name("data") / "standards.yaml"
INDICATORS = (
    "affected_persons",
    "relocated_persons",
    "transition_persons",
    "houses_collapsed",
    "houses_severe",
    "houses_general",
)
CLOSED = ("rejected", "withdrawn")


class DisasterError(ValueError):
    """Refused with a Chinese reason naming the field."""


@cache
def standards() -> dict[str, Any]:
    return yaml.safe_load(STANDARDS_FILE.read_text(encoding="utf-8"))


def kind_label(kind: str) -> str:
    return str(standards()["kinds"]["values"].get(kind, kind))


def _jurisdiction(actor: Actor) -> str:
    return str(getattr(actor, "jurisdiction", "") or "")


def check_area(actor: Actor, codes: list[str], label: str = "受灾区域") -> list[str]:
    codes = sorted({c.strip() for c in codes if c.strip()})
    if not codes:
        raise DisasterError(f"{label}：请至少选择一个乡镇或村（社区）")
    known = set(Division.objects.filter(code__in=[c.ljust(12, "0") for c in codes]).values_list("code", flat=True))
    for code in codes:
        if not covers(_jurisdiction(actor), code):
            raise DisasterError(f"{label}：{code} 超出您的管辖范围")
        if code.ljust(12, "0") not in known:
            raise DisasterError(f"{label}：区划代码 {code} 不存在")
    return codes


@dataclass
class EventData:
    name: str
    kind: str
    areas: list[str]
    started_on: dt.date
    ended_on: dt.date | None = None
    response_level: str = ""
    level_basis: str = ""
    description: str = ""


def _check_event(data: EventData) -> None:
    if not data.name.strip():
        raise DisasterError("事件名称：请填写")
    if data.kind not in standards()["kinds"]["values"]:
        raise DisasterError(f"灾害类型：{data.kind} 不在 GB/T 28921 分类中")
    if data.response_level and data.response_level not in standards()["levels"]["values"]:
        raise DisasterError("应急响应等级：应为 Ⅰ、Ⅱ、Ⅲ、Ⅳ 之一或不启动")
    if data.response_level and not data.level_basis.strip():
        raise DisasterError("启动依据：启动应急响应须写明依据（预案条款、会商意见）")
    if data.started_on > timezone.localdate():
        raise DisasterError(f"发生日期：{data.started_on} 晚于今天")
    if data.ended_on and data.ended_on < data.started_on:
        raise DisasterError(f"灾情稳定日期：{data.ended_on} 早于发生日期")


def event_create(data: EventData, *, actor: Actor, client_ip: str = "") -> Event:
    _check_event(data)
    areas = check_area(actor, data.areas)
    with transaction.atomic():
        event = Event.objects.create(
            name=data.name.strip(), kind=data.kind, division_code=_jurisdiction(actor)[:6] or areas[0][:6],
            areas=areas, started_on=data.started_on, ended_on=data.ended_on,
            response_level=data.response_level, level_basis=data.level_basis.strip()[:300],
            description=data.description.strip(), created_by=actor if _user(actor) else None,
        )  # fmt: skip
        audit_record(
            actor=actor, action="create", object_type="disaster_event", object_id=event.pk,
            summary=f"登记灾害事件 {event.name}（{kind_label(event.kind)}，{len(areas)} 个区域）",
            client_ip=client_ip, data={"areas": areas, "level": data.response_level},
        )  # fmt: skip
    return event


def event_update(event: Event, data: EventData, *, actor: Actor, client_ip: str = "") -> Event:
    """A change of level or end date is recorded with its basis (the audit row keeps the old values)."""
    _check_event(data)
    areas = check_area(actor, data.areas)
    old = {"level": event.response_level, "ended_on": str(event.ended_on or ""), "areas": event.areas}
    with transaction.atomic():
        Event.objects.filter(pk=event.pk).update(
            name=data.name.strip(), kind=data.kind, areas=areas, started_on=data.started_on,
            ended_on=data.ended_on, response_level=data.response_level,
            level_basis=data.level_basis.strip()[:300], description=data.description.strip(),
        )  # fmt: skip
        audit_record(
            actor=actor, action="update", object_type="disaster_event", object_id=event.pk,
            summary=f"更新灾害事件 {data.name.strip()}", client_ip=client_ip, data={"old": old},
        )  # fmt: skip
    event.refresh_from_db()
    return event


def _user(actor: Actor) -> bool:
    return bool(getattr(actor, "is_authenticated", False))


def in_area(event: Event, code: str) -> bool:
    return any(code.startswith(a) for a in event.areas)


def assessment_report(
    event: Event, village: str, figures: dict[str, int], *, loss_fen: int = 0, note: str = "",
    actor: Actor, client_ip: str = "",
) -> Assessment:  # fmt: skip
    """首报 or 续报 of one village: the latest figures replace the earlier ones (the audit row keeps both)."""
    if len(village) != 12 or not Division.objects.filter(code=village).exists():
        raise DisasterError(f"村（社区）：区划代码 {village} 不是村级代码")
    if not covers(_jurisdiction(actor), village):
        raise DisasterError(f"村（社区）：{village} 超出您的管辖范围")
    if not in_area(event, village):
        raise DisasterError(f"村（社区）：{village} 不在本次灾害的受灾区域内")
    values = {k: int(figures.get(k) or 0) for k in INDICATORS}
    bad = [k for k, v in values.items() if v < 0] + (["loss_fen"] if loss_fen < 0 else [])
    if bad:
        raise DisasterError(f"{'、'.join(_indicator(k) for k in bad)}：不能为负数")
    if values["relocated_persons"] > values["affected_persons"]:
        raise DisasterError("紧急转移安置人口：不能多于受灾人口")
    with transaction.atomic():
        row = Assessment.objects.select_for_update().filter(event=event, division_code=village).first()
        old = {k: getattr(row, k) for k in (*INDICATORS, "loss_fen")} if row else None
        if row is None:
            row = Assessment.objects.create(
                event=event, division_code=village, loss_fen=loss_fen, note=note.strip()[:300],
                reported_by=actor if _user(actor) else None, **values,
            )  # fmt: skip
        else:
            Assessment.objects.filter(pk=row.pk).update(
                loss_fen=loss_fen, note=note.strip()[:300], version=row.version + 1, reported_at=timezone.now(),
                reported_by=actor if _user(actor) else None, **values,
            )  # fmt: skip
            row.refresh_from_db()
        audit_record(
            actor=actor, action="create" if old is None else "update", object_type="disaster_assessment",
            object_id=row.pk, summary=f"{_report_word(old, row.version)}灾情 {village}（{event.name}）",
            client_ip=client_ip, data={"new": {**values, "loss_fen": loss_fen}, "old": old},
        )  # fmt: skip
    return row


def _report_word(old: Any, version: int) -> str:
    return "首报" if old is None else f"第 {version} 次续报"


def _indicator(key: str) -> str:
    return str(standards()["indicators"]["values"].get(key, key))


@dataclass
class ClaimData:
    kind: str
    household: Household
    received_on: dt.date
    house_damage: str = ""
    no_livelihood: bool = False
    transition_persons: int = 0
    winter_hardship: bool = False
    winter_persons: int = 0
    note: str = ""
    authorisation_no: str = ""  # 核对授权书编号 (the investigation's 一键核对 report needs it)


def already_covered(event: Event, kind: str, household: Household) -> str | None:
    """Why this household cannot claim again: an open or paid claim, or a member already paid."""
    claims = ReliefClaim.objects.filter(event=event, kind=kind, household=household).exclude(case__status__in=CLOSED)
    claim = claims.select_related("case").first()
    if claim is not None:
        return f"该户已有本次灾害的{Kind(kind).label}申请 {claim.case.case_no}"
    member_ids = list(household.members.values_list("pk", flat=True))
    paid = ReliefRecipient.objects.filter(event=event, kind=kind, person_id__in=member_ids).select_related("person")
    first = paid.first()
    if first is not None:
        return f"家庭成员 {first.person.name} 已随其他户领取本次灾害的{Kind(kind).label}"
    return None


def _check_claim(event: Event, d: ClaimData, actor: Actor) -> None:
    if d.kind not in Kind.values:
        raise DisasterError("救助类别：应为过渡期生活救助或冬春救助")
    if not covers(_jurisdiction(actor), d.household.division_id):
        raise DisasterError(f"户 {d.household.household_no} 超出您的管辖范围")
    if not in_area(event, d.household.division_id):
        raise DisasterError(f"户 {d.household.household_no} 所在村不在本次灾害的受灾区域内")
    size = d.household.members.count()
    persons = d.transition_persons if d.kind == Kind.TRANSITION else d.winter_persons
    if persons < 0 or persons > size:
        raise DisasterError(f"救助人数：应在 0 至 {size}（户内人数）之间")
    reason = already_covered(event, d.kind, d.household)
    if reason:
        raise DisasterError(reason)


def claim_open(event: Event, d: ClaimData, *, actor: Actor, client_ip: str = "") -> ReliefClaim:
    """受理: the case (kernel: number, deadlines, checklist, 受理通知书, 待办) and the facts the policy reads."""
    from minzheng.cases import services as cases

    _check_claim(event, d, actor)
    try:
        with transaction.atomic():
            opening = cases.Opening(CASE_TYPES[Kind(d.kind)], d.household, d.received_on, d.authorisation_no)
            case = cases.case_open(opening, actor=actor, client_ip=client_ip)
            claim = ReliefClaim.objects.create(
                event=event, kind=d.kind, case=case, household=d.household,
                division_code=d.household.division_id, house_damage=d.house_damage,
                no_livelihood=d.no_livelihood, transition_persons=d.transition_persons,
                winter_hardship=d.winter_hardship, winter_persons=d.winter_persons, note=d.note.strip()[:300],
            )  # fmt: skip
            audit_record(
                actor=actor, action="create", object_type="disaster_claim", object_id=claim.pk,
                summary=f"受理{Kind(d.kind).label} {case.case_no}（{event.name}，户 {d.household.household_no}）",
                client_ip=client_ip,
            )  # fmt: skip
    except cases.CaseError as exc:
        raise DisasterError(str(exc)) from None
    except IntegrityError:
        raise DisasterError("该户本次灾害的申请已由他人同时受理") from None
    return claim
