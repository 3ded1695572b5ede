"""Issue 16: cells with COPY's special characters (backslash, its NULL marker, tab, line breaks) reach
the registry unchanged through the PostgreSQL COPY paths, on a first load and into a populated registry.

A guard for any change to how the staged rows are formatted for COPY (s21 tried SQL-side formatting
in staging; it was slower than psycopg's write_row and was not kept).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection

from minzheng.registry.importing import residents_import
from minzheng.registry.models import ChangeRecord, Household
from minzheng.registry.tests.test_import import HEADER, counts
from minzheng.testing import load_test_divisions

postgres_only = pytest.mark.skipif("connection.vendor != 'postgresql'", reason="the COPY path is PostgreSQL's")

# 网格, 楼栋, 单元, 房间 are free text: a backslash, COPY's NULL marker, a tab and a line break inside a cell.
FIRST = ("网\\格", "\\N", "3\t栋", "2\n01")
SECOND = ("C:\\网格\\t", "\\\\N", "1\t2", "3\r\n4")


def _file(tmp_path: Path, address: tuple[str, ...], name: str) -> Path:
    def quoted(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"'

    path = tmp_path / name
    rows = [
        f"张建国,330212197803154412,H001,户主,330212100201,{','.join(map(quoted, address))},13805741234,",
        f"李秀英,330212198004226023,H001,配偶,330212100201,{','.join(map(quoted, address))},,残疾:肢体二级",
    ]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8", newline="")
    return path


def _address() -> tuple[str, ...]:
    household = Household.objects.get(household_no="H001")
    return (household.grid, household.building, household.unit, household.room)


@postgres_only
@pytest.mark.django_db(transaction=True)  # each chunk commits, as in production
def test_special_characters_survive_first_load_and_update(tmp_path: Path) -> None:
    load_test_divisions()
    first = _file(tmp_path, FIRST, "一.csv")
    assert counts(residents_import(path=first, actor=None)) == (2, 2, 0, 2, 0, 0)
    # tabular strips each cell's outer whitespace, as for every import
    assert _address() == tuple(cell.strip() for cell in FIRST)
    assert counts(residents_import(path=first, actor=None)) == (2, 2, 0, 0, 0, 2)  # nothing differs
    second = _file(tmp_path, SECOND, "二.csv")
    assert counts(residents_import(path=second, actor=None)) == (2, 2, 0, 0, 2, 0)
    assert _address() == tuple(cell.strip() for cell in SECOND)
    assert "C:\\网格\\t" in set(ChangeRecord.objects.values_list("new_value", flat=True))
    assert counts(residents_import(path=second, actor=None)) == (2, 2, 0, 0, 0, 2)
    assert connection.vendor == "postgresql"
