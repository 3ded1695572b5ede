"""Who may see and do what in 社工站 / 志愿者 / 时间银行; outside the jurisdiction answers 404.

Staff (read): the station's social workers (town), the town officer, the county approver and the
auditor; the village worker reads their village's volunteers. Staff (write: register volunteers,
hold activities, transfers and draws): social workers and town officers. Stations and their workers:
town officers and the county. A volunteer sees only their own record, on the phone pages.
Hours are confirmed by the activity's organiser, or by the town officer of the activity's town.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from minzheng.accounts.access import has_role as _has
from minzheng.accounts.models import Role
from minzheng.core.jurisdiction import prefix_q
from minzheng.volunteers.models import Account, Activity, Station, Volunteer

READ = {Role.SOCIAL_WORKER, Role.TOWN_OFFICER, Role.COUNTY_APPROVER, Role.AUDITOR, Role.VILLAGE_WORKER}
WRITE = {Role.SOCIAL_WORKER, Role.TOWN_OFFICER}
STATIONS = {Role.TOWN_OFFICER, Role.COUNTY_APPROVER}


def can_read(user: Any) -> bool:
    return _has(user, READ)


def can_write(user: Any) -> bool:
    return _has(user, WRITE)


def can_manage_stations(user: Any) -> bool:
    return _has(user, STATIONS)


def is_volunteer(user: Any) -> bool:
    return _has(user, {Role.VOLUNTEER})


def _scope(user: Any) -> str:
    return str(getattr(user, "jurisdiction", "") or "")


def stations_visible_to(user: Any) -> QuerySet[Station]:
    if not can_read(user):
        return Station.objects.none()
    code = _scope(user)
    # A village worker sees the station of their town; everyone else the stations within their area.
    if len(code) > 9:
        return Station.objects.filter(town_code=code[:9])
    return Station.objects.filter(prefix_q("town_code", code))


def volunteers_visible_to(user: Any) -> QuerySet[Volunteer]:
    if not can_read(user):
        return Volunteer.objects.none()
    return Volunteer.objects.filter(prefix_q("division_code", _scope(user)))


def activities_visible_to(user: Any) -> QuerySet[Activity]:
    if not can_read(user):
        return Activity.objects.none()
    return Activity.objects.filter(prefix_q("division_code", _scope(user)))


def accounts_visible_to(user: Any) -> QuerySet[Account]:
    if not can_read(user):
        return Account.objects.none()
    return Account.objects.filter(prefix_q("division_code", _scope(user)))


def access_station(user: Any, pk: int, *, write: bool = False) -> Station:
    station = stations_visible_to(user).filter(pk=pk).first()
    if station is None or (write and not can_manage_stations(user)):
        raise Http404("社工站不存在")
    return station


def access_volunteer(user: Any, pk: int, *, write: bool = False) -> Volunteer:
    found = volunteers_visible_to(user).select_related("person", "user").filter(pk=pk).first()
    if found is None or (write and not can_write(user)):
        raise Http404("志愿者不存在")
    return found


def access_activity(user: Any, pk: int, *, write: bool = False) -> Activity:
    found = activities_visible_to(user).select_related("organiser", "station").filter(pk=pk).first()
    if found is None or (write and not can_write(user)):
        raise Http404("活动不存在")
    return found


def access_account(user: Any, pk: int, *, write: bool = False) -> Account:
    found = accounts_visible_to(user).select_related("person").filter(pk=pk).first()
    if found is None or (write and not can_write(user)):
        raise Http404("时间银行账户不存在")
    return found


def can_confirm(user: Any, activity: Activity) -> bool:
    """The organiser confirms hours; the town officer of the activity's town may stand in."""
    if getattr(user, "pk", None) == activity.organiser_id:
        return True
    return _has(user, {Role.TOWN_OFFICER}) and activity.division_code.startswith(_scope(user))


def own_volunteer(user: Any) -> Volunteer:
    """The volunteer record linked to a volunteer's account, or 404."""
    if not is_volunteer(user):
        raise Http404("本账号没有关联的志愿者登记")
    found = Volunteer.objects.select_related("person").filter(user_id=user.pk, active=True).first()
    if found is None:
        raise Http404("本账号没有关联的志愿者登记")
    return found


def nav_entries(user: Any) -> list[tuple[str, str]]:
    from django.urls import reverse

    if is_volunteer(user):
        return [("我的志愿服务", reverse("volunteers:me"))]
    if not can_read(user):
        return []
    return [
        ("社工站与志愿服务", reverse("volunteers:overview")),
        ("志愿者", reverse("volunteers:list")),
        ("志愿服务活动", reverse("volunteers:activities")),
        ("时间银行", reverse("volunteers:accounts")),
    ]
