"""一件事: what the demo county gets (after funeral and marriage, whose records draft events).

Through the real services with the demo accounts: the cremation and hukou feeds draft 身后一件事 for every
recent death (the funeral demo's cremation records have drafted some already: same events); the town's
window (`zhen`) accepts three of its town's drafts with a family member — one through to 全部办结 (the
funeral officer `binzang`, 人力社保 `bumen`, the town office, and the window recording the replies of
departments not yet on the platform), one half done, one just accepted — the rest stay drafts. One 低保
household is recomputed after a death (confirmed before the payroll); a birth adds a child to its 户; a
marriage registered by the bureau is accepted. Idempotent: nothing is added once an event was accepted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.core.idnumber import check_digit
from minzheng.lifeevents import feeds, services, services_benefits
from minzheng.lifeevents.models import BenefitChange, LifeEvent
from minzheng.lifeevents.services_tasks import TaskError, task_step
from minzheng.payments.models import Entitlement, Status
from minzheng.registry.models import Person

ADULT_DAYS = 365 * 20


def _family(person: Person) -> Person | None:
    cutoff = timezone.localdate() - dt.timedelta(days=ADULT_DAYS)
    members = Person.objects.filter(household_id=person.household_id, birth_date__lt=cutoff).exclude(pk=person.pk)
    return members.order_by("birth_date").first()


def _reporter(person: Person, n: int) -> dict[str, str]:
    family = _family(person)
    return {
        "reporter_name": family.name if family else "王家属",
        "reporter_id_number": family.id_number if family else "",
        "reporter_phone": family.phone if family and family.phone else f"1380574{n:04d}",
        "reporter_relation": family.get_relation_display() if family else "亲属",
        "authorisation_no": f"SQ-{timezone.localdate():%Y%m%d}-{n:03d}",
    }


def _accept(event: LifeEvent, zhen: User, n: int, facts: dict[str, Any]) -> LifeEvent:
    return services.event_open(
        kind=event.kind, person=event.person, facts=facts, reporter=_reporter(event.person, n), actor=zhen
    )


def _confirm_benefits(event: LifeEvent, zhen: User) -> None:
    for change in event.benefit_changes.filter(status=BenefitChange.Status.PROPOSED).order_by("pk"):
        try:
            services_benefits.change_apply(change, actor=zhen)
        except services_benefits.BenefitError:
            services_benefits.change_dismiss(change, actor=zhen, reason="演示：经核实不予变更")


def _work(event: LifeEvent, users: dict[str, User], *, only: set[str] | None = None) -> None:
    """Each department answers (the window records those not on the platform, with their receipt numbers)."""
    for task in event.tasks.filter(status__in=("pending", "accepted")).select_related("department").order_by("pk"):
        dep = task.department
        if only is not None and dep.code not in only:
            continue
        actor = {"funeral_home": users["binzang"], "hrss": users["bumen"]}.get(dep.code, users["zhen"])
        ref = "330212" + timezone.localdate().strftime("%Y%m%d") + "001" if task.item == "hukou_register" else ""
        if ref:
            ref += check_digit(ref)
        try:
            task_step(
                task, "done", actor=actor, reply=f"{dep.name}已办结", reply_ref=ref or f"{dep.code.upper()}-{task.pk}"
            )
        except (TaskError, ValueError):
            continue


def _dibao_death(zhen: User) -> LifeEvent | None:
    """One 低保 household of the town loses a member: the household's amount is recomputed and confirmed."""
    for ent in Entitlement.objects.filter(
        programme="dibao", status=Status.ACTIVE, household__isnull=False, division_code__startswith=zhen.jurisdiction
    ).order_by("pk"):
        members = list(Person.objects.filter(household_id=ent.household_id).order_by("-birth_date"))
        if len(members) < 2 or LifeEvent.objects.filter(person__in=members).exists():
            continue
        dead = members[-1]  # the oldest member
        died = timezone.localdate() - dt.timedelta(days=4)
        event = services.event_open(
            kind="death", person=dead, facts={"died_on": died}, reporter=_reporter(dead, 90), actor=zhen
        )
        _confirm_benefits(event, zhen)
        return event
    return None


def _window_death(zhen: User) -> LifeEvent | None:
    """The town's oldest resident without an event: a death reported at the window before any record."""
    adults = Person.objects.filter(
        division_code__startswith=zhen.jurisdiction, birth_date__lt=timezone.localdate() - dt.timedelta(days=ADULT_DAYS)
    )
    elder = adults.exclude(pk__in=LifeEvent.objects.values("person_id")).order_by("birth_date", "pk").first()
    if elder is None:
        return None
    died = timezone.localdate() - dt.timedelta(days=2)
    event = services.event_open(
        kind="death",
        person=elder,
        facts={"died_on": died, "has_pension": True},
        reporter=_reporter(elder, 93),
        actor=zhen,
    )
    _confirm_benefits(event, zhen)
    return event


def _birth(zhen: User, users: dict[str, User]) -> None:
    today = timezone.localdate()
    mothers = Person.objects.filter(
        sex="F",
        division_code__startswith=zhen.jurisdiction,
        relation__in=("02", "10"),
        birth_date__gt=today - dt.timedelta(days=365 * 38),
        birth_date__lt=today - dt.timedelta(days=365 * 23),
    )
    mother = mothers.order_by("pk").first()
    if mother is None:
        return
    event = services.event_open(
        kind="birth",
        person=mother,
        facts={
            "born_on": today - dt.timedelta(days=2),
            "child_name": f"{mother.name[0]}小满",
            "child_sex": "F",
            "birth_certificate_no": "R330212001",
        },
        reporter=_reporter(mother, 91),
        actor=zhen,
    )
    _work(event, users, only={"police", "health"})
    _confirm_benefits(event, zhen)


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    step("一件事：火化与户籍注销数据起草身后一件事、窗口受理、部门办理、低保家庭重算、出生与婚育户联办")
    users = {u.username: u for u in User.objects.filter(username__in=("zhen", "binzang", "bumen"))}
    if len(users) != 3 or LifeEvent.objects.exclude(case__status="registered").exists():
        return
    services.departments_ensure()
    feeds.drafts_from_feeds(max(built.as_of, timezone.localdate()))
    zhen = users["zhen"]
    drafts = LifeEvent.objects.filter(
        kind="death", case__status="registered", division_code__startswith=zhen.jurisdiction
    )
    accepted = []
    for n, event in enumerate(drafts.order_by("pk")[:3]):
        accepted.append(_accept(event, zhen, n, {"has_pension": n == 0, "eco_burial": n == 1}))
        _confirm_benefits(accepted[-1], zhen)
    recomputed = BenefitChange.objects.filter(
        event__in=accepted, action=BenefitChange.Action.AMOUNT, status=BenefitChange.Status.APPLIED
    )
    if not recomputed.exists():  # none of the town's deaths was in a 低保 household: one at the window
        event = _dibao_death(zhen)
        accepted = [event, *accepted] if event else accepted
    if not accepted:  # a small demo county: a death reported at the window, with no record before it
        event = _window_death(zhen)
        accepted = [event] if event else []
    for n, event in enumerate(accepted[:2]):  # one through to 全部办结 (the family told once), one half done
        _work(event, users, only=None if n == 0 else {"funeral_home", "hrss"})
    _birth(zhen, users)
    marriage = LifeEvent.objects.filter(
        kind="marriage", case__status="registered", division_code__startswith=zhen.jurisdiction
    ).first()
    if marriage is not None:
        _accept(marriage, zhen, 92, {"moves": marriage.partner_id is not None, "birth_plan": True})
