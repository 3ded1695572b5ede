"""The registry changes an event makes: a newborn joins the mother's 户, a spouse moves to the other 户.

Both go through the registry's own write (`person_create`) or, for the move (the registry has no move
service), the same three records it keeps for any change: the person row, a change-history row for
the person and both 户, and an audit row. Each then prices the households concerned again
(services_benefits), so their payments follow before the next payroll.
"""

from __future__ import annotations

from django.db import transaction

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.lifeevents.models import LifeEvent
from minzheng.registry.models import ChangeRecord, Person, Relation

CHILD_OF = {Relation.HEAD: ("子", "女"), Relation.SPOUSE: ("子", "女")}  # else a grandchild of the 户主
SPOUSE_OF = {
    Relation.HEAD: Relation.SPOUSE,
    Relation.SON: Relation.DAUGHTER_IN_LAW,
    Relation.DAUGHTER: Relation.SON_IN_LAW,
}


class PeopleError(ValueError):
    """A registry change refused with a Chinese reason."""


def child_register(event: LifeEvent, *, id_number: str, actor: Actor | None) -> Person:
    """户口登记: the child (name from the form, number from the police) added to the mother's 户."""
    from minzheng.core import idnumber
    from minzheng.lifeevents.services_benefits import changes_propose
    from minzheng.registry.services import RegistryError, person_create

    if event.child_id:
        return event.child  # type: ignore[return-value]
    try:
        parsed = idnumber.parse(id_number.strip())
    except idnumber.IdNumberError as exc:
        raise PeopleError(f"新生儿公民身份号码：{exc}") from None
    mother = event.person
    boy, girl = CHILD_OF.get(mother.relation, ("孙子女", "孙子女"))  # type: ignore[call-overload]
    name = str(event.facts.get("child_name") or "").strip()
    if not name:
        raise PeopleError("申请表未填写新生儿姓名")
    with transaction.atomic():
        try:
            child = person_create(
                actor=actor,
                household=mother.household,
                name=name,
                id_number=parsed.number,
                relation=boy if parsed.sex == "M" else girl,
                source=f"出生一件事 {event.case.case_no}",
            )
        except RegistryError as exc:
            raise PeopleError(str(exc)) from None
        LifeEvent.objects.filter(pk=event.pk).update(child=child)
        event.child = child
        changes_propose(event)
    return child


def person_move(event: LifeEvent, *, actor: Actor | None) -> Person:
    """户口迁移（随迁）: the person joins the spouse's 户; both households are priced again."""
    from minzheng.lifeevents.services_benefits import changes_propose

    person, spouse = event.person, event.partner
    if spouse is None:
        raise PeopleError("未登记配偶，无法迁入配偶户")
    if person.household_id == spouse.household_id:
        return person
    old = person.household
    new = spouse.household
    if person.relation == Relation.HEAD and old.members.exclude(pk=person.pk).exists():
        raise PeopleError("迁出人是原户户主且户内仍有成员：请先变更原户户主")
    relation = SPOUSE_OF.get(spouse.relation, Relation.OTHER)  # type: ignore[call-overload]
    with transaction.atomic():
        Person.objects.filter(pk=person.pk).update(household=new, division_code=new.division_id, relation=relation)
        for household, text in (
            (old, f"迁出 {person.name}（婚后随迁）"),
            (new, f"迁入 {person.name}（{Relation(relation).label}）"),
        ):
            ChangeRecord.objects.create(
                person=person,
                household=household,
                field="家庭成员",
                new_value=text,
                changed_by=actor if getattr(actor, "is_authenticated", False) else None,
                source=f"婚育户一件事 {event.case.case_no}",
            )
        audit_record(
            actor=actor,
            action="update",
            object_type="person",
            object_id=person.pk,
            summary=f"{person.name} 由户 {old.household_no} 迁入户 {new.household_no}（{event.case.case_no}）",
        )
        facts = {**event.facts, "moved_from_household": old.pk, "moved_to_household": new.pk}
        LifeEvent.objects.filter(pk=event.pk).update(facts=facts)
        event.facts = facts
        person.refresh_from_db()
        changes_propose(event)
    return person
