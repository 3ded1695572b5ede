"""Reads for the pages, scoped by `access`; lists masked. Caseloads are read-only counts from other apps.

A social worker's caseload is what their account holds across the platform: cases they received
(cases.Case.created_by; open = not in a final state of its type), 入户调查 they recorded
(cases.FieldVisit), 儿童走访 (childvisits.ChildVisit.visitor), 救助回访 (rescue.FollowUp.by) and the
volunteer activities they organise. Nothing here writes to those apps.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from minzheng.core.jurisdiction import prefix_q
from minzheng.core.masking import mask_id_number, mask_name, mask_phone
from minzheng.volunteers import access
from minzheng.volunteers.models import Account, Activity, Attendance, Entry, SocialWorker, Station, Volunteer
from minzheng.volunteers.services import PERIODS, WEEKDAYS
from minzheng.volunteers.services_timebank import hours_text

CASELOAD_LABELS = {
    "cases_open": "在办案件",
    "cases_all": "受理案件",
    "field_visits": "入户调查",
    "child_visits": "儿童走访",
    "rescue_followups": "救助回访",
    "activities": "组织活动",
}


def caseload(user: Any) -> dict[str, int]:
    """Counts of what this account holds in each app (zeros when it has no account)."""
    out = dict.fromkeys(CASELOAD_LABELS, 0)
    if user is None:
        return out
    from minzheng.cases.casetypes import case_types
    from minzheng.cases.models import Case, FieldVisit
    from minzheng.childvisits.models import ChildVisit
    from minzheng.rescue.models import FollowUp

    types = case_types()
    for row in Case.objects.filter(created_by=user).values("case_type", "status").annotate(n=Count("id")):
        out["cases_all"] += row["n"]
        ctype = types.get(row["case_type"])
        if ctype is None or row["status"] not in ctype.final_states:
            out["cases_open"] += row["n"]
    out["field_visits"] = FieldVisit.objects.filter(recorded_by=user).count()
    out["child_visits"] = ChildVisit.objects.filter(visitor=user).count()
    out["rescue_followups"] = FollowUp.objects.filter(by=user).count()
    out["activities"] = Activity.objects.filter(organiser=user).count()
    return out


@dataclass
class WorkerRow:
    worker: SocialWorker
    load: list[tuple[str, int]]  # (Chinese label, count)


def workers_of(station: Station) -> list[WorkerRow]:
    workers = station.workers.select_related("user").order_by("-active", "name")
    return [WorkerRow(w, [(CASELOAD_LABELS[k], n) for k, n in caseload(w.user).items()]) for w in workers]


@dataclass
class TownRow:
    station: Station | None
    town_code: str
    town_name: str
    workers: int
    certified: int
    residents: int
    volunteers: int
    minutes: int

    @property
    def per_10k(self) -> str:
        """持证社工 per 10,000 residents of the registry (seed 002: 每万人拥有持证社工数)."""
        return f"{self.certified * 10000 / self.residents:.2f}" if self.residents else "—"

    @property
    def hours(self) -> str:
        return hours_text(self.minutes)


def overview(user: Any, since: dt.date) -> list[TownRow]:
    """One row per town in the user's area: station, workers, certified per 10k, volunteers, hours."""
    from minzheng.divisions.models import Division
    from minzheng.registry.models import Person

    scope = str(user.jurisdiction)
    towns = Division.objects.filter(prefix_q("code", scope[:9]), level=4).order_by("code")
    stations = {s.town_code: s for s in access.stations_visible_to(user)}
    people = Counter(
        {r["t"]: r["n"] for r in _by_town(Person.objects.filter(prefix_q("division_code", scope)), "division_code")}
    )
    vols = Counter({r["t"]: r["n"] for r in _by_town(access.volunteers_visible_to(user).filter(active=True))})
    workers = SocialWorker.objects.filter(station__in=stations.values(), active=True).select_related("station")
    served = _minutes_by_town(user, since)
    rows = []
    for town in towns:
        code = town.code[:9]  # division codes are 12 digits: 330212100000 is the town 330212100
        ws = [w for w in workers if w.station.town_code == code]
        certified = sum(1 for w in ws if w.certified)
        got = (people[code], vols[code], served.get(code, 0))
        rows.append(TownRow(stations.get(code), code, town.name, len(ws), certified, *got))
    return rows


def _by_town(qs: QuerySet[Any], field: str = "division_code") -> Any:
    from django.db.models.functions import Substr

    return qs.annotate(t=Substr(field, 1, 9)).values("t").annotate(n=Count("id"))


def _minutes_by_town(user: Any, since: dt.date) -> dict[str, int]:
    from django.db.models.functions import Substr

    rows = (
        Attendance.objects.filter(
            activity__in=access.activities_visible_to(user), status=Attendance.Status.CONFIRMED,
            activity__starts_at__date__gte=since,
        )
        .annotate(t=Substr("activity__division_code", 1, 9))
        .values("t")
        .annotate(m=Sum("confirmed_minutes"))
    )  # fmt: skip
    return {r["t"]: int(r["m"] or 0) for r in rows}


@dataclass
class VolunteerRow:
    pk: int
    no: str
    name: str
    id_number: str
    phone: str
    division_code: str
    skills: str
    availability: str
    active: bool


def availability_text(vol: Volunteer) -> str:
    days = "、".join(WEEKDAYS[d] for d in vol.weekdays) or "不限日"
    return f"{days} {'、'.join(PERIODS[p] for p in vol.periods) or '不限时段'}"


def volunteer_row(vol: Volunteer) -> VolunteerRow:
    from minzheng.volunteers.models import Skill

    skills = "、".join(Skill(s).label for s in vol.skills if s in Skill.values)
    return VolunteerRow(
        vol.pk, vol.volunteer_no, mask_name(vol.person.name), mask_id_number(vol.person.id_number),
        mask_phone(vol.phone), vol.division_code, skills, availability_text(vol), vol.active,
    )  # fmt: skip


def volunteers_filtered(user: Any, *, skill: str = "", village: str = "", weekday: int | None = None) -> Any:
    qs = access.volunteers_visible_to(user).select_related("person")
    if village:
        qs = qs.filter(prefix_q("division_code", village))
    rows = list(qs.order_by("division_code", "volunteer_no")[:5000])
    # JSON containment differs between SQLite and PostgreSQL: filter the stored lists in Python.
    if skill:
        rows = [v for v in rows if skill in v.skills]
    if weekday is not None:
        rows = [v for v in rows if not v.weekdays or weekday in v.weekdays]
    return rows


def attendance_rows(act: Activity) -> list[Attendance]:
    return list(act.attendances.select_related("volunteer", "volunteer__person", "confirmed_by").order_by("in_at"))


def activities_for(user: Any, *, upcoming: bool = False) -> QuerySet[Activity]:
    qs = (
        access.activities_visible_to(user)
        .select_related("organiser")
        .annotate(
            people=Count("attendances"),
            pending=Count("attendances", filter=Q(attendances__status=Attendance.Status.SIGNED_OUT)),
        )
    )
    if upcoming:
        qs = qs.filter(ends_at__gte=timezone.now(), status=Activity.Status.OPEN)
    return qs.order_by("-starts_at")


def open_activities_near(vol: Volunteer) -> QuerySet[Activity]:
    """What a volunteer's phone lists: open activities in their town, not yet ended."""
    return Activity.objects.filter(
        prefix_q("division_code", vol.division_code[:9]), status=Activity.Status.OPEN,
        ends_at__gte=timezone.now() - dt.timedelta(hours=2),
    ).order_by("starts_at")  # fmt: skip


def entries_of(account: Account, limit: int = 200) -> list[Entry]:
    return list(account.entries.select_related("actor").order_by("-at", "-id")[:limit])


def account_of(vol: Volunteer) -> Account | None:
    return Account.objects.filter(person_id=vol.person_id).first()
