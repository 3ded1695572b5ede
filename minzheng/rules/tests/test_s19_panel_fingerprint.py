"""Issue 16, third pass: the panel's input fingerprint read through raw SQL.

The members' rows, tags, division names and funeral records are read with three raw statements
instead of four ORM queries (composing them cost more than running them). Any change to what the
engine reads must still give a new key: a cremation or a burial recorded for a member (the engine
reads 死亡日期, 火化日期, 安葬方式 from them), a tag changed by a bulk update (no save(), no
updated_at), a division renamed (explanations quote its name).
"""

from __future__ import annotations

import datetime as dt

from minzheng.divisions.models import Division
from minzheng.funeral.models import Burial, Cremation
from minzheng.registry.models import Household, PersonTag
from minzheng.rules.cache import fingerprint
from minzheng.rules.tests.helpers_r2 import AS_OF, world_fixture  # noqa: F401


def test_cremation_then_burial_change_the_fingerprint(world: dict[str, Household]) -> None:
    poor = world["poor"]
    head = poor.members.order_by("pk")[0]
    before = fingerprint(poor, AS_OF)
    assert fingerprint(poor, AS_OF) == before  # the same inputs, the same key
    cremation = Cremation.objects.create(
        person=head,
        division_code=head.division_code,
        died_on=dt.date(2026, 6, 1),
        cremated_on=dt.date(2026, 6, 3),
        source=Cremation.Source.HOME,
    )
    cremated = fingerprint(poor, AS_OF)
    assert cremated != before
    Burial.objects.create(
        person=head,
        division_code=head.division_code,
        cremation=cremation,
        burial_type="树葬",
        buried_on=dt.date(2026, 6, 10),
        payee=head,
    )
    buried = fingerprint(poor, AS_OF)
    assert buried != cremated
    Burial.objects.filter(person=head).update(burial_type="海葬")
    assert fingerprint(poor, AS_OF) != buried
    Cremation.objects.filter(person=head).update(cremated_on=dt.date(2026, 6, 4))
    assert fingerprint(poor, AS_OF) not in {before, cremated, buried}


def test_bulk_tag_update_and_division_rename_change_the_fingerprint(world: dict[str, Household]) -> None:
    poor = world["poor"]
    before = fingerprint(poor, AS_OF)
    tag = PersonTag.objects.filter(person__household=poor).first()
    assert tag is not None
    PersonTag.objects.filter(pk=tag.pk).update(grade="一级" if tag.grade != "一级" else "二级")
    tagged = fingerprint(poor, AS_OF)
    assert tagged != before
    code = poor.members.order_by("pk")[0].division_code.ljust(12, "0")
    Division.objects.filter(code=code).update(name="改名村")
    assert fingerprint(poor, AS_OF) != tagged


def test_other_households_do_not_change_the_fingerprint(world: dict[str, Household]) -> None:
    poor, other = world["poor"], next(h for k, h in world.items() if k != "poor")
    before = fingerprint(poor, AS_OF)
    someone = other.members.order_by("pk")[0]
    Cremation.objects.create(
        person=someone,
        division_code=someone.division_code,
        died_on=dt.date(2026, 6, 1),
        cremated_on=dt.date(2026, 6, 3),
        source=Cremation.Source.HOME,
    )
    assert fingerprint(poor, AS_OF) == before
