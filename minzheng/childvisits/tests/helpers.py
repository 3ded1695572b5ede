"""Builders for the childvisits tests: a child with a file, categories and a guardian (children models)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.children.models import ChildCategory, ChildFile, Guardian
from minzheng.payments.tests.sources_helpers import family
from minzheng.testing import VILLAGE_A

TODAY = timezone.localdate()


def years_ago(n: int, days: int = 0) -> dt.date:
    return TODAY.replace(year=TODAY.year - n) - dt.timedelta(days=days)


def child_with_file(
    no: str = "ET-0001",
    *,
    categories: list[str] | None = None,
    birth: dt.date | None = None,
    division: str = VILLAGE_A,
    in_school: bool | None = None,
    school_until: dt.date | None = None,
) -> tuple[ChildFile, Any, Any]:
    """(child file, child person, guardian person): a grandmother and her grandchild in one household."""
    _, (grandma, kid) = family(
        no,
        [("王奶奶", years_ago(66), "户主"), ("王小童", birth or years_ago(9), "孙子女")],
        division=division,
    )
    cf = ChildFile.objects.create(person=kid, division_code=division, in_school=in_school, full_time_until=school_until)
    Guardian.objects.create(child=cf, person=grandma, relation=Guardian.Relation.GRANDPARENT, since=years_ago(3))
    ChildCategory.objects.create(child=cf, division_code=division, categories=categories or [], as_of=TODAY)
    return cf, kid, grandma
