"""Every write to a life event: a department record drafts it, the window accepts it, the items fan out.

`event_from_record` is what other parts call (a cremation record, a 户籍注销, a marriage registration):
idempotent on (kind, person, source, source_ref), and a second record of the same person attaches to
the event already open (a death attaches to the person's one death event, open or finished). The
window's form accepts a draft or opens a new event; acceptance fans out one task per item of the
region's list, ticks the proofs data already holds and starts the benefit changes.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.cases import services as cases
from minzheng.lifeevents.catalogue import ItemSpec, catalogue
from minzheng.lifeevents.models import Department, EventRecord, Kind, LifeEvent, Task
from minzheng.registry.models import Person
from minzheng.workdays.selectors import add_working_days
from minzheng.workflow import services as workflow
from minzheng.workflow.machine import load
from minzheng.workflow.services import Binding, TransitionRefused

CASE_TYPES = {"death": "life_death", "birth": "life_birth", "marriage": "life_marriage"}
REPORTER_FIELDS = ("reporter_name", "reporter_id_number", "reporter_phone", "reporter_relation", "authorisation_no")
DATE_FACTS = {"death": "died_on", "birth": "born_on", "marriage": "registered_on"}
TASK_MACHINE = load(
    "lifeevent_task", yaml.safe_load((Path(__file__).parent / "machines" / "task.yaml").read_text("utf-8"))
)
workflow.bind(Task, Binding(object_type="lifeevent_task", machine=lambda task: TASK_MACHINE, state_field="status"))


class LifeEventError(ValueError):
    """A request refused with a Chinese reason naming the field."""


@workflow.guard("lifeevent_reporter")
def _reporter_guard(case: Any, actor: Any, data: dict[str, Any]) -> str | None:
    """受理 needs the family member who asks, how to reach them, and their signed authorisation."""
    event = LifeEvent.objects.filter(case=case).first()
    if event is None:
        return None
    missing = [
        label
        for key, label in (
            ("reporter_name", "申请人姓名"),
            ("reporter_phone", "申请人电话"),
            ("authorisation_no", "授权书编号"),
        )
        if not str(data.get(key) or getattr(event, key) or "").strip()
    ]
    return f"受理联办须填写：{'、'.join(missing)}" if missing else None


@workflow.guard("lifeevent_all_done")
def _all_done_guard(case: Any, actor: Any, data: dict[str, Any]) -> str | None:
    event = LifeEvent.objects.filter(case=case).first()
    if event is None:
        return None
    left = event.tasks.exclude(status__in=FINAL_TASK_STATES).count()
    return f"还有 {left} 个部门事项未办结" if left else None


FINAL_TASK_STATES = ("done", "na")


def _facts_date(kind: str, facts: dict[str, Any]) -> dt.date | None:
    raw = facts.get(DATE_FACTS[kind])
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw)[:10]) if raw else None
    except ValueError:
        return None


def _clean_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe facts (dates as ISO text)."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in facts.items() if v not in (None, "")}


def _partner(facts: dict[str, Any]) -> Person | None:
    number = str(facts.get("partner_id_number") or facts.get("spouse_id_number") or "").strip().upper()
    return Person.objects.filter(id_number=number).first() if number else None


def departments_ensure() -> dict[str, Department]:
    """The departments of the item lists, created once (codes are the accounts' `unit`)."""
    out = {}
    for spec in catalogue().departments.values():
        dep, _ = Department.objects.get_or_create(code=spec.code, defaults={"name": spec.name, "role": spec.role})
        out[spec.code] = dep
    return out


def _existing(kind: str, person: Person) -> LifeEvent | None:
    events = LifeEvent.objects.filter(kind=kind, person=person).select_related("case")
    if kind == Kind.DEATH:  # a person dies once: every record of it belongs to the one event not withdrawn
        return events.exclude(case__status="withdrawn").order_by("-pk").first()
    return events.filter(is_open=True).first()


def _create(
    kind: str, person: Person, *, source: str, ref: str, facts: dict[str, Any], actor: Actor | None, draft: bool
) -> LifeEvent:
    household = person.household
    region, _ = catalogue().items_for(kind, household.division_id)
    opening = cases.Opening(
        CASE_TYPES[kind],
        household,
        timezone.localdate(),
        applicant=person,
        draft=draft,
        drafted_from=f"{source}:{ref}"[:64],
    )
    try:
        case = cases.case_open(opening, actor=actor)
    except cases.CaseError as exc:
        raise LifeEventError(str(exc)) from None
    return LifeEvent.objects.create(
        kind=kind,
        case=case,
        person=person,
        partner=_partner(facts),
        event_date=_facts_date(kind, facts),
        division_code=household.division_id,
        region=region,
        facts=_clean_facts(facts),
        source=source,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )


def _attach(event: LifeEvent, *, source: str, ref: str, facts: dict[str, Any]) -> None:
    """Keep the first record's facts; a later record fills what was missing (a date, a partner)."""
    merged = {**_clean_facts(facts), **event.facts}
    changes: dict[str, Any] = {}
    if merged != event.facts:
        changes["facts"] = merged
    if event.event_date is None and _facts_date(event.kind, facts):
        changes["event_date"] = _facts_date(event.kind, facts)
    if event.partner_id is None and _partner(facts) is not None:
        changes["partner"] = _partner(facts)
    for key, value in changes.items():
        setattr(event, key, value)
    if changes:
        event.save(update_fields=list(changes))


def event_from_record(
    *, kind: str, person: Person, source: str, source_ref: str, facts: dict[str, Any], actor: Actor | None = None
) -> LifeEvent | None:
    """A department record (火化, 户籍注销, 婚姻登记, 出生医学证明) → the person's event, drafted once."""
    if kind not in CASE_TYPES:
        raise LifeEventError(f"未知的事项类型：{kind}")
    if not source or not source_ref:
        raise LifeEventError("来源记录须有来源和编号")
    known = EventRecord.objects.filter(kind=kind, person=person, source=source, source_ref=source_ref[:64]).first()
    if known is not None:
        return known.event
    try:
        with transaction.atomic():
            event = _from_record(kind, person, source, source_ref[:64], facts, actor)
    except IntegrityError:  # another record of the same person won the race: attach to its event
        with transaction.atomic():
            event = _from_record(kind, person, source, source_ref[:64], facts, actor)
    return event


def _from_record(
    kind: str, person: Person, source: str, ref: str, facts: dict[str, Any], actor: Actor | None
) -> LifeEvent:
    from minzheng.lifeevents import services_benefits, services_proofs

    event = _existing(kind, person)
    created = event is None
    if event is None:
        event = _create(kind, person, source=source, ref=ref, facts=facts, actor=actor, draft=True)
    else:
        _attach(event, source=source, ref=ref, facts=facts)
    EventRecord.objects.create(
        event=event, kind=kind, person=person, source=source, source_ref=ref, facts=_clean_facts(facts)
    )
    services_proofs.proofs_refresh(event)
    tasks_from_records(event, actor=actor)
    if kind == Kind.DEATH:  # official data of a death: stop the payments before the next payroll
        services_benefits.changes_propose(event)
    audit_record(
        actor=actor,
        action="create" if created else "update",
        object_type="life_event",
        object_id=event.pk,
        summary=f"{'起草' if created else '补充'}{event.get_kind_display()} {event.case.case_no}（{source} {ref}）",
        data={"source": source, "source_ref": ref, "case": event.case.case_no},
    )
    return event


# --- the window ---------------------------------------------------------------------------------


def event_open(
    *, kind: str, person: Person, facts: dict[str, Any], reporter: dict[str, str], actor: Actor, client_ip: str = ""
) -> LifeEvent:
    """The window's one form: accept the person's draft if a department record made one, else open and accept."""
    if kind not in CASE_TYPES:
        raise LifeEventError(f"未知的事项类型：{kind}")
    event = _existing(kind, person)
    if event is not None and event.case.status != "registered":
        state = cases.case_type(event.case.case_type).machine.state_label(event.case.status)
        raise LifeEventError(f"已有{event.get_kind_display()} {event.case.case_no}（{state}），请在原件中办理")
    with transaction.atomic():
        if event is None:
            event = _create(kind, person, source="window", ref="", facts=facts, actor=actor, draft=False)
            EventRecord.objects.create(
                event=event,
                kind=kind,
                person=person,
                source="window",
                source_ref=event.case.case_no,
                facts=_clean_facts(facts),
            )
        else:
            _attach(event, source="window", ref=event.case.case_no, facts=facts)
            event.facts = {**event.facts, **_clean_facts(facts)}  # the family's answers prevail over the draft's
            event.save(update_fields=["facts"])
        event_accept(event, reporter=reporter, actor=actor, client_ip=client_ip)
    return event


def event_accept(event: LifeEvent, *, reporter: dict[str, str], actor: Actor, client_ip: str = "") -> LifeEvent:
    """受理联办: the family's authorisation recorded, every item of the region's list becomes a task."""
    from minzheng.lifeevents import services_benefits, services_proofs, services_tasks

    values = {k: str(reporter.get(k) or "").strip() for k in REPORTER_FIELDS}
    values["reporter_id_number"] = values["reporter_id_number"].upper()
    with transaction.atomic():
        for key, value in values.items():
            setattr(event, key, value[: LifeEvent._meta.get_field(key).max_length])  # type: ignore[union-attr]
        event.save(update_fields=list(values))
        cases.Case.objects.filter(pk=event.case_id).update(authorisation_no=values["authorisation_no"][:64])
        event.case.authorisation_no = values["authorisation_no"][:64]
        try:
            data = {"authorisation_no": values["authorisation_no"]}  # the rest is on the event, not in the log
            cases.case_transition(event.case, "processing", actor=actor, data=data, client_ip=client_ip)
        except TransitionRefused as exc:
            raise LifeEventError(str(exc)) from None
        cases.materials_refresh(event.case)
        tasks_fan_out(event, actor=actor)
        services_proofs.proofs_refresh(event)
        tasks_from_records(event, actor=actor)
        services_benefits.changes_propose(event)
        services_tasks.departments_notify(event)
        audit_record(
            actor=actor,
            action="update",
            object_type="life_event",
            object_id=event.pk,
            client_ip=client_ip,
            summary=f"受理{event.get_kind_display()} {event.case.case_no}：{event.tasks.count()} 个部门事项",
        )
    return event


# --- the items ----------------------------------------------------------------------------------


def applies(event: LifeEvent, item: ItemSpec) -> tuple[bool, str]:
    """Whether the item concerns this event, and if not, why (shown as the task's reply)."""
    from minzheng.lifeevents.services_benefits import live_programmes

    kind, arg = item.condition
    if not kind:
        return True, ""
    if kind == "fact":
        yes = bool(event.facts.get(arg))
        return yes, "" if yes else "申请表未勾选此项（不涉及）"
    if kind == "tag":
        yes = event.person.tags.filter(kind=arg).exists()
        return yes, "" if yes else "居民台账无相应登记（不涉及）"
    if kind == "benefit":
        yes = bool(live_programmes(event) & set(arg.split(",")))
        return yes, "" if yes else "本人及家庭未享受相关待遇（不涉及）"
    if kind == "age":
        on = event.event_date or timezone.localdate()
        b = event.person.birth_date
        age = on.year - b.year - ((on.month, on.day) < (b.month, b.day))
        return age >= int(arg), "" if age >= int(arg) else f"未满 {arg} 周岁（不涉及）"
    return True, ""


def tasks_fan_out(event: LifeEvent, *, actor: Actor | None) -> list[Task]:
    """One task per item of the region's list: pending with its deadline, or 不涉及 with the reason."""
    deps = departments_ensure()
    _, items = catalogue().items_for(event.kind, event.region or event.division_code)
    start = timezone.localdate()
    made = []
    for item in items:
        if event.tasks.filter(item=item.key).exists():
            continue
        ok, why = applies(event, item)
        task = Task.objects.create(
            event=event,
            item=item.key,
            label=item.label,
            department=deps[item.department],
            division_code=event.division_code,
            status="pending" if ok else "na",
            due_on=add_working_days(start, item.days) if ok else None,
            proofs=list(item.proofs),
            reply="" if ok else why,
        )
        workflow.start(task, actor=actor, on=start, state=task.status, reason=why)
        made.append(task)
    return made


def tasks_from_records(event: LifeEvent, *, actor: Actor | None) -> int:
    """An item a department record already shows done (火化记录 → 遗体火化) is closed with that record."""
    done = 0
    records = {r.source: r for r in event.records.all()}
    _, items = catalogue().items_for(event.kind, event.region or event.division_code)
    for item in items:
        source = item.done_by.removesuffix("_record")
        record = records.get(source)
        task = event.tasks.filter(item=item.key, status__in=("pending", "accepted")).first()
        if not item.done_by or record is None or task is None:
            continue
        reply = f"已由{record.get_kind_display()}来源记录证实办结（{source} {record.source_ref}）"
        Task.objects.filter(pk=task.pk).update(reply=reply, reply_ref=record.source_ref, replied_at=timezone.now())
        workflow.transition(task, "done", actor=actor, reason=reply)  # type: ignore[arg-type]
        done += 1
    if done:
        event_check_done(event)
    return done


def event_check_done(event: LifeEvent) -> bool:
    """All tasks final → the case is 全部办结 (by the system) and the family gets its one notice."""
    from minzheng.lifeevents.services_tasks import family_notice

    event.case.refresh_from_db()
    if event.case.status != "processing" or event.tasks.exclude(status__in=FINAL_TASK_STATES).exists():
        return False
    cases.case_transition(event.case, "done", actor=None)  # type: ignore[arg-type]
    LifeEvent.objects.filter(pk=event.pk).update(is_open=False)
    event.is_open = False
    family_notice(event)
    return True


@workflow.effect("lifeevent_withdrawn")
def _withdrawn(case: Any, log: Any) -> None:
    """撤销 (a wrong record, a duplicate): the event closes and its open items become 不涉及 with the reason.

    Benefit changes stay on the caseworker's 待办: restoring a suspended payment is a person's decision.
    """
    event = LifeEvent.objects.filter(case=case).first()
    if event is None:
        return
    LifeEvent.objects.filter(pk=event.pk).update(is_open=False)
    for task in event.tasks.filter(status__in=("pending", "accepted", "returned")):
        workflow.transition(task, "na", actor=None, reason=f"一件事已撤销：{log.reason}")  # type: ignore[arg-type]
