"""救助管理: what the demo county gets (called by minzheng.demo.build after cases and payments).

Made through the real services by the demo station account (`jiuzhu`) and the demo 村 worker (`cun`), with
dates in the past: one unidentified person waiting for a DNA answer, one stay past 10 days without a reason
(its 待办), one past 10 days with a reason, one transferred, three returned home to the demo village (on
the 返乡人员 ledger, one also on the 易流浪走失人员 ledger with dementia), a follow-up that found need (a
referral on the town's 待办), one follow-up overdue (the town's 待办), and a wander-prone person the village
entered itself. Persons come from the demo village's last households so the case demo's first ones stay
untouched. Idempotent: nothing is added when the station already has stays. Fast: about twenty writes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.registry.models import Person
from minzheng.rescue import items, services
from minzheng.rescue import services_ledger as ledger
from minzheng.rescue.models import LedgerEntry, Stay


def _ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def _intake(station: User, ago: int, person: Person | None = None, **extra: Any) -> Stay:
    data = services.Intake(
        found_at=extra.pop("found_at", "宁波火车南站广场"),
        found_on=_ago(ago),
        brought_by=extra.pop("brought_by", "police"),
        admitted_on=_ago(ago),
        id_number=person.id_number if person else "",
        **extra,
    )
    return services.intake_create(data, station=station.jurisdiction, actor=station)


def _return(station: User, stay: Stay, ago: int, *, wander: bool = False) -> LedgerEntry:
    assert stay.person is not None
    data = services.Return(
        escort="站内工作人员 郑救助、孙护送",
        receiving_division=stay.person.division_code,
        receiver="村联络员 王网格",
        on=_ago(ago),
        note="本人及家属在场，交接时精神状态平稳",
        prone_to_wander=wander,
    )
    entry = services.stay_return(stay, data, actor=station)
    assert entry is not None  # the demo returns persons to its own county
    return entry


def _people(village: str, n: int) -> list[Person]:
    """Adults of the demo village (its last households first), then of its town when the village is small."""
    adults = Person.objects.filter(birth_date__lt=_ago(365 * 20)).order_by("-household__household_no", "pk")
    found = list(adults.filter(division_code__startswith=village)[:n])
    rest = adults.filter(division_code__startswith=village[:9]).exclude(division_code__startswith=village)
    return found + list(rest[: n - len(found)])


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    step("救助管理：站内救助、护送返乡与两本台账的回访")
    users = {u.username: u for u in User.objects.filter(username__in=("jiuzhu", "cun"))}
    if len(users) != 2 or Stay.objects.exists():
        return
    station, cun = users["jiuzhu"], users["cun"]
    people = _people(cun.jurisdiction, 7)
    if len(people) < 7:
        return
    waiting = _intake(station, 2, description="男，约五十岁，身高一米七，左臂有烫伤疤痕，自述记不清住址")
    services.identity_request(waiting, method="dna", actor=station, on=_ago(1))
    _intake(station, 12, people[0], condition="糖尿病，需按时服药")  # past 10 days, no reason: a 待办
    long = _intake(station, 15, people[1], condition="骨折住院治疗中", brought_by="public")
    services.stay_extend(long, reason="住院治疗，出院后护送返乡", planned_leave_on=_ago(-5), actor=station)
    moved = _intake(station, 6, people[2], risks=["mental_illness"], brought_by="self")
    services.stay_end(moved, "transferred", reason="转市精神卫生中心治疗", on=_ago(3), actor=station)

    # Returned home: the village's ledgers, each in a different state of its schedule.
    stable = _return(station, _intake(station, 24, people[3], risks=["dementia"]), 20, wander=True)
    ledger.followup_record(stable, ledger.Visit(_ago(5), "at_home", note="家属看护，按时服药"), actor=cun)
    _return(station, _intake(station, 43, people[4]), 40)  # never followed up: overdue, the town's 待办
    needy = _return(station, _intake(station, 37, people[5], risks=["elderly_alone"]), 35)
    visit = ledger.Visit(_ago(3), "needs_help", need="dibao", note="独居，无固定收入，房屋漏雨")
    ledger.followup_record(needy, visit, actor=cun)  # a referral on the town's 待办
    town = next(u for u in User.objects.filter(username="zhen"))
    who = ledger.Who(
        name=people[6].name,
        division_code=people[6].division_code,
        person=people[6],
        id_number=people[6].id_number,
        phone=people[6].phone,
        risks=["mental_illness"],
    )
    # Registered by the contact whose grid holds the person (the village worker, else the town officer).
    ledger.wander_register(who, actor=cun if who.division_code.startswith(cun.jurisdiction) else town, on=_ago(10))
    items.refresh_rescue_items()
