"""Benefit tags follow live entitlements; pages refuse them by hand; old tags become entitlements."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone

from minzheng.core.dates import add_months, first_of
from minzheng.payments import services
from minzheng.payments.models import Entitlement, EntitlementChange, Status
from minzheng.payments.tags import covered_counts, tags_sync_all, tags_to_entitlements
from minzheng.registry.forms import PersonAddForm, PersonEditForm
from minzheng.registry.models import ChangeRecord, Person, PersonTag
from minzheng.registry.services import person_update
from minzheng.rules.inputs_db import households_frame, registry_persons
from minzheng.testing import COUNTY, Cast, make_household

TODAY = timezone.localdate()
NEXT = add_months(first_of(TODAY), 1)


def _kinds(person: Person) -> set[str]:
    return set(PersonTag.objects.filter(person=person).values_list("kind", flat=True))


def _dibao(household, head) -> Entitlement:  # type: ignore[no-untyped-def]
    return services.entitlement_create(
        programme_id="dibao", subject=household, payee=head, amount_fen=90000, from_month=NEXT,
        source="case", reason="测试", actor=None, members=3,
    )  # fmt: skip


@pytest.mark.django_db
def test_household_entitlement_tags_every_member_and_ending_removes_them(cast: Cast) -> None:
    household, people = make_household()
    ent = _dibao(household, people[0])
    assert all("dibao" in _kinds(p) for p in people)
    person = Person.objects.get(pk=people[1].pk)
    assert person.tags_text == "低保对象;残疾:肢体二级"  # the disability tag is untouched
    assert ChangeRecord.objects.filter(person=person, field="人员标签", source__startswith="待遇").exists()
    services.entitlement_suspend(ent, month=NEXT, reason="核查", actor=None)
    assert "dibao" in _kinds(people[0])  # suspended is still live: the tag stays
    services.entitlement_end(ent, last_month=NEXT, reason="停保", actor=None)
    assert not any("dibao" in _kinds(p) for p in people)
    assert Person.objects.get(pk=people[1].pk).tags_text == "残疾:肢体二级"


@pytest.mark.django_db
def test_enrolled_reads_entitlements_not_tags(cast: Cast) -> None:
    household, people = make_household()
    person_update(actor=None, person=people[0], changes={"tags_text": "低保对象"})  # a tag written around the pages
    persons = registry_persons(Person.objects.order_by("pk"))
    assert persons["enrolled"].to_list() == [[], [], []]
    _dibao(household, people[0])
    persons = registry_persons(Person.objects.order_by("pk"))
    assert persons["enrolled"].to_list() == [["dibao"], ["dibao"], ["dibao"]]
    assert households_frame(persons).row(0, named=True)["enrolled"] == ["dibao"]


@pytest.mark.django_db
def test_pages_refuse_benefit_tags_by_hand(cast: Cast) -> None:
    form = PersonEditForm({"tags_text": "残疾:肢体二级;低保对象"}, initial={"tags_text": "残疾:肢体二级"})
    assert not form.is_valid()
    assert "“低保对象”由待遇记录产生" in form.errors["tags_text"][0]
    removed = PersonEditForm({"tags_text": ""}, initial={"tags_text": "特困人员"})
    assert not removed.is_valid() and "“特困人员”" in removed.errors["tags_text"][0]
    kept = PersonEditForm({"tags_text": "低保对象;独居老人"}, initial={"tags_text": "低保对象"})
    assert kept.is_valid()  # the benefit tag unchanged, another tag added
    add = PersonAddForm({"name": "王", "id_number": "x", "relation": "配偶", "tags": "孤儿"})
    assert not add.is_valid() and "由待遇记录产生" in add.errors["tags"][0]


@pytest.mark.django_db
def test_old_tags_become_unpaid_migrated_entitlements_once(cast: Cast) -> None:
    household, people = make_household()
    person_update(actor=None, person=people[0], changes={"tags_text": "低保对象"})
    person_update(actor=None, person=people[2], changes={"tags_text": "留守儿童;孤儿"})
    assert tags_to_entitlements() == {"migrated": 2, "stale_tags_removed": 0}
    dibao = Entitlement.objects.get(programme="dibao")
    assert (dibao.household_id, dibao.source, dibao.status) == (household.pk, "migrated", Status.SUSPENDED)
    assert (dibao.amount_fen, dibao.from_month, dibao.suspended_from) == (0, NEXT, NEXT)
    assert dibao.changes.get().kind == EntitlementChange.Kind.CREATED
    orphan = Entitlement.objects.get(programme="orphan")
    assert (orphan.person.name, orphan.payee.name) == ("张小明", "张建国")  # paid to the guardian
    assert all("dibao" in _kinds(p) for p in people)  # the household's tag now covers every member
    assert tags_sync_all()["migrated"] == 0
    assert Entitlement.objects.count() == 2


@pytest.mark.django_db
def test_an_old_tag_never_revives_an_ended_entitlement(cast: Cast) -> None:
    household, people = make_household()
    services.entitlement_end(_dibao(household, people[0]), last_month=NEXT, reason="停保", actor=None)
    person_update(actor=None, person=people[0], changes={"tags_text": "低保对象"})  # an old roll imported again
    assert tags_to_entitlements() == {"migrated": 0, "stale_tags_removed": 1}
    assert "dibao" not in _kinds(people[0])
    assert not Entitlement.objects.exclude(status=Status.ENDED).exists()


@pytest.mark.django_db
def test_the_data_migration_turns_tags_into_entitlements_with_history(cast: Cast) -> None:
    _, people = make_household()
    person_update(actor=None, person=people[0], changes={"tags_text": "低保对象"})
    person_update(actor=None, person=people[1], changes={"tags_text": "低保对象;特困人员"})
    step = importlib.import_module("minzheng.payments.migrations.0003_tags_benefit_tags_to_entitlements")
    assert step.migrate(apps, None, on=dt.date(2026, 11, 20)) == 2  # one 低保 household, one 特困 person
    dibao = Entitlement.objects.get(programme="dibao")
    assert (dibao.members, dibao.payee.name, dibao.from_month) == (3, "张建国", dt.date(2026, 12, 1))
    tekun = Entitlement.objects.get(programme="tekun")
    assert (tekun.person.name, tekun.payee.name, tekun.status, tekun.amount_fen) == ("李秀英", "李秀英", "suspended", 0)
    assert "由旧标签“特困人员”迁移" in tekun.changes.get().reason
    assert step.migrate(apps, None, on=dt.date(2026, 11, 20)) == 0


@pytest.mark.django_db
def test_home_counts_count_persons_covered_by_live_entitlements(cast: Cast) -> None:
    household, people = make_household()
    person_update(actor=None, person=people[1], changes={"tags_text": "特困人员"})  # a tag alone counts nothing
    assert covered_counts(COUNTY)["tekun"] == 0
    _dibao(household, people[0])
    assert covered_counts(COUNTY)["dibao"] == 3
    assert covered_counts("330212101")["dibao"] == 0  # another town
