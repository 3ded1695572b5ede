"""Staging: the whole file in a scratch SQLite database, then file-wide rules in SQL.

Staging keeps memory flat in file size (a million rows live on disk, not in
lists) and makes the file-wide rules plain SQL: a repeated identity number,
an address that differs within one 户, and the exactly-one-户主 rule.
The staging file is also what lets a killed import resume without re-reading.

Besides the rows, staging holds what the rules need to know about the registry
(copied a batch at a time by `lookups`): `stored_households` (address and 户主
of each stored 户 the file names), `movers` (rows whose person is now 户主 of
another 户) and `stored_members` (the members of the 户 those movers would leave).
Rejections are composed and applied in SQL, so memory does not grow with them.
"""

from __future__ import annotations

import itertools
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from minzheng.registry.importing.rows import ResidentRow

if TYPE_CHECKING:
    from minzheng.registry.importing.columns import BatchParser

_SEP = "\x1f"  # ASCII unit separator: cannot occur in a CSV cell that a person typed
FIELDS = list(ResidentRow._fields)
ADDRESS = ("division", "grid", "building", "unit", "room")
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS rows (row_no INTEGER PRIMARY KEY, cells TEXT NOT NULL, reason TEXT,
    {", ".join(f"{f} TEXT" for f in FIELDS)});
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS stored_households (household_no TEXT PRIMARY KEY,
    {", ".join(f"{f} TEXT" for f in ADDRESS)}, head_id_number TEXT, head_name TEXT);
CREATE TABLE IF NOT EXISTS stored_members (household_no TEXT, id_number TEXT);
CREATE TABLE IF NOT EXISTS movers (row_no INTEGER PRIMARY KEY, from_household_no TEXT);
"""
_HEAD = "02"  # Relation.HEAD; staging is Django-free SQL


def stage_open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    # Scratch data: no journal, no fsync; a bigger cache for the GROUP BYs over a million rows.
    # Temporary b-trees and sorts (index builds) go to temp files beyond the cache, not to
    # memory: in memory they grew with the file (and measured slower).
    conn.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536; PRAGMA temp_store=FILE;" + _SCHEMA
    )
    return conn


def stage_is_complete(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT value FROM meta WHERE key='complete'").fetchone() is not None


def stage_reset(conn: sqlite3.Connection) -> None:
    """Forget a staging pass that was killed half-way (it is redone from the file)."""
    conn.executescript(
        "DELETE FROM rows; DELETE FROM meta; DELETE FROM stored_households; DELETE FROM stored_members;"
        "DELETE FROM movers;"
    )


def stage_mark_complete(conn: sqlite3.Connection, headers: list[str]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        [("complete", "1"), ("headers", json.dumps(headers, ensure_ascii=False))],
    )
    conn.commit()


def stage_headers(conn: sqlite3.Connection) -> list[str]:
    return json.loads(conn.execute("SELECT value FROM meta WHERE key='headers'").fetchone()[0])


SEP = _SEP


def stage_staged(conn: sqlite3.Connection, rows: list[tuple[object, ...]]) -> None:
    """Rows already in staging's column order: (row_no, cells joined by SEP, reason, *fields)."""
    placeholders = ", ".join("?" * (3 + len(FIELDS)))
    conn.executemany(f"INSERT INTO rows VALUES ({placeholders})", rows)  # noqa: S608 - values bound


def stage_stream(
    conn: sqlite3.Connection, checks: BatchParser, rows: Iterator[list[str]], first_no: int, size: int
) -> Iterator[int]:
    """Check and stage `rows` in batches of `size`, numbered from `first_no`; yields each batch's length once
    it is staged (the caller reports progress). The one-process import, and both sides of a split one, use it."""
    row_no = first_no
    while batch := list(itertools.islice(rows, size)):
        stage_staged(conn, checks.stage_rows(row_no, batch, SEP))
        row_no += len(batch)
        yield len(batch)


def stage_index(conn: sqlite3.Connection) -> None:
    # Covering the rules' GROUP BYs (reason, relation in the index): a million table lookups fewer each.
    conn.executescript(
        "CREATE INDEX IF NOT EXISTS rows_hh ON rows(household_no, reason, relation);"
        "CREATE INDEX IF NOT EXISTS rows_id ON rows(id_number, reason);"
        "CREATE INDEX IF NOT EXISTS stored_members_hh ON stored_members(household_no);"
        "CREATE INDEX IF NOT EXISTS stored_households_head ON stored_households(head_id_number);"
    )


def reject_rows(conn: sqlite3.Connection, reasons: list[tuple[str, int]]) -> int:
    """(reason, row_no) pairs; returns how many."""
    conn.executemany("UPDATE rows SET reason = ? WHERE row_no = ?", reasons)
    return len(reasons)


def accepted_batches(conn: sqlite3.Connection, size: int) -> Iterator[list[tuple[int, str, str]]]:
    """(row_no, id_number, household_no) of accepted rows, `size` at a time, by row number.

    By row number, not an open cursor: callers may reject rows between batches.
    """
    last = 0
    while batch := conn.execute(
        "SELECT row_no, id_number, household_no FROM rows WHERE reason IS NULL AND row_no > ? ORDER BY row_no LIMIT ?",
        (last, size),
    ).fetchall():
        last = batch[-1][0]
        yield batch


def _reject_found(conn: sqlite3.Connection, found: str) -> int:
    """Reject the rows that the query `found` (row_no, reason) selects; returns how many.

    All in SQL: the reasons are composed by the query, so memory does not grow with the
    number of bad rows. Collected first, then applied, so each rule sees one snapshot.
    """
    conn.executescript(f"DROP TABLE IF EXISTS temp.found; CREATE TEMP TABLE found AS {found};")
    return conn.execute(
        "UPDATE rows SET reason = (SELECT f.reason FROM found f WHERE f.row_no = rows.row_no) "
        "WHERE row_no IN (SELECT row_no FROM found)"
    ).rowcount


def rule_duplicate_ids(conn: sqlite3.Connection) -> None:
    """A number repeated in the file: the first valid row stands, later ones are rejected."""
    _reject_found(
        conn,
        """
        WITH firsts AS (SELECT id_number, MIN(row_no) AS first FROM rows WHERE reason IS NULL
                        GROUP BY id_number HAVING COUNT(*) > 1)
        SELECT r.row_no, '公民身份号码：与第 ' || f.first || ' 行重复' || CASE WHEN fr.name = r.name THEN ''
                         ELSE '但姓名不同（第 ' || f.first || ' 行为 ' || fr.name || '）' END AS reason
        FROM rows r JOIN firsts f ON r.id_number = f.id_number JOIN rows fr ON fr.row_no = f.first
        WHERE r.reason IS NULL AND r.row_no <> f.first""",
    )


def rule_same_address(conn: sqlite3.Connection) -> None:
    """All rows of one 户 must give the same address; the first row's address stands."""
    _reject_found(
        conn,
        """
        WITH firsts AS (SELECT household_no, MIN(row_no) AS first FROM rows WHERE reason IS NULL GROUP BY household_no
                        HAVING COUNT(*) > 1)
        SELECT r.row_no, '现住址区划代码：与同户（户编号 ' || r.household_no || '）第 ' || f.first
                         || ' 行的住址不一致' AS reason
        FROM rows r JOIN firsts f ON r.household_no = f.household_no JOIN rows fr ON fr.row_no = f.first
        WHERE r.reason IS NULL AND (r.division, r.grid, r.building, r.unit, r.room)
              IS NOT (fr.division, fr.grid, fr.building, fr.unit, fr.room)""",
    )


def rule_extra_heads(conn: sqlite3.Connection) -> None:
    """Two 户主 rows for one 户: the first stands."""
    _reject_found(
        conn,
        """
        WITH firsts AS (SELECT household_no, MIN(row_no) AS first FROM rows
                        WHERE reason IS NULL AND relation = '02' GROUP BY household_no HAVING COUNT(*) > 1)
        SELECT r.row_no, '与户主关系：户编号 ' || r.household_no || ' 已有户主（第 ' || f.first || ' 行 '
                         || fr.name || '）' AS reason
        FROM rows r JOIN firsts f ON r.household_no = f.household_no JOIN rows fr ON fr.row_no = f.first
        WHERE r.reason IS NULL AND r.relation = '02' AND r.row_no <> f.first""",
    )


# A stored 户主 "stays" in their 户 when the file has no accepted row for them anywhere.
_STAYING = """
DROP TABLE IF EXISTS temp.staying;
CREATE TEMP TABLE staying AS SELECT s.household_no, s.head_name AS name FROM stored_households s
WHERE s.head_id_number IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM rows a WHERE a.reason IS NULL AND a.id_number = s.head_id_number);
CREATE INDEX temp.staying_hh ON staying(household_no);
"""
_SECOND_HEAD = """
SELECT r.row_no, '与户主关系：户编号 ' || r.household_no || ' 已有户主 ' || s.name || '（已登记）' AS reason
FROM rows r JOIN staying s ON s.household_no = r.household_no
WHERE r.reason IS NULL AND r.relation = '02'
"""
# A 户主 who leaves their 户 for another, while it keeps members and gets no new 户主.
_HEAD_LEAVES = """
SELECT m.row_no, '与户主关系：该居民现为户编号 ' || m.from_household_no || ' 的户主，迁出后该户没有户主' AS reason
FROM movers m JOIN rows r ON r.row_no = m.row_no
WHERE r.reason IS NULL
  AND NOT EXISTS (SELECT 1 FROM rows a WHERE a.reason IS NULL AND a.household_no = m.from_household_no
                  AND a.relation = '02')
  AND (EXISTS (SELECT 1 FROM rows a WHERE a.reason IS NULL AND a.household_no = m.from_household_no)
       OR EXISTS (SELECT 1 FROM stored_members sm WHERE sm.household_no = m.from_household_no
                  AND NOT EXISTS (SELECT 1 FROM rows a WHERE a.reason IS NULL AND a.id_number = sm.id_number
                                  AND a.household_no <> sm.household_no)))
"""
_NO_HEAD = """
WITH headless AS (
    SELECT household_no FROM rows WHERE reason IS NULL GROUP BY household_no HAVING MAX(relation = '02') = 0
    EXCEPT SELECT household_no FROM staying)
SELECT r.row_no, '与户主关系：户编号 ' || r.household_no || ' 没有户主' AS reason
FROM rows r JOIN headless h ON h.household_no = r.household_no
WHERE r.reason IS NULL
"""


def rule_one_head(conn: sqlite3.Connection) -> None:
    """After the file is applied to the registry, every 户 it touches has exactly one 户主.

    The rules in order of preference: a file 户主 beside a stored one who stays is
    rejected; else a stored 户主 leaving a 户 that would keep members but no 户主;
    else every row of a 户 with no 户主 at all. Rejecting a row can change another
    户's count (a rejected mover stays 户主 where they were), so the rounds repeat
    until nothing changes; each round only rejects, so they end (one round for a
    file without such conflicts).
    """
    while True:
        conn.executescript(_STAYING)
        if not any(_reject_found(conn, rule) for rule in (_SECOND_HEAD, _HEAD_LEAVES, _NO_HEAD)):
            return


def households_moved_in(conn: sqlite3.Connection) -> None:
    """Mark 户 whose stored address the file changes (every member of such a 户 counts as updated)."""
    conn.executescript("""
        CREATE TABLE IF NOT EXISTS moved (household_no TEXT PRIMARY KEY);
        DELETE FROM moved;
        INSERT INTO moved SELECT DISTINCT r.household_no FROM rows r
        JOIN stored_households s ON s.household_no = r.household_no
        WHERE r.reason IS NULL AND (r.division, r.grid, r.building, r.unit, r.room)
              IS NOT (s.division, s.grid, s.building, s.unit, s.room);
    """)


def accepted_after(conn: sqlite3.Connection, row_no: int, high: int) -> list[tuple[ResidentRow, bool]]:
    """Accepted rows row_no < n ≤ high, each with whether its 户's address moves."""
    rows = conn.execute(
        f"SELECT {', '.join(f'r.{f}' for f in FIELDS)}, m.household_no IS NOT NULL FROM rows r "  # noqa: S608
        "LEFT JOIN moved m ON m.household_no = r.household_no "
        "WHERE r.reason IS NULL AND r.row_no > ? AND r.row_no <= ? ORDER BY r.row_no",
        (row_no, high),
    )
    return [(ResidentRow(*r[:-1]), bool(r[-1])) for r in rows]


def counts(conn: sqlite3.Connection) -> tuple[int, int]:
    total, rejected = conn.execute("SELECT COUNT(*), COUNT(reason) FROM rows").fetchone()
    return total, rejected


def rejected_rows(conn: sqlite3.Connection) -> Iterator[tuple[int, list[str], str]]:
    for row_no, cells, reason in conn.execute(
        "SELECT row_no, cells, reason FROM rows WHERE reason IS NOT NULL ORDER BY row_no"
    ):
        yield row_no, cells.split(_SEP), reason


def chunk_end(conn: sqlite3.Connection, row_no: int, limit: int) -> int | None:
    """The row number closing the next chunk of `limit` accepted rows after `row_no` (None when done)."""
    found = conn.execute(
        "SELECT MAX(row_no) FROM (SELECT row_no FROM rows WHERE reason IS NULL AND row_no > ? ORDER BY row_no LIMIT ?)",
        (row_no, limit),
    ).fetchone()
    return found[0]
