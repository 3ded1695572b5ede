"""Issue 16: the registry lookups of an import into a populated PostgreSQL registry run as one query
over the whole file (lookups.server_side: the file's keys in a temporary table, results streamed back
by COPY) and decide exactly as the batch-by-batch lookups: the same rejects, registry and history.

The file has what each lookup decides on: 户主 who move to another 户 (a stored member stays behind:
rejected), persons and 户 registered outside the importer's jurisdiction, stored 户 whose address
moves; and keys holding the unit separator that the whole-file path otherwise sends as one split
string (they must go row by row, else the server would split them into two keys).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.db import connection  # noqa: F401 - read by the skipif condition

from minzheng.registry.importing import lookups, residents_import
from minzheng.registry.models import Person
from minzheng.registry.tests.test_import import counts, registry_state, rejects
from minzheng.registry.tests.test_import_pg_update import VILLAGES, _read, _write, files, history, wipe
from minzheng.testing import TOWN_A, load_test_divisions

postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="the whole-file lookups are PostgreSQL's"
)
SEP = "\x1f"


def _files(tmp_path: Path) -> tuple[Path, Path]:
    """test_import_pg_update's files, plus rows for the jurisdiction rules and keys holding the separator."""
    from minzheng.demo.generator import write_residents_file

    base, mixed = files(tmp_path)
    header, base_rows = _read(base)
    _, mixed_rows = _read(mixed)
    write_residents_file(tmp_path / "sep.csv", persons=30, seed=321, villages=VILLAGES[:1])
    _, people = _read(tmp_path / "sep.csv")
    a, b, c = people[0], people[1], people[2]
    here = a[4:9]  # an address in the importer's town
    base_rows += [
        [a[0], a[1], f"甲{SEP}1", "户主", *here, "", ""],
        [b[0], b[1], f"甲{SEP}1", "子", *here, "", ""],
    ]
    outside = next(r for r in base_rows if r[4] == VILLAGES[2] and r[3] != "户主")
    outside_home = next(r for r in base_rows if r[4] == VILLAGES[2] and r[2] != outside[2])
    mixed_rows += [
        # 甲␟1's 户主 moves to a new 户 while B stays in 甲␟1: rejected (stored_members of 甲␟1).
        [a[0], a[1], f"乙{SEP}2", "户主", *here, "", ""],
        [b[0], b[1], f"甲{SEP}1", "子", *here, "13911112222", ""],
        # A person registered in another town moves into the importer's town: rejected.
        [outside[0], outside[1], f"甲{SEP}1", "子", *here, "", ""],
        # A new person in a 户 registered in another town, at an address in the importer's town: rejected.
        [c[0], c[1], outside_home[2], "子", *here, "", ""],
    ]
    return _write(base, header, base_rows), _write(mixed, header, mixed_rows)


def _town_officer() -> object:
    from minzheng.accounts.services import user_create

    return user_create(actor=None, username="zhenjian", role="town_officer", jurisdiction=TOWN_A)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_whole_file_lookups_decide_as_the_batch_lookups(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    load_test_divisions()
    officer = _town_officer()
    base, mixed = _files(tmp_path)
    outcomes = []
    for whole_file in (False, True):  # the reference first
        monkeypatch.setattr(lookups, "server_side", lambda whole_file=whole_file: whole_file)
        wipe()
        residents_import(path=base, actor=None)
        result = residents_import(path=mixed, actor=officer, original_name="mixed.csv")
        outcomes.append((result.as_dict() | {"rejects_file": None}, rejects(result), registry_state(), history()))
        again = residents_import(path=mixed, actor=officer, original_name="mixed.csv")
        assert counts(again)[3:5] == (0, 0) and registry_state() == outcomes[-1][2]
    assert outcomes[1] == outcomes[0]
    reasons = [row[-1] for row in outcomes[1][1][1:]]
    assert any(r.startswith(f"与户主关系：该居民现为户编号 甲{SEP}1 的户主") for r in reasons)
    assert "公民身份号码：该居民已在您的管辖范围以外登记，迁入请由上级民政部门办理" in reasons
    assert any(r.startswith("户编号：户 ") and r.endswith(" 已在您的管辖范围以外登记") for r in reasons)
    # B's row was accepted and applied: 甲␟1's stored 户主 stays (their move was rejected).
    assert Person.objects.filter(phone="13911112222", household__household_no=f"甲{SEP}1").exists()
