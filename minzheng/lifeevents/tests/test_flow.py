"""Through to all done: the family's one notice; a birth adds the child and re-assesses the household;
a marriage moves the person and recomputes both households; deadlines in working days."""

from __future__ import annotations

import pytest

from minzheng.lifeevents import services, services_benefits
from minzheng.lifeevents.models import BenefitChange, LifeEvent
from minzheng.lifeevents.services_tasks import task_step
from minzheng.lifeevents.tests.conftest import REPORTER, TODAY, World, department_user
from minzheng.notifications.models import Notification
from minzheng.payments.models import Entitlement, Status
from minzheng.registry.models import Person
from minzheng.registry.services import household_create, person_create
from minzheng.testing import VILLAGE_A2, Cast
from minzheng.workdays.selectors import add_working_days


def _finish_all(event: LifeEvent, cast: Cast) -> None:
    users = {"funeral_officer": cast.funeral_officer, "town_officer": cast.town_officer}
    for task in event.tasks.exclude(status__in=("done", "na")).select_related("department").order_by("pk"):
        dep = task.department
        user = users.get(dep.role) or (cast.department_staff if dep.code == "hrss" else department_user(dep.code))
        task_step(task, "done", actor=user, reply=f"{dep.name}已办结", reply_ref=f"{dep.code.upper()}-1")


@pytest.mark.django_db
def test_all_tasks_done_closes_the_case_and_the_family_is_told_once(world: World, cast: Cast) -> None:
    event = services.event_open(
        kind="death",
        person=world.head,
        facts={"died_on": TODAY, "has_pension": True},
        reporter=REPORTER,
        actor=cast.town_officer,
    )
    task = event.tasks.get(item="ssc_card")
    assert task.due_on == add_working_days(TODAY, 3)  # the list's 3 working days from 受理
    for change in event.benefit_changes.all():
        services_benefits.change_apply(change, actor=cast.town_officer)
    _finish_all(event, cast)
    event.refresh_from_db()
    assert event.case.status == "done" and not event.is_open
    assert event.notified_at is not None and "已全部办结" in event.notice_text
    assert Notification.objects.filter(fingerprint=f"lifedone:{event.pk}").count() == 1
    assert services.event_check_done(event) is False  # nothing is sent twice


@pytest.mark.django_db
def test_a_birth_adds_the_child_and_queues_a_re_assessment_of_the_household(world: World, cast: Cast) -> None:
    event = services.event_open(
        kind="birth",
        person=world.wife,
        facts={"born_on": TODAY, "child_name": "张小雨", "child_sex": "F"},
        reporter={**REPORTER, "reporter_name": "张建国", "reporter_id_number": world.head.id_number},
        actor=cast.town_officer,
    )
    assert dict(event.tasks.values_list("item", "status"))["household_review"] == "pending"
    police = department_user("police")
    task = event.tasks.get(item="hukou_register")
    task_step(task, "done", actor=police, reply="已落户", reply_ref="330212202612010022")
    child = Person.objects.get(id_number="330212202612010022")
    assert child.household == world.family and child.get_relation_display() == "女"
    event.refresh_from_db()
    change = event.benefit_changes.get(programme="dibao")
    # Four members now: (1181 − 0) × 4 = 4724.00 元 from the month after the birth, to be confirmed.
    assert (change.action, change.old_members, change.new_members, change.new_amount_fen) == (
        BenefitChange.Action.AMOUNT,
        3,
        4,
        472_400,
    )


@pytest.mark.django_db
def test_a_marriage_moves_the_person_and_recomputes_both_households(world: World, cast: Cast) -> None:
    home = household_create(actor=None, household_no="HQ-0020", division_code=VILLAGE_A2)
    groom = person_create(actor=None, household=home, name="陈志强", id_number="330212199505053014", relation="户主")
    # 李秀英's household is the 低保 one; here the son's future wife is simulated by moving 李秀英's daughter-in-law:
    bride = person_create(
        actor=None, household=world.family, name="张小红", id_number="330212199803083027", relation="女"
    )
    Entitlement.objects.filter(pk=world.dibao.pk).update(members=4)
    event = services.event_from_record(
        kind="marriage",
        person=bride,
        source="marriage",
        source_ref="J330212-2026-1",
        facts={"registered_on": TODAY.isoformat(), "spouse_id_number": groom.id_number},
    )
    assert event is not None and event.partner == groom
    event = services.event_open(
        kind="marriage", person=bride, facts={"moves": True}, reporter=REPORTER, actor=cast.town_officer
    )
    states = dict(event.tasks.values_list("item", "status"))
    assert states["marriage_register"] == "done" and states["hukou_move"] == "pending"
    task_step(event.tasks.get(item="hukou_move"), "done", actor=department_user("police"), reply="已迁入")
    bride.refresh_from_db()
    assert bride.household == home and bride.get_relation_display() == "配偶"
    change = event.benefit_changes.get(programme="dibao", household=world.family)
    assert (change.old_members, change.new_members) == (4, 3)
    world.dibao.refresh_from_db()
    assert world.dibao.status == Status.SUSPENDED  # held until the caseworker confirms, before the payroll
