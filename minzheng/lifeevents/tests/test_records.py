"""Department records → one draft per death; the window accepts it; the region's items fan out."""

from __future__ import annotations

import pytest

from minzheng.cases.models import Material
from minzheng.lifeevents import services
from minzheng.lifeevents.catalogue import catalogue
from minzheng.lifeevents.models import EventRecord, LifeEvent
from minzheng.lifeevents.tests.conftest import REPORTER, TODAY, World
from minzheng.testing import Cast


def _died() -> dict[str, str]:
    return {"died_on": TODAY.replace(day=1).isoformat()}


@pytest.mark.django_db
def test_two_cremation_records_and_a_hukou_record_of_one_person_make_one_case(world: World) -> None:
    first = services.event_from_record(
        kind="death", person=world.head, source="cremation", source_ref="HH-001", facts=_died()
    )
    again = services.event_from_record(
        kind="death", person=world.head, source="cremation", source_ref="HH-001", facts=_died()
    )
    second = services.event_from_record(
        kind="death", person=world.head, source="cremation", source_ref="HH-002", facts=_died()
    )
    hukou = services.event_from_record(
        kind="death", person=world.head, source="hukou", source_ref="ZX-9", facts={"cancelled_on": TODAY.isoformat()}
    )
    assert first is not None and first.pk == again.pk == second.pk == hukou.pk  # type: ignore[union-attr]
    assert LifeEvent.objects.count() == 1
    assert EventRecord.objects.filter(event=first).count() == 3
    assert first.case.status == "registered" and first.case.case_no.startswith("身后-330212-")
    assert first.region == "330212"


@pytest.mark.django_db
def test_window_accepts_the_draft_and_every_item_of_the_region_becomes_a_task(world: World, cast: Cast) -> None:
    draft = services.event_from_record(
        kind="death", person=world.head, source="cremation", source_ref="HH-001", facts=_died()
    )
    event = services.event_open(
        kind="death", person=world.head, facts={"has_pension": True}, reporter=REPORTER, actor=cast.town_officer
    )
    assert event.pk == draft.pk  # type: ignore[union-attr]
    _, items = catalogue().items_for("death", event.division_code)
    assert len(items) == 18  # 浙江 17 + 鄞州 银龄安康
    assert sorted(event.tasks.values_list("item", flat=True)) == sorted(i.key for i in items)
    states = dict(event.tasks.values_list("item", "status"))
    assert states["cremation"] == "done"  # the cremation record shows it done
    assert states["pension_account"] == "pending" and states["driving_licence"] == "na"
    assert states["disability_card"] == "na"  # 张建国 has no disability registered
    assert states["assistance_stop"] == "pending"  # the household's 低保
    proofs = {m.key: m for m in Material.objects.filter(case=event.case, key__startswith="proof:")}
    assert proofs["proof:death_certificate"].status == Material.Status.FETCHED
    assert "火化记录" in proofs["proof:death_certificate"].note
    assert proofs["proof:relation_proof"].status == Material.Status.FETCHED  # 李秀英 is in the same 户
    assert proofs["proof:id_card_original"].status == Material.Status.MISSING


@pytest.mark.django_db
def test_window_refuses_acceptance_without_the_family_authorisation(world: World, cast: Cast) -> None:
    with pytest.raises(services.LifeEventError, match="授权书编号"):
        services.event_open(
            kind="death",
            person=world.head,
            facts={},
            reporter={**REPORTER, "authorisation_no": ""},
            actor=cast.town_officer,
        )


@pytest.mark.django_db
def test_a_cremation_record_after_the_window_closes_its_item_and_proves_the_death(world: World, cast: Cast) -> None:
    event = services.event_open(
        kind="death", person=world.head, facts=_died(), reporter=REPORTER, actor=cast.town_officer
    )
    assert event.tasks.get(item="cremation").status == "pending"
    proof = Material.objects.get(case=event.case, key="proof:death_certificate")
    assert proof.status == Material.Status.MISSING
    same = services.event_from_record(
        kind="death",
        person=world.head,
        source="cremation",
        source_ref="HH-9",
        facts={**_died(), "cremated_on": TODAY.isoformat()},
    )
    assert same is not None and same.pk == event.pk
    task = event.tasks.get(item="cremation")
    assert task.status == "done" and "HH-9" in task.reply
    proof.refresh_from_db()
    assert proof.status == Material.Status.FETCHED


@pytest.mark.django_db
def test_withdrawing_a_wrong_draft_closes_it_and_a_new_record_drafts_again(
    world: World, cast: Cast, django_capture_on_commit_callbacks: object
) -> None:
    from minzheng.cases.services import case_transition

    event = services.event_open(
        kind="death", person=world.head, facts=_died(), reporter=REPORTER, actor=cast.town_officer
    )
    with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
        case_transition(event.case, "withdrawn", actor=cast.town_officer, reason="火化数据身份号码错录")
    event.refresh_from_db()
    assert not event.is_open
    assert not event.tasks.filter(status__in=("pending", "accepted")).exists()
    again = services.event_from_record(
        kind="death", person=world.head, source="hukou", source_ref="ZX-2", facts=_died()
    )
    assert again is not None and again.pk != event.pk
