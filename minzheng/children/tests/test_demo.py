"""The demo county's children: files with parents' situations from the registry and feeds, categorised by rule."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from minzheng.children.models import ChildCategory, ChildFile, ParentSituation, Situation, Source

AS_OF = dt.date(2026, 11, 1)


def test_demo_children(db: None) -> None:
    from minzheng.demo.build import demo_build

    demo_build(persons=1500, seed=3, county="330212", step=lambda _: None, as_of=AS_OF)
    assert ChildFile.objects.count() > 100
    found: Counter[str] = Counter()
    pending: Counter[str] = Counter()
    for cats, pend in ChildCategory.objects.values_list("categories", "pending"):
        found.update(cats)
        pending.update(pend)
    assert found["orphan"] >= 1 and found["unsupported_child"] >= 2 and found["left_behind_child"] >= 5
    assert pending["left_behind_child"] >= 1  # one mother unrecorded: 待核对, named
    lost = ParentSituation.objects.get(situation=Situation.LOST_CONTACT, since=dt.date(2026, 3, 29))
    assert "unsupported_child" in lost.child.category.categories
    for row in ParentSituation.objects.filter(source=Source.FEED):
        assert row.parent_person is not None and row.feed_key
    explained = ChildCategory.objects.exclude(categories=[]).first()
    assert explained is not None and all(e["text"] for e in explained.explanation)
