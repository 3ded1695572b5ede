"""Grave clean-up campaigns as a ledger of sites and actions (seed 002 金华 “青山白化”整治), and the
殡葬协理员 of each village (seed 002 湖州: 每个村(社区)配备一名殡葬协理员). One transaction, one audit row each."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.jurisdiction import covers
from minzheng.divisions.models import Division
from minzheng.funeral.models import Assistant, Campaign, CleanupSite
from minzheng.funeral.services import FuneralError, _user
from minzheng.registry.models import Person


def _village(code: str, actor: Actor) -> None:
    if len(code) != 12 or not Division.objects.filter(code=code, level=5).exists():
        raise FuneralError(f"区划代码 {code} 不是村（社区）")
    if not covers(getattr(actor, "jurisdiction", "") or "", code):
        raise FuneralError(f"村（社区）{code} 不在您的管辖范围内")


@transaction.atomic
def campaign_create(*, name: str, division_code: str, starts_on: dt.date, ends_on: dt.date, actor: Actor) -> Campaign:
    if not name.strip():
        raise FuneralError("请填写整治行动名称")
    if ends_on < starts_on:
        raise FuneralError(f"结束日期 {ends_on} 早于开始日期 {starts_on}")
    if not covers(getattr(actor, "jurisdiction", "") or "", division_code):
        raise FuneralError(f"范围 {division_code} 不在您的管辖范围内")
    campaign = Campaign.objects.create(
        name=name.strip(), division_code=division_code, starts_on=starts_on, ends_on=ends_on, created_by=_user(actor)
    )
    audit_record(
        actor=actor, action="create", object_type="funeral_cleanup", object_id=f"c{campaign.pk}",
        summary=f"新建坟墓整治行动：{campaign.name}",
    )  # fmt: skip
    return campaign


@dataclass
class Site:
    division_code: str
    location: str
    graves: int
    note: str = ""


@transaction.atomic
def site_add(campaign: Campaign, site: Site, *, actor: Actor) -> CleanupSite:
    _village(site.division_code, actor)
    if not covers(campaign.division_code, site.division_code):
        raise FuneralError(f"村（社区）{site.division_code} 不在整治行动“{campaign.name}”的范围内")
    if site.graves <= 0 or not site.location.strip():
        raise FuneralError("请填写位置和坟墓数（穴）")
    row = CleanupSite.objects.create(
        campaign=campaign, division_code=site.division_code, location=site.location.strip(), graves=site.graves,
        note=site.note.strip(), recorded_by=_user(actor),
    )  # fmt: skip
    audit_record(
        actor=actor, action="create", object_type="funeral_cleanup", object_id=row.pk,
        summary=f"登记整治点：{row.location}（{row.graves} 穴）",
    )  # fmt: skip
    return row


@transaction.atomic
def site_done(
    site: CleanupSite, *, action: str, done_on: dt.date, land_mu: Decimal, actor: Actor, note: str = ""
) -> CleanupSite:
    """整治完成: the action taken, the date and the land freed (亩). A site is closed once."""
    if action not in CleanupSite.Action.values or action == CleanupSite.Action.PENDING:
        raise FuneralError("请选择整治方式")
    if site.action != CleanupSite.Action.PENDING:
        raise FuneralError(f"整治点“{site.location}”已于 {site.done_on} 整治完成")
    if done_on > timezone.localdate():
        raise FuneralError(f"整治完成日期 {done_on} 晚于今天")
    if land_mu < 0:
        raise FuneralError("腾出土地（亩）不能为负数")
    won = CleanupSite.objects.filter(pk=site.pk, action=CleanupSite.Action.PENDING).update(
        action=action, done_on=done_on, land_mu=land_mu, note=(note.strip() or site.note)[:300]
    )
    if won != 1:
        raise FuneralError("该整治点已被他人登记完成，请刷新")
    site.refresh_from_db()
    audit_record(
        actor=actor, action="update", object_type="funeral_cleanup", object_id=site.pk,
        summary=f"整治完成：{site.location}，{site.get_action_display()}，腾出土地 {land_mu} 亩",
    )  # fmt: skip
    return site


def assistant_appoint(
    *, division_code: str, name: str, phone: str, actor: Actor, on: dt.date | None = None, person: Person | None = None
) -> Assistant:
    """One serving assistant per village (a database constraint): the old one is ended first."""
    _village(division_code, actor)
    if not name.strip():
        raise FuneralError("请填写殡葬协理员姓名")
    try:
        with transaction.atomic():
            row = Assistant.objects.create(
                division_code=division_code, name=name.strip(), phone=phone.strip(), person=person,
                appointed_on=on or timezone.localdate(),
            )  # fmt: skip
            audit_record(
                actor=actor, action="create", object_type="funeral_assistant", object_id=row.pk,
                summary=f"聘任殡葬协理员：{division_code} {row.name}",
            )  # fmt: skip
    except IntegrityError:
        raise FuneralError(f"村（社区）{division_code} 已有在任殡葬协理员，请先解聘") from None
    return row


@transaction.atomic
def assistant_end(row: Assistant, *, actor: Actor, on: dt.date | None = None, reason: str = "") -> Assistant:
    if row.ended_on is not None:
        raise FuneralError("该殡葬协理员已解聘")
    row.ended_on = on or timezone.localdate()
    row.save(update_fields=["ended_on"])
    audit_record(
        actor=actor, action="update", object_type="funeral_assistant", object_id=row.pk,
        summary=f"解聘殡葬协理员：{row.division_code} {row.name}", reason=reason,
    )  # fmt: skip
    return row
