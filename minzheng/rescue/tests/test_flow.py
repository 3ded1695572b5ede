"""Intake → return → ledger → follow-up schedule; the stay limit and missed follow-ups on the 待办; referral."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.audit.models import AuditEvent
from minzheng.registry.models import Person
from minzheng.rescue import items, services
from minzheng.rescue import services_ledger as ledger
from minzheng.rescue.models import FollowUp, LedgerEntry, Stay
from minzheng.scheduler.registry import SCHEDULES
from minzheng.testing import COUNTY, VILLAGE_A, Cast, make_household
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import TransitionRefused
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import actions_for, item_act

TODAY = timezone.localdate()


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def days_ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def intake(cast: Cast, *, admitted: int = 2, id_number: str = "", risks: list[str] | None = None) -> Stay:
    data = services.Intake(
        found_at="鄞州区火车站广场",
        found_on=days_ago(admitted),
        brought_by="police",
        admitted_on=days_ago(admitted),
        id_number=id_number,
        description="" if id_number else "男，约六十岁，左手有疤",
        risks=risks or [],
    )
    return services.intake_create(data, station=COUNTY, actor=cast.rescue_staff)


def returned(cast: Cast, stay: Stay, *, on: dt.date, wander: bool = False) -> LedgerEntry:
    data = services.Return(
        escort="郑站、孙护", receiving_division=VILLAGE_A, receiver="合一村 王村", on=on, prone_to_wander=wander
    )
    entry = services.stay_return(stay, data, actor=cast.rescue_staff)
    assert entry is not None
    return entry


@pytest.fixture
def person(cast: Cast) -> Person:
    return make_household()[1][0]  # 张建国, 合一村


def test_intake_unidentified_then_dna_match_then_return_enters_the_ledger(cast: Cast, person: Person) -> None:
    stay = intake(cast, admitted=5, risks=["dementia"])
    assert (stay.identified, stay.status, stay.display_name) == (False, "admitted", "无名氏")
    req = services.identity_request(stay, method="dna", actor=cast.rescue_staff, on=days_ago(4))
    services.identity_answer(req, result="matched", id_number=person.id_number, actor=cast.rescue_staff)
    stay.refresh_from_db()
    assert (stay.person, stay.name, stay.home_division) == (person, "张建国", VILLAGE_A)

    entry = returned(cast, stay, on=days_ago(1), wander=True)
    stay.refresh_from_db()
    assert (stay.status, stay.ended_on, stay.handover.receiver) == ("returned", days_ago(1), "合一村 王村")
    # Both ledgers, on the receiving village's grid; dementia → the high-risk interval (15 days).
    entries = LedgerEntry.objects.filter(person=person).order_by("kind")
    assert [(e.kind, e.division_code, e.next_due_on) for e in entries] == [
        ("returned", VILLAGE_A, days_ago(1) + dt.timedelta(days=15)),
        ("wander", VILLAGE_A, days_ago(1) + dt.timedelta(days=15)),
    ]
    # Every step of the stay is in the workflow history.
    logs = TransitionLog.objects.filter(object_type="rescue_stay", object_id=str(stay.pk))
    steps = list(logs.values_list("target", "on"))
    assert steps == [("admitted", days_ago(5)), ("returned", days_ago(1))]
    # A follow-up moves the schedule one interval from the visit.
    ledger.followup_record(entry, ledger.Visit(TODAY, "at_home"), actor=cast.village_worker)
    entry.refresh_from_db()
    assert entry.next_due_on == TODAY + dt.timedelta(days=15)
    # The same visit saw the person for the other ledger too.
    assert LedgerEntry.objects.get(kind="wander", person=person).next_due_on == TODAY + dt.timedelta(days=15)


def test_monthly_schedule_for_a_person_without_risk(cast: Cast, person: Person) -> None:
    stay = intake(cast, id_number=person.id_number)
    entry = returned(cast, stay, on=TODAY)
    assert entry.next_due_on == TODAY + dt.timedelta(days=30)


def test_return_outside_the_county_is_a_handover_only(cast: Cast, person: Person) -> None:
    stay = intake(cast, id_number=person.id_number)
    data = services.Return(escort="郑站", receiving_division="330106001001", receiver="西湖区救助站", on=TODAY)
    assert services.stay_return(stay, data, actor=cast.rescue_staff) is None
    assert Stay.objects.get(pk=stay.pk).status == "returned" and not LedgerEntry.objects.exists()
    unknown = services.Return(escort="郑站", receiving_division="330212999999", receiver="某村", on=TODAY)
    with pytest.raises(services.RescueError, match="接收地区划代码 330212999999 不存在"):
        services.stay_return(intake(cast), unknown, actor=cast.rescue_staff)


def test_unknown_identity_number_is_refused_by_name(cast: Cast) -> None:
    with pytest.raises(services.RescueError, match="身份号码 110101199003074514 不在居民库中"):
        intake(cast, id_number="110101199003074514")


def test_stay_end_needs_a_reason_and_the_station_role(cast: Cast) -> None:
    stay = intake(cast)
    with pytest.raises(TransitionRefused, match="须填写理由"):
        services.stay_end(stay, "transferred", reason="", actor=cast.rescue_staff)
    with pytest.raises(TransitionRefused, match="不能办理"):
        services.stay_end(stay, "left", reason="自行离开", actor=cast.town_officer)
    services.stay_end(stay, "transferred", reason="转精神卫生中心治疗", actor=cast.rescue_staff)
    assert Stay.objects.get(pk=stay.pk).status == "transferred"


def test_a_stay_past_ten_days_without_reason_raises_one_item(cast: Cast) -> None:
    on_time = intake(cast, admitted=9)  # day 10 today: within the limit
    late = intake(cast, admitted=10)  # day 11 today
    SCHEDULES["rescue.items"].call(timezone.now())  # the daily job
    items.refresh_rescue_items()  # idempotent
    found = WorkItem.objects.filter(source=items.STAY_SOURCE)
    assert [(i.subject_id, i.role, i.status) for i in found] == [(str(late.pk), "rescue_staff", "open")]
    assert not found.filter(subject_id=str(on_time.pk)).exists()
    page = client_for(cast.rescue_staff).get("/workitems/").content.decode()
    assert f'href="/rescue/stays/{late.pk}/"' in page and "在站已超过 10 日" in page
    # Recording the reason closes the item on the next refresh.
    services.stay_extend(late, reason="等待精神卫生中心床位", planned_leave_on=TODAY, actor=cast.rescue_staff)
    items.refresh_rescue_items()
    assert WorkItem.objects.get(source=items.STAY_SOURCE).status == "resolved"


def test_a_missed_follow_up_raises_one_item_for_the_town(cast: Cast, person: Person) -> None:
    stay = intake(cast, admitted=40, id_number=person.id_number)
    services.stay_extend(stay, reason="住院治疗", planned_leave_on=None, actor=cast.rescue_staff)
    entry = returned(cast, stay, on=days_ago(34))  # due 4 days ago; grace 3 days
    items.refresh_rescue_items()
    items.refresh_rescue_items()
    missed = WorkItem.objects.filter(source=items.FOLLOWUP_SOURCE)
    assert [(i.subject_id, i.role, i.division_code, i.due_on) for i in missed] == [
        (str(entry.pk), "town_officer", VILLAGE_A, days_ago(4))
    ]
    # The village contact catches up: the item closes, the next miss would be a new one.
    ledger.followup_record(entry, ledger.Visit(TODAY, "at_home"), actor=cast.village_worker)
    items.refresh_rescue_items()
    assert missed.get().status == "resolved"


def test_follow_up_within_grace_is_not_yet_missed(cast: Cast, person: Person) -> None:
    stay = intake(cast, admitted=35, id_number=person.id_number)
    services.stay_extend(stay, reason="住院治疗", planned_leave_on=None, actor=cast.rescue_staff)
    returned(cast, stay, on=days_ago(33))  # due 3 days ago: still within the 3 grace days
    items.refresh_rescue_items()
    assert not WorkItem.objects.filter(source=items.FOLLOWUP_SOURCE).exists()


def test_referral_becomes_a_drafted_dibao_application(cast: Cast, person: Person) -> None:
    entry = returned(cast, intake(cast, id_number=person.id_number), on=TODAY)
    with pytest.raises(ledger.LedgerError, match="请选择帮扶需求"):
        ledger.followup_record(entry, ledger.Visit(TODAY, "needs_help"), actor=cast.village_worker)
    visit = ledger.Visit(TODAY, FollowUp.Outcome.NEEDS_HELP, need="dibao", note="无收入，独自生活")
    ledger.followup_record(entry, visit, actor=cast.village_worker)
    item = WorkItem.objects.get(source=items.REFERRAL_SOURCE)
    assert (item.role, item.subject_type, item.subject_id) == ("town_officer", "household", str(person.household_id))
    url = item_act(item, "rescue_draft_case", actor=cast.town_officer)
    from minzheng.cases.models import Case

    case = Case.objects.get(household=person.household)
    assert url == f"/cases/{case.case_no}/" and case.case_type == "dibao"
    item.refresh_from_db()
    assert item.status == "resolved" and case.case_no in item.resolution
    items.refresh_rescue_items()  # a refresh of the producers never touches referrals
    assert WorkItem.objects.filter(source=items.REFERRAL_SOURCE).count() == 1


def test_wander_register_only_in_own_grid(cast: Cast) -> None:
    who = ledger.Who(name="钱走失", division_code=VILLAGE_A, risks=["mental_illness"])
    entry = ledger.wander_register(who, actor=cast.village_worker)
    assert (entry.kind, entry.next_due_on) == ("wander", TODAY + dt.timedelta(days=15))
    with pytest.raises(ledger.LedgerError, match="不在您的管辖范围内"):
        ledger.wander_register(who, actor=cast.other_town_officer)
    assert AuditEvent.objects.filter(object_type="rescue_entry", object_id=str(entry.pk), action="create").exists()


def test_a_care_referral_has_no_case_draft(cast: Cast, person: Person) -> None:
    entry = returned(cast, intake(cast, id_number=person.id_number), on=TODAY)
    ledger.followup_record(entry, ledger.Visit(TODAY, "needs_help", need="care"), actor=cast.village_worker)
    item = WorkItem.objects.get(source=items.REFERRAL_SOURCE)
    assert (item.kind, actions_for(item, cast.town_officer)) == ("rescue_care", [])
