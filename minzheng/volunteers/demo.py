"""Demo: a 社工站 in every town of the demo county, social workers (the 社工 account in its town),
volunteers of the first town (the 志愿者 account linked to one in its village), three past activities
with confirmed hours, one open now for the phone, a transfer to a spouse and a draw as a care order.
Small on purpose (the demo test builds 2,000 persons).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import random
from typing import Any

from django.utils import timezone

from minzheng.accounts.models import Role, User
from minzheng.divisions.models import Division
from minzheng.registry.models import Person
from minzheng.volunteers import services, services_activity, services_timebank
from minzheng.volunteers.models import Certificate, Skill, Station, Volunteer

PLACE = (29.7752, 121.7351)  # the demo activities' place when the village has no care address to go by
CERTS = [Certificate.ASSISTANT, Certificate.SOCIAL, Certificate.NONE]


def demo_extend(built: Any, step: Any) -> None:
    step("社工与志愿服务：社工站、社工、志愿者、活动签到与时间银行")
    worker = User.objects.filter(role=Role.SOCIAL_WORKER).order_by("pk").first()
    if worker is None:
        return
    services_timebank.params_load()
    rnd = random.Random(17)  # noqa: S311 - seeded demo data, not secrets
    county = str(worker.jurisdiction)[:6]
    stations = _stations(county, worker, rnd)
    town = str(worker.jurisdiction)
    volunteers = _volunteers(town, rnd)
    if not volunteers or town not in stations:
        return
    acts = _activities(stations[town], worker, volunteers, rnd)
    _timebank(volunteers, worker)
    if acts:
        services_activity.activity_create(
            actor=worker, title="重阳节陪伴独居老人", kind=Skill.COMPANY, division_code=acts[0].division_code,
            place=acts[0].place, lat=acts[0].lat, lng=acts[0].lng, starts_at=timezone.now() - dt.timedelta(hours=1),
            ends_at=timezone.now() + dt.timedelta(hours=3), timebank=True, station=stations[town],
        )  # fmt: skip


def _stations(county: str, worker: User, rnd: random.Random) -> dict[str, Station]:
    out = {}
    for n, town in enumerate(Division.objects.filter(code__startswith=county, level=4).order_by("code")[:30]):
        code = town.code[:9]
        st = Station.objects.filter(town_code=code).first() or services.station_create(
            actor=None, town_code=code, name=f"{town.name}社会工作站", address=f"{town.name}人民政府便民服务中心",
            operator_name="鄞州区向阳社会工作服务中心", opened_on=dt.date(2023, 6, 1),
        )  # fmt: skip
        out[code] = st
        if st.workers.exists():
            continue
        for i in range(1 + n % 2):
            cert = CERTS[(n + i) % 3]
            own = worker if code == str(worker.jurisdiction) and i == 0 else None
            services.worker_add(
                actor=None, station=st, name=own.display_name if own else f"{town.name[:2]}社工{i + 1}",
                certificate=cert, certificate_no="" if cert == Certificate.NONE else f"ZS{code[-3:]}{i:03d}", user=own,
            )  # fmt: skip
    return out


def _volunteers(town: str, rnd: random.Random) -> list[Volunteer]:
    today = timezone.localdate()
    people = Person.objects.filter(division_code__startswith=town, birth_date__lte=today - dt.timedelta(days=18 * 366))
    people = list(people.exclude(volunteer__isnull=False).order_by("pk")[:18])
    # 低龄老人服务高龄老人: an elder in home care volunteers too, and later draws banked hours as care.
    from minzheng.eldercare.models import Elder

    elder = Elder.objects.filter(division_code__startswith=town, active=True, person__volunteer__isnull=True).first()
    if elder is not None:
        people = [elder.person, *[p for p in people if p.pk != elder.person_id][:17]]
    made = []
    for p in people:
        skills = rnd.sample(Skill.values[:8], 2)
        made.append(services.volunteer_register(
            actor=None, person=p, skills=skills, weekdays=sorted(rnd.sample(range(7), 3)), periods=["am", "pm"],
            registered_on=today - dt.timedelta(days=rnd.randint(30, 700)),
        ))  # fmt: skip
    account = User.objects.filter(role=Role.VOLUNTEER).order_by("pk").first()
    mine = next((v for v in made if account and v.division_code.startswith(str(account.jurisdiction))), None)
    if account is not None and mine is not None and not Volunteer.objects.filter(user=account).exists():
        services.volunteer_link_account(mine, user=account, actor=None)
    return made


def _place(village: str) -> tuple[float, float]:
    from minzheng.eldercare.models import Elder

    elder = Elder.objects.filter(division_code=village, lat__isnull=False).first()
    return (elder.lat, elder.lng) if elder and elder.lat is not None and elder.lng is not None else PLACE


def _activities(station: Station, worker: User, vols: list[Volunteer], rnd: random.Random) -> list[Any]:
    village = vols[0].division_code
    lat, lng = _place(village)
    titles = [("助老理发进村", Skill.HAIRCUT, False), ("独居老人上门助洁", Skill.CARE, True),
              ("爱心助餐送餐", Skill.MEALS, True)]  # fmt: skip
    made = []
    for days, (title, kind, bank) in zip((21, 14, 7), titles, strict=True):
        start = timezone.now().replace(hour=1, minute=0, second=0, microsecond=0) - dt.timedelta(days=days)
        act = services_activity.activity_create(
            actor=worker, title=title, kind=kind, division_code=village, place="村文化礼堂", lat=lat, lng=lng,
            starts_at=start, ends_at=start + dt.timedelta(hours=3), timebank=bank, station=station,
        )  # fmt: skip
        for v in [vols[0], *rnd.sample(vols[1:], min(5, len(vols) - 1))]:  # vols[0]: the elder who volunteers
            came = start + dt.timedelta(minutes=rnd.randint(0, 20))
            near = lat + rnd.uniform(-5e-4, 5e-4)
            att = services_activity.sign_in(actor=None, volunteer=v, activity=act, lat=near, lng=lng, client_at=came)
            out = start + dt.timedelta(minutes=rnd.randint(100, 180))
            att = services_activity.sign_out(actor=None, attendance=att, lat=lat, lng=lng, client_at=out)
            services_activity.confirm(att, actor=worker)
        services_activity.activity_close(act, actor=worker)
        made.append(act)
    return made


def _timebank(vols: list[Volunteer], worker: User) -> None:
    """The volunteering elder draws an hour of home care; one transfer to a spouse in the same 户."""
    from minzheng.eldercare.models import Elder

    first = services_timebank.account_for(vols[0].person)
    if Elder.objects.filter(person_id=vols[0].person_id, active=True).exists() and first.balance_minutes >= 60:
        when = (timezone.now() + dt.timedelta(days=1)).replace(hour=1, minute=0, second=0, microsecond=0)
        with contextlib.suppress(services.VolunteerError):  # e.g. no catalogue item SC01: go on without a draw
            services_timebank.draw(actor=worker, account=first, item_codes=["SC01"], window_start=when)
    for v in vols:
        account = services_timebank.account_for(v.person)
        spouse = Person.objects.filter(household_id=v.person.household_id).exclude(pk=v.person_id).first()
        if account.balance_minutes < 60 or spouse is None:
            continue
        if services_timebank.relation_between(v.person, spouse) is None:
            continue
        try:
            services_timebank.transfer(actor=worker, giver=account, receiver=spouse, minutes=60,
                                       request_key=f"demo-{v.pk}")  # fmt: skip
        except services.VolunteerError:
            continue
        return


def demo_counts() -> dict[str, int]:
    from minzheng.volunteers.models import Attendance, Entry

    return {
        "stations": Station.objects.count(),
        "volunteers": Volunteer.objects.count(),
        "confirmed": Attendance.objects.filter(status=Attendance.Status.CONFIRMED).count(),
        "timebank_entries": Entry.objects.count(),
    }
