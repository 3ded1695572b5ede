"""Issue 16: the PostgreSQL first load creates a 户 in the chunk holding its first *accepted* row and
finds 户 created by earlier chunks by number (pg_copy._CHUNK); rows of one 户 scattered over the file
and over chunks end exactly as on the row-by-row path."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition below

from minzheng.registry import importing
from minzheng.registry.importing import pg_copy, residents_import
from minzheng.registry.models import Household, Person, PersonTag
from minzheng.registry.tests.test_import import counts, registry_state, write
from minzheng.testing import load_test_divisions

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the COPY path is PostgreSQL's")

# Chunks of two accepted rows: H001's and H002's later members come in later chunks; H003's first
# row is rejected on its own, so its 户 is created by its second row (the next chunk's).
SCATTERED = [
    "张建国,330212197803154412,H001,户主,330212100201,第一网格,3,1,201,13805741234,",
    "王五,330212197803154439,H002,户主,330212100206,,,,,,独居老人",
    "坏号,330212196507123010,H003,户主,330212100201,,5,,,,",
    "赵六,330212196507123019,H003,户主,330212100201,,5,,,,",
    "王妻,330212198004226058,H002,配偶,330212100206,,,,,,",
    "李秀英,330212198004226023,H001,配偶,330212100201,第一网格,3,1,201,0574-88123456,残疾:肢体二级",
    "张小明,330212201509103218,H001,子,330212100201,第一网格,3,1,201,,留守儿童",
]


@postgres_only
@pytest.mark.django_db(transaction=True)  # as in production: each chunk commits
def test_scattered_households_load_as_row_by_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_test_divisions()
    monkeypatch.setattr(importing, "CHUNK", 2)
    path = write(tmp_path, SCATTERED)
    fast = residents_import(path=path, actor=None)
    assert counts(fast) == (7, 6, 1, 6, 0, 0)
    fast_state = registry_state()
    assert Household.objects.count() == 3
    assert Person.objects.get(name="赵六").household.building == "5"
    assert {p.household.household_no for p in Person.objects.filter(name__in=["李秀英", "张小明"])} == {"H001"}
    PersonTag.objects.all().delete()
    Person.objects.all().delete()
    Household.objects.all().delete()
    monkeypatch.setattr(pg_copy, "usable", lambda: False)  # the row-by-row path (apply.py)
    slow = residents_import(path=path, actor=None)
    assert slow.as_dict() | {"rejects_file": None} == fast.as_dict() | {"rejects_file": None}
    assert registry_state() == fast_state
