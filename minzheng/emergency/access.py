"""一键通紧急呼叫: who may see or change what. The only place this app's role decisions are made.

- the 12349 console (take alarms, escalate, close, log a red call): 热线坐席, 系统管理员;
- reading incidents of one's jurisdiction: also 村 / 乡镇 / 县 staff (the community rung is theirs);
- a 村 or 乡镇 worker may record that the community rung answered (somebody is at the door);
- registering terminals: 热线坐席, 村 / 乡镇 workers (they install them), 系统管理员;
- posting alarms over the API: the terminal gateway's account (热线坐席 or 系统管理员 token).
Out of role or out of jurisdiction = 404.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.eldercare.models import Elder
from minzheng.emergency.models import Device, Incident, Rung

CONSOLE = {Role.HOTLINE_OPERATOR, Role.SYSADMIN}
READ = CONSOLE | {Role.VILLAGE_WORKER, Role.TOWN_OFFICER, Role.COUNTY_APPROVER}
COMMUNITY = {Role.VILLAGE_WORKER, Role.TOWN_OFFICER}
DEVICES = CONSOLE | COMMUNITY
GATEWAY = CONSOLE


def require(allowed: bool) -> None:
    if not allowed:
        raise Http404("无权访问或对象不存在")


def can_use_console(user: Any) -> bool:
    return _has(user, CONSOLE)


def can_read_incidents(user: Any) -> bool:
    return _has(user, READ)


def can_register_devices(user: Any) -> bool:
    return _has(user, DEVICES)


def can_post_alarms(user: Any) -> bool:
    return _has(user, GATEWAY)


def can_answer(user: Any, incident: Incident) -> bool:
    """The console answers any rung; community staff answer only the community rung."""
    return can_use_console(user) or (_has(user, COMMUNITY) and incident.rung == Rung.COMMUNITY)


def incidents_visible_to(user: Any) -> QuerySet[Incident]:
    if not can_read_incidents(user):
        return Incident.objects.none()
    return Incident.objects.filter(prefix_q("division_code", user.jurisdiction))


def devices_visible_to(user: Any) -> QuerySet[Device]:
    if not (can_register_devices(user) or can_read_incidents(user)):
        return Device.objects.none()
    return Device.objects.filter(prefix_q("division_code", user.jurisdiction))


def elders_for_devices(user: Any) -> QuerySet[Elder]:
    if not can_register_devices(user):
        return Elder.objects.none()
    return Elder.objects.filter(prefix_q("division_code", user.jurisdiction), active=True)


def access_incident(user: Any, incident_id: int) -> Incident:
    incident = incidents_visible_to(user).select_related("elder__person__household").filter(pk=incident_id).first()
    if incident is None:
        raise Http404("事件不存在")
    return incident


def access_device_by_serial(user: Any, serial: str) -> Device:
    device = devices_visible_to(user).select_related("elder__person").filter(serial=serial.strip().upper()).first()
    if device is None or not can_post_alarms(user):
        raise Http404("终端不存在")
    return device


def nav_entries(user: Any) -> list[tuple[str, str]]:
    if can_use_console(user):
        return [("紧急呼叫", reverse("emergency:console"))]
    if can_read_incidents(user):
        return [("紧急呼叫", reverse("emergency:incidents"))]
    return []
