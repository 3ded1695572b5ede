"""Department data reach the child file: a parent's death or prison from the newest verification batch
result updates the parent's situation and raises one 待办 per role, once; a release ends the category."""

from __future__ import annotations

import datetime as dt
from typing import Any

from minzheng.children import feeds, services
from minzheng.children.models import ChildFile, ParentSituation, Situation, Source
from minzheng.children.selectors import child_categories
from minzheng.children.tests.conftest import Family, open_file
from minzheng.registry.models import Person
from minzheng.verification.models import BatchHouseholdResult, BatchRun
from minzheng.workitems.models import WorkItem


def _batch(as_of: dt.date, person: Person, **member: Any) -> BatchHouseholdResult:
    run = BatchRun.objects.create(as_of=as_of, status="done")
    row = {"id_number": person.id_number, "name": person.name, "flags": [], "died_on": None, "death_sources": []}
    row.update(member)
    return BatchHouseholdResult.objects.create(
        run=run,
        household_id=person.household_id,
        division_code=person.division_code,
        members=1,
        persons=[row],
        flags=row["flags"],
        content_hash=f"{run.pk}",
    )


def _child_with_parents(family: Family) -> ChildFile:
    child = open_file(family.son)
    for parent, person in (("father", family.father), ("mother", family.mother)):
        services.situation_record(
            child, parent=parent, situation=Situation.PRESENT, since=dt.date(2020, 1, 1), source=Source.VISIT,
            evidence="走访", parent_person=person, actor=None,
        )  # fmt: skip
    return child


def _items() -> Any:
    return WorkItem.objects.filter(source=feeds.SOURCE)


def test_a_parent_death_in_the_feed_raises_one_item_per_role_once(family: Family) -> None:
    child = _child_with_parents(family)
    _batch(dt.date(2026, 3, 31), family.father, flags=["deceased"], died_on="2026-03-02", death_sources=["cremation"])
    counts = feeds.apply_parent_findings(dt.date(2026, 4, 1))
    assert counts["changes"] == 1 and counts["items"] == 2
    now = ParentSituation.objects.get(child=child, parent="father", until__isnull=True)
    assert (now.situation, now.since, now.source) == (Situation.DEAD, dt.date(2026, 3, 2), Source.FEED)
    assert "火化" in now.evidence
    items = _items().order_by("role")
    assert [i.role for i in items] == ["child_director", "child_supervisor"]
    assert all(i.division_code == child.division_code and i.subject_id == str(child.pk) for i in items)
    assert "张**" in items[0].title and "张小明" not in items[0].title and "父亲死亡" in items[0].title
    # a second run (and the daily one) change nothing
    assert feeds.apply_parent_findings(dt.date(2026, 4, 2))["changes"] == 0
    assert _items().count() == 2
    assert ParentSituation.objects.filter(child=child, parent="father").count() == 2


def test_a_correction_by_visit_is_not_undone_by_the_next_run(family: Family) -> None:
    child = _child_with_parents(family)
    _batch(dt.date(2026, 3, 31), family.father, flags=["deceased"], died_on="2026-03-02")
    feeds.apply_parent_findings(dt.date(2026, 4, 1))
    services.situation_record(
        child, parent="father", situation=Situation.PRESENT, since=dt.date(2026, 3, 5), source=Source.VISIT,
        evidence="走访核实：同名误报", actor=None,
    )  # fmt: skip
    assert feeds.apply_parent_findings(dt.date(2026, 4, 2))["changes"] == 0
    assert ParentSituation.objects.get(child=child, parent="father", until__isnull=True).situation == Situation.PRESENT


def test_prison_then_release_from_the_feed(family: Family) -> None:
    child = _child_with_parents(family)
    services.situation_record(
        child, parent="mother", situation=Situation.SEVERE_DISABILITY, since=dt.date(2021, 1, 1),
        source=Source.DOCUMENT, evidence="残疾证", actor=None,
    )  # fmt: skip
    _batch(dt.date(2025, 6, 30), family.father, flags=["prison"], prison=True)
    feeds.apply_parent_findings(dt.date(2025, 7, 1))
    assert "unsupported_child" in child_categories(child)
    assert _items().filter(kind="child_parent_imprisoned").count() == 2
    _batch(dt.date(2026, 1, 31), family.father, flags=[], prison=False)
    feeds.apply_parent_findings(dt.date(2026, 2, 1))
    father = ParentSituation.objects.filter(child=child, parent="father").order_by("-since", "-pk")
    assert [r.situation for r in father[:2]] == [Situation.PRESENT, Situation.IMPRISONED]
    assert father[1].until == dt.date(2026, 1, 31)
    assert "unsupported_child" not in child_categories(child)
    assert _items().filter(kind="child_parent_present").count() == 2


def test_the_batch_hook_is_registered() -> None:
    from minzheng.verification.tasks import AFTER_BATCH

    assert feeds.after_batch in AFTER_BATCH
