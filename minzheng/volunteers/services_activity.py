"""Activities, phone sign-in / sign-out with GPS, and the organiser's confirmation of hours.

Sign-in and sign-out keep the phone's time beside the server's (an offline sign-in is sent later, the
eldercare door pages' queue); the same queued request sent twice is recorded once. Service time is
the time between the phone's sign-in and sign-out, clipped to the activity's hours (《志愿服务记录与证明
出具办法（试行）》: actual service time, travel not counted). Confirmation is a compare-and-set from
已签退 to 已确认: of two confirmations (a double click, two officers) exactly one wins and credits.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.eldercare.dispatch import haversine_m
from minzheng.volunteers import services_timebank, stars
from minzheng.volunteers.models import Activity, Attendance, Skill, Station, Volunteer
from minzheng.volunteers.services import VolunteerError

A = Attendance.Status
CLOCK_SKEW = dt.timedelta(minutes=5)  # a phone clock this far ahead of the server is refused (as eldercare)
EARLY = dt.timedelta(hours=1)  # sign-in opens an hour before the start (system default, not a legal number)
LATE = dt.timedelta(hours=2)  # sign-out is accepted up to two hours after the end (forgotten sign-outs)


def _audit(actor: Actor | None, action: str, otype: str, oid: int, summary: str, ip: str = "", **data: object) -> None:
    audit_record(
        actor=actor, action=action, object_type=otype, object_id=oid, summary=summary, client_ip=ip, data=data or None
    )


@transaction.atomic
def activity_create(
    *, actor: Actor, title: str, kind: str, division_code: str, place: str, lat: float, lng: float,
    starts_at: dt.datetime, ends_at: dt.datetime, timebank: bool = False, radius_m: int = 300,
    description: str = "", station: Station | None = None, client_ip: str = "",
) -> Activity:  # fmt: skip
    if kind not in Skill.values:
        raise VolunteerError(f"服务类别：“{kind}”不在可选范围内")
    if not title.strip() or not place.strip():
        raise VolunteerError("活动名称、活动地点：请填写")
    if ends_at <= starts_at:
        raise VolunteerError("结束时间：应晚于开始时间")
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise VolunteerError("地点坐标：纬度应在 ±90、经度应在 ±180 之内")
    if not division_code.startswith(str(actor.jurisdiction)):
        raise VolunteerError(f"活动地点区划：{division_code} 不在本账号管辖范围内")
    act = Activity.objects.create(
        title=title.strip(), kind=kind, division_code=division_code, place=place.strip(), lat=lat, lng=lng,
        starts_at=starts_at, ends_at=ends_at, timebank=timebank, radius_m=radius_m, description=description,
        station=station, organiser=actor,
    )  # fmt: skip
    _audit(actor, "create", "volunteer_activity", act.pk, f"发布志愿服务活动 {act.title}", client_ip)
    return act


@transaction.atomic
def activity_close(act: Activity, *, actor: Actor, cancel: bool = False, client_ip: str = "") -> Activity:
    act.status = Activity.Status.CANCELLED if cancel else Activity.Status.CLOSED
    act.save(update_fields=["status"])
    _audit(actor, "update", "volunteer_activity", act.pk, f"活动 {act.title}：{act.get_status_display()}", client_ip)
    return act


def _client_time(client_at: dt.datetime | None) -> dt.datetime:
    now = timezone.now()
    if client_at is None:
        return now
    if timezone.is_naive(client_at):
        client_at = timezone.make_aware(client_at)
    if client_at > now + CLOCK_SKEW:
        raise VolunteerError(f"手机时间 {timezone.localtime(client_at):%Y-%m-%d %H:%M} 晚于服务器时间，请校准手机时间")
    return client_at


def distance_to(act: Activity, lat: float | None, lng: float | None) -> int | None:
    if lat is None or lng is None:
        return None
    return round(haversine_m(lat, lng, act.lat, act.lng))


def _place_check(act: Activity, lat: float | None, lng: float | None, reason: str, what: str) -> int | None:
    """Metres to the activity's place; no position, or beyond its radius, needs a reason."""
    metres = distance_to(act, lat, lng)
    if metres is None and not reason.strip():
        raise VolunteerError(f"未取得定位，{what}须说明原因")
    if metres is not None and metres > act.radius_m and not reason.strip():
        raise VolunteerError(f"{what}位置距活动地点 {metres} 米，超过 {act.radius_m} 米，请说明原因")
    return metres


@transaction.atomic
def sign_in(
    *, actor: Actor | None, volunteer: Volunteer, activity: Activity, lat: float | None, lng: float | None,
    client_at: dt.datetime | None = None, reason: str = "", client_ip: str = "",
) -> Attendance:  # fmt: skip
    at = _client_time(client_at)
    found = Attendance.objects.filter(activity=activity, volunteer=volunteer).first()
    if found is not None:
        if client_at is not None and found.in_client_at == at:
            return found  # the same queued sign-in sent twice over a weak connection
        raise VolunteerError(f"{activity.title}：已于 {timezone.localtime(found.in_client_at):%H:%M} 签到")
    if activity.status != Activity.Status.OPEN:
        raise VolunteerError(f"{activity.title}：活动{activity.get_status_display()}，不能签到")
    if not volunteer.active:
        raise VolunteerError("志愿者已不在册，不能签到")
    if not activity.starts_at - EARLY <= at <= activity.ends_at:
        start, end = timezone.localtime(activity.starts_at), timezone.localtime(activity.ends_at)
        raise VolunteerError(f"签到时间：活动 {start:%m-%d %H:%M}–{end:%H:%M}，开始前一小时起至结束前可签到")
    metres = _place_check(activity, lat, lng, reason, "签到")
    att = Attendance.objects.create(
        activity=activity, volunteer=volunteer, in_at=timezone.now(), in_client_at=at, in_lat=lat, in_lng=lng,
        in_distance_m=metres, in_reason=reason.strip()[:200],
    )  # fmt: skip
    where = f"距活动地点 {metres} 米" if metres is not None else "未定位"
    _audit(actor, "create", "volunteer_activity", activity.pk, f"{volunteer.volunteer_no} 签到（{where}）", client_ip)
    return att


def served_minutes(act: Activity, start: dt.datetime, end: dt.datetime) -> int:
    """Minutes between sign-in and sign-out within the activity's hours (never negative)."""
    begin, finish = max(start, act.starts_at), min(end, act.ends_at)
    return max(0, int((finish - begin).total_seconds() // 60))


@transaction.atomic
def sign_out(
    *, actor: Actor | None, attendance: Attendance, lat: float | None, lng: float | None,
    client_at: dt.datetime | None = None, reason: str = "", client_ip: str = "",
) -> Attendance:  # fmt: skip
    at = _client_time(client_at)
    att = Attendance.objects.select_for_update().select_related("activity").get(pk=attendance.pk)
    if att.status != A.SIGNED_IN:
        if client_at is not None and att.out_client_at == at:
            return att  # sent twice
        raise VolunteerError(f"当前为“{att.get_status_display()}”，不能签退")
    act = att.activity
    if at < att.in_client_at:
        raise VolunteerError("签退时间：早于签到时间")
    if at > act.ends_at + LATE:
        raise VolunteerError("签退时间：活动结束已超过两小时，请联系组织者补录")
    att.out_distance_m = _place_check(act, lat, lng, reason, "签退")
    att.out_at, att.out_client_at, att.out_lat, att.out_lng = timezone.now(), at, lat, lng
    att.out_reason, att.status = reason.strip()[:200], A.SIGNED_OUT
    att.minutes = served_minutes(act, att.in_client_at, at)
    att.save()
    summary = f"{att.volunteer.volunteer_no} 签退，服务 {att.minutes} 分钟"
    _audit(actor, "update", "volunteer_activity", act.pk, summary, client_ip, attendance=att.pk)
    return att


@transaction.atomic
def confirm(
    attendance: Attendance, *, actor: Actor, minutes: int | None = None, note: str = "", client_ip: str = ""
) -> Attendance:
    """确认时长: the organiser confirms (or reduces, with a reason); a time-bank activity credits the bank."""
    att = Attendance.objects.select_related("activity", "volunteer").get(pk=attendance.pk)
    minutes = att.minutes if minutes is None else minutes
    if minutes < 0 or minutes > att.minutes:
        raise VolunteerError(f"确认时长：应在 0 至 {att.minutes} 分钟之间（签到至签退）")
    if minutes < att.minutes and not note.strip():
        raise VolunteerError("确认说明：核减时长须说明原因")
    won = Attendance.objects.filter(pk=att.pk, status=A.SIGNED_OUT).update(
        status=A.CONFIRMED, confirmed_minutes=minutes, confirmed_by=actor, confirmed_at=timezone.now(),
        note=note.strip()[:200],
    )  # fmt: skip
    att.refresh_from_db()
    if not won:
        if att.status == A.CONFIRMED:
            return att  # confirmed already (a second click, another officer): nothing is credited again
        raise VolunteerError(f"当前为“{att.get_status_display()}”，签退后才能确认时长")
    summary = f"确认 {att.volunteer.volunteer_no} 服务 {minutes} 分钟"
    _audit(actor, "update", "volunteer_activity", att.activity_id, summary, client_ip, attendance=att.pk)
    if att.activity.timebank and minutes:
        services_timebank.earn(att, actor=actor, client_ip=client_ip)
    stars.award(att.volunteer, actor=actor, client_ip=client_ip)
    return att


@transaction.atomic
def reject(attendance: Attendance, *, actor: Actor, note: str, client_ip: str = "") -> Attendance:
    if not note.strip():
        raise VolunteerError("确认说明：不予确认须说明原因")
    won = Attendance.objects.filter(pk=attendance.pk, status__in=[A.SIGNED_IN, A.SIGNED_OUT]).update(
        status=A.REJECTED, confirmed_by=actor, confirmed_at=timezone.now(), note=note.strip()[:200]
    )
    attendance.refresh_from_db()
    if not won:
        raise VolunteerError(f"当前为“{attendance.get_status_display()}”，不能再改为不予确认")
    summary = f"不予确认 {attendance.volunteer.volunteer_no} 的服务时长：{note.strip()}"
    _audit(actor, "update", "volunteer_activity", attendance.activity_id, summary, client_ip)
    return attendance
