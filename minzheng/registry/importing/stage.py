"""Staging: the whole file in a scratch SQLite database, then file-wide rules in SQL.

Staging keeps memory flat in file size (a million rows live on disk, not in
lists) and makes the file-wide rules plain SQL: a repeated identity number,
an address that differs within one 户, and the exactly-one-户主 rule.
The staging file is also what lets a killed import resume without re-reading.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from minzheng.registry.importing.rows import ResidentRow

_SEP = "\x1f"  # ASCII unit separator: cannot occur in a CSV cell that a person typed
FIELDS = list(ResidentRow.__slots__)  # type: ignore[attr-defined]
_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS rows (row_no INTEGER PRIMARY KEY, cells TEXT NOT NULL, reason TEXT,
    {", ".join(f"{f} TEXT" for f in FIELDS)});
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS stored_heads (household_no TEXT, id_number TEXT, name TEXT);
"""


def stage_open(path: Path) -> sqlite3.Connection:
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path)
    # Scratch data: no journal, no fsync; a bigger cache for the GROUP BYs over a million rows.
    conn.executescript(
        "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;" + _SCHEMA
    )
    return conn


def stage_is_complete(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT value FROM meta WHERE key='complete'").fetchone() is not None


def stage_mark_complete(conn: sqlite3.Connection, headers: list[str]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        [("complete", "1"), ("headers", json.dumps(headers, ensure_ascii=False))],
    )
    conn.commit()


def stage_headers(conn: sqlite3.Connection) -> list[str]:
    return json.loads(conn.execute("SELECT value FROM meta WHERE key='headers'").fetchone()[0])


def stage_insert(conn: sqlite3.Connection, batch: list[tuple[int, list[str], str | None, ResidentRow | None]]) -> None:
    placeholders = ", ".join("?" * (3 + len(FIELDS)))
    conn.executemany(
        f"INSERT INTO rows VALUES ({placeholders})",  # noqa: S608 - column list is ours, values bound
        [(no, _SEP.join(cells), reason, *_values(row)) for no, cells, reason, row in batch],
    )


def _values(row: ResidentRow | None) -> list[str | None]:
    return [getattr(row, f) for f in FIELDS] if row else [None] * len(FIELDS)


def reject_rows(conn: sqlite3.Connection, reasons: list[tuple[str, int]]) -> None:
    """(reason, row_no) pairs."""
    conn.executemany("UPDATE rows SET reason = ? WHERE row_no = ?", reasons)


def rule_duplicate_ids(conn: sqlite3.Connection) -> None:
    """A number repeated in the file: the first valid row stands, later ones are rejected."""
    found = conn.execute("""
        WITH firsts AS (SELECT id_number, MIN(row_no) AS first FROM rows WHERE reason IS NULL
                        GROUP BY id_number HAVING COUNT(*) > 1)
        SELECT r.row_no, f.first, fr.name, r.name FROM rows r JOIN firsts f ON r.id_number = f.id_number
        JOIN rows fr ON fr.row_no = f.first WHERE r.reason IS NULL AND r.row_no <> f.first""").fetchall()
    reject_rows(
        conn,
        [
            (
                f"公民身份号码：与第 {first} 行重复但姓名不同（第 {first} 行为 {first_name}）"
                if first_name != name
                else f"公民身份号码：与第 {first} 行重复",
                row_no,
            )
            for row_no, first, first_name, name in found
        ],
    )


def rule_same_address(conn: sqlite3.Connection) -> None:
    """All rows of one 户 must give the same address; the first row's address stands."""
    found = conn.execute("""
        WITH firsts AS (SELECT household_no, MIN(row_no) AS first FROM rows WHERE reason IS NULL GROUP BY household_no)
        SELECT r.row_no, f.first, r.household_no FROM rows r JOIN firsts f ON r.household_no = f.household_no
        JOIN rows fr ON fr.row_no = f.first
        WHERE r.reason IS NULL AND (r.division, r.grid, r.building, r.unit, r.room)
              IS NOT (fr.division, fr.grid, fr.building, fr.unit, fr.room)""").fetchall()
    reject_rows(
        conn,
        [(f"现住址区划代码：与同户（户编号 {hh}）第 {first} 行的住址不一致", row_no) for row_no, first, hh in found],
    )


def rule_extra_heads(conn: sqlite3.Connection) -> None:
    """Two 户主 rows for one 户: the first stands."""
    found = conn.execute("""
        WITH firsts AS (SELECT household_no, MIN(row_no) AS first FROM rows
                        WHERE reason IS NULL AND relation = '02' GROUP BY household_no)
        SELECT r.row_no, f.first, fr.name, r.household_no FROM rows r JOIN firsts f ON r.household_no = f.household_no
        JOIN rows fr ON fr.row_no = f.first
        WHERE r.reason IS NULL AND r.relation = '02' AND r.row_no <> f.first""").fetchall()
    reject_rows(
        conn,
        [(f"与户主关系：户编号 {hh} 已有户主（第 {first} 行 {name}）", row_no) for row_no, first, name, hh in found],
    )


def rule_heads_against_registry(conn: sqlite3.Connection) -> None:
    """After the file is applied, exactly one 户主 per 户.

    A stored 户主 stays unless the file lists them in the 户 (with whatever relation):
    then a 户主 row in the file is a second head. A 户 with neither is rejected whole.
    """
    conn.executescript("""
        CREATE TEMP TABLE staying AS SELECT s.household_no, s.name FROM stored_heads s WHERE NOT EXISTS (
            SELECT 1 FROM rows r WHERE r.reason IS NULL AND r.household_no = s.household_no
            AND r.id_number = s.id_number);
        CREATE INDEX temp.staying_hh ON staying(household_no);
        UPDATE rows SET reason = '与户主关系：户编号 ' || household_no || ' 已有户主 '
            || (SELECT name FROM staying s WHERE s.household_no = rows.household_no) || '（已登记）'
        WHERE reason IS NULL AND relation = '02' AND household_no IN (SELECT household_no FROM staying);
        UPDATE rows SET reason = '与户主关系：户编号 ' || household_no || ' 没有户主'
        WHERE reason IS NULL AND household_no NOT IN (SELECT household_no FROM staying)
          AND household_no NOT IN (SELECT household_no FROM rows WHERE reason IS NULL AND relation = '02');
    """)


def accepted_after(conn: sqlite3.Connection, row_no: int, limit: int) -> list[tuple[int, ResidentRow]]:
    rows = conn.execute(
        f"SELECT row_no, {', '.join(FIELDS)} FROM rows WHERE reason IS NULL AND row_no > ? "  # noqa: S608
        "ORDER BY row_no LIMIT ?",
        (row_no, limit),
    )
    return [(r[0], ResidentRow(*r[1:])) for r in rows]


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
