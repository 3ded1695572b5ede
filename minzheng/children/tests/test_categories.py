"""Categories by rule from the child file: boundaries of age, 失联 months in days, release from prison."""

from __future__ import annotations

import datetime as dt

from minzheng.children import categories, services
from minzheng.children.models import ChildFile, Situation, Source
from minzheng.children.selectors import child_categories, child_pending
from minzheng.children.tests.conftest import Family, child_born, open_file
from minzheng.registry.models import Person


def _record(child: ChildFile, parent: str, situation: str, since: dt.date, person: Person | None = None) -> None:
    services.situation_record(
        child,
        parent=parent,
        situation=situation,
        since=since,
        source=Source.DOCUMENT,
        evidence="证明",
        parent_person=person,
        actor=None,
    )


def _explained(child: ChildFile, cid: str) -> dict[str, str]:
    return next(e for e in child.category.explanation if e["category"] == cid)


def test_unknown_parent_is_pending_naming_what_is_missing(family: Family) -> None:
    child = open_file(family.son)
    _record(child, "father", Situation.DEAD, dt.date(2020, 1, 1), family.father)
    child.refresh_from_db()
    assert "orphan" in child_pending(child)
    assert "母亲情形（儿童档案未登记）" in _explained(child, "orphan")["text"]
    assert "orphan" not in child_categories(child)


def test_both_parents_dead_is_an_orphan_with_a_chinese_explanation(family: Family) -> None:
    child = open_file(family.son)
    _record(child, "father", Situation.DEAD, dt.date(2020, 1, 1), family.father)
    _record(child, "mother", Situation.MISSING, dt.date(2021, 1, 1), family.mother)
    assert "orphan" in child_categories(child)
    child.refresh_from_db()
    assert _explained(child, "orphan")["text"].startswith("符合：经认定为孤儿，或儿童档案记载父母均死亡或宣告失踪")
    # the 事实无人抚养 policy gives way to 孤儿 (民发〔2019〕62号: not both)
    assert "unsupported_child" not in child_categories(child)


def _at(child: ChildFile, day: dt.date) -> list[str]:
    categories.recompute([child], day)
    return child_categories(child)


def test_age_16_18_22_with_and_without_school(family: Family) -> None:
    kid = child_born(family.household, dt.date(2008, 6, 1))
    child = open_file(kid)
    _record(child, "father", Situation.AWAY_WORKING, dt.date(2015, 1, 1))
    _record(child, "mother", Situation.AWAY_WORKING, dt.date(2015, 1, 1))
    assert "left_behind_child" in _at(child, dt.date(2024, 5, 31))  # 15 years 364 days
    assert "left_behind_child" not in _at(child, dt.date(2024, 6, 1))  # 16 on the birthday
    _record(child, "father", Situation.IMPRISONED, dt.date(2020, 1, 1))
    _record(child, "mother", Situation.DEAD, dt.date(2020, 2, 1))
    assert "unsupported_child" in _at(child, dt.date(2026, 5, 31))
    assert "unsupported_child" not in _at(child, dt.date(2026, 6, 1))  # 18: school not yet known
    assert "unsupported_child" in child_pending(child)
    services.child_file_update(child, in_school=False, actor=None)
    assert "unsupported_child" not in _at(child, dt.date(2026, 6, 1))  # 18 and out of school: ends
    services.child_file_update(child, in_school=True, actor=None)
    assert "unsupported_child" in _at(child, dt.date(2030, 5, 31))  # 21, full-time school
    assert "unsupported_child" not in _at(child, dt.date(2030, 6, 1))  # 22: ends even in school


def test_adult_school_unknown_is_pending(family: Family) -> None:
    child = open_file(child_born(family.household, dt.date(2006, 6, 1)))
    _record(child, "father", Situation.DEAD, dt.date(2020, 1, 1))
    _record(child, "mother", Situation.DEAD, dt.date(2020, 1, 1))
    _at(child, dt.date(2025, 1, 1))
    assert "orphan" in child_pending(child)
    child.refresh_from_db()
    assert "是否在校" in _explained(child, "orphan")["text"]


def test_lost_contact_counts_six_months_in_days(family: Family) -> None:
    child = open_file(family.son)
    _record(child, "mother", Situation.DEAD, dt.date(2019, 1, 1))
    _record(child, "father", Situation.LOST_CONTACT, dt.date(2024, 7, 31))
    assert "unsupported_child" not in _at(child, dt.date(2025, 1, 30))  # 5 months 30 days
    assert "unsupported_child" in _at(child, dt.date(2025, 1, 31))  # 6 months to the day


def test_release_from_prison_ends_the_category(family: Family) -> None:
    child = open_file(family.son)
    _record(child, "father", Situation.IMPRISONED, dt.date(2023, 3, 1))
    _record(child, "mother", Situation.SEVERE_DISABILITY, dt.date(2022, 1, 1))
    assert "unsupported_child" in _at(child, dt.date(2024, 1, 1))
    _record(child, "father", Situation.PRESENT, dt.date(2024, 5, 3))
    prison = child.situations.get(situation=Situation.IMPRISONED)
    assert prison.until == dt.date(2024, 5, 3)
    assert "unsupported_child" in _at(child, dt.date(2024, 5, 2))  # history: still in prison that day
    assert "unsupported_child" not in _at(child, dt.date(2024, 5, 3))


def test_left_behind_one_away_other_unable_and_tag_kept_in_step(family: Family) -> None:
    family.son.tags.all().delete()
    child = open_file(family.son)
    _record(child, "father", Situation.AWAY_WORKING, dt.date(2022, 1, 1))
    _record(child, "mother", Situation.SEVERE_DISABILITY, dt.date(2022, 1, 1))
    assert "left_behind_child" in child_categories(child)
    assert family.son.tags.filter(kind="left_behind_child").exists()
    _record(child, "father", Situation.PRESENT, dt.date(2024, 1, 1))
    assert "left_behind_child" not in child_categories(child)
    assert not family.son.tags.filter(kind="left_behind_child").exists()


def test_guardian_missing_found_by_the_director(family: Family) -> None:
    child = open_file(family.son)
    _record(child, "father", Situation.PRESENT, dt.date(2022, 1, 1))
    _record(child, "mother", Situation.PRESENT, dt.date(2022, 1, 1))
    child.refresh_from_db()
    assert "distressed_child" in child.category.pending  # 监护缺失 not yet assessed: unknown is not "no"
    services.child_file_update(child, guardian_missing=True, actor=None)
    assert {"guardian_missing_child", "distressed_child"} <= set(child_categories(child))
    child.refresh_from_db()
    assert "列入关爱名单" in _explained(child, "guardian_missing_child")["text"]  # 鄞州 has no 扶助金


def test_a_child_of_a_dibao_family_is_distressed(family: Family) -> None:
    from minzheng.registry.models import PersonTag

    child = open_file(family.son)
    services.child_file_update(child, guardian_missing=False, actor=None)
    _record(child, "father", Situation.PRESENT, dt.date(2022, 1, 1))
    _record(child, "mother", Situation.PRESENT, dt.date(2022, 1, 1))
    assert "distressed_child" not in child_categories(child)
    PersonTag.objects.create(person=family.son, kind=PersonTag.Kind.DIBAO)  # as payments.tags projects it
    assert "distressed_child" in _at(child, dt.date(2025, 1, 1))
    child.refresh_from_db()
    text = _explained(child, "distressed_child")["text"]
    assert "低保、特困家庭" in text and "依据：父亲在家履行抚养义务（2022-01-01 起，证明材料）" in text
