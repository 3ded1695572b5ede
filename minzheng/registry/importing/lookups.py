"""What the file-wide rules need to know about the registry, copied into staging a batch at a time.

Plain SQL with IN lists of bound values (no model instances: at a million rows the
ORM's per-value work was the cost), in batches under the database's parameter limit.
Memory holds one batch (at most 50,000 values); the copies live in the staging file.
"""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection

from minzheng.registry.importing import stage
from minzheng.registry.models import Household, Person

_PERSON = Person._meta.db_table
_HOUSEHOLD = Household._meta.db_table


# Values per IN list: a whole chunk in one query (importing.CHUNK), under PostgreSQL's 65,535
# bound parameters; SQLite's limit is read from the connection (32,766 by default, 999 before 3.32).
_MOST = 50_000


def batch_size() -> int:
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        return min(_MOST, connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) - 10)
    return _MOST


def pieces(values: list[Any], most: int) -> Iterator[list[Any]]:
    """`values` in slices of `most`, the remainder in power-of-two slices (512 + 128 + 4 + 1 …).

    The database keeps each distinct statement it has prepared (Python's sqlite3 keeps 128
    per connection): with a free length per remainder, an IN list or a multi-row INSERT
    made a new multi-megabyte statement in every chunk, and memory grew with the file.
    Power-of-two lengths bound the variety to a few dozen statements, whatever the file.
    """
    start = 0
    while start < len(values):
        left = len(values) - start
        size = most if left >= most else 1 << (left.bit_length() - 1)
        yield values[start : start + size]
        start += size


# Text keys travel as one string split by the server: psycopg builds a list parameter element by
# element in Python (0.12 s of client CPU per 50,000 identity numbers; joining them takes 3 ms).
_SPLIT = "string_to_array(%s, chr(31))"


def _text_list(keys: list[Any]) -> str | None:
    """The keys joined by the unit separator, or None when they cannot travel that way.

    Only text keys; none may hold the separator (the server would split it), and [""] joins to
    "", which the server splits into no keys at all.
    """
    if not all(type(key) is str for key in keys):
        return None
    text = stage.SEP.join(keys)
    return text if text and text.count(stage.SEP) == len(keys) - 1 else None


def _batches(sql: str, keys: list[Any]) -> Iterator[tuple[str, list[Any]]]:
    """(statement, params) per batch; the params begin with the batch's keys."""
    if connection.vendor == "postgresql":
        # One array parameter instead of 50,000 placeholders: psycopg parsed the long statement's
        # placeholders in Python for every batch (about 1.3 s of client CPU per 100,000 rows imported
        # into a populated registry). `x = ANY(array)` selects the same rows as `x IN (list)`.
        one, joined = sql.replace("IN ({keys})", "= ANY(%s)"), sql.replace("IN ({keys})", f"= ANY({_SPLIT})")
        for part in pieces(keys, batch_size()):
            text = _text_list(part)
            yield (one, [part]) if text is None else (joined, [text])
        return
    for part in pieces(keys, batch_size()):
        yield sql.format(keys=", ".join(["%s"] * len(part))), part


def select_in(sql: str, keys: list[Any], extra: Iterable[Any] = ()) -> list[tuple]:
    """Run `sql` whose `{keys}` is an IN list, batch by batch; `extra` params follow the list."""
    found: list[tuple] = []
    with connection.cursor() as cursor:
        for statement, params in _batches(sql, keys):
            cursor.execute(statement, [*params, *extra])
            found += cursor.fetchall()
    return found


def execute_in(sql: str, keys: list[Any]) -> None:
    """Like select_in, for a statement that returns nothing (DELETE … WHERE x IN …)."""
    with connection.cursor() as cursor:
        for statement, params in _batches(sql, keys):
            cursor.execute(statement, params)


def _distinct_households(conn: sqlite3.Connection) -> Iterator[list[str]]:
    """The 户编号 of accepted rows, a batch at a time in order (a range scan of the staging index)."""
    last = ""
    while batch := [
        hh
        for (hh,) in conn.execute(
            "SELECT DISTINCT household_no FROM rows WHERE reason IS NULL AND household_no > ? "
            "ORDER BY household_no LIMIT ?",
            (last, batch_size()),
        )
    ]:
        last = batch[-1]
        yield batch


# PostgreSQL: the file's keys go to the server once (a temporary table of the registry's connection,
# filled a batch at a time), and each lookup is one query over the whole file, streamed back by COPY a
# batch at a time. Batch by batch, each batch's lookup hashed or probed the registry again: the file's
# 22 batches of movers at a million rows scanned the person table 22 times (12 s of server CPU); the
# whole file joins it once. Client memory holds one batch, as before; the server keeps the keys on disk.
_KEYS = {
    False: "CREATE TEMP TABLE import_keys (row_no integer, id_number text, household_no text)",
    True: "CREATE TEMP TABLE import_keys (household_no text)",
}
_FILL = {
    False: f"INSERT INTO import_keys SELECT * FROM unnest(string_to_array(%s, ',')::integer[], {_SPLIT}, {_SPLIT})",  # noqa: S608
    True: f"INSERT INTO import_keys SELECT * FROM unnest({_SPLIT})",  # noqa: S608
}
_STORED_HOUSEHOLDS = f"""
SELECT h.household_no, h.division_id, h.grid, h.building, h.unit, h.room, p.id_number, p.name
FROM {_HOUSEHOLD} h LEFT JOIN {_PERSON} p ON p.household_id = h.id AND p.relation = '02'
WHERE h.household_no IN (SELECT household_no FROM import_keys)
"""  # noqa: S608 - our identifiers
# Compared in the server: the movers only (a few) come back, not every 户主 the file names.
_MOVERS = f"""
SELECT k.row_no, h.household_no FROM import_keys k
JOIN {_PERSON} p ON p.id_number = k.id_number AND p.relation = '02' JOIN {_HOUSEHOLD} h ON h.id = p.household_id
WHERE h.household_no <> k.household_no
"""  # noqa: S608 - our identifiers
_ELSEWHERE = f"""
SELECT k.row_no, k.household_no, p.id IS NOT NULL FROM import_keys k
LEFT JOIN {_PERSON} p ON p.id_number = k.id_number AND NOT (p.division_code >= %s AND p.division_code < %s)
LEFT JOIN {_HOUSEHOLD} h ON h.household_no = k.household_no AND NOT (h.division_id >= %s AND h.division_id < %s)
WHERE p.id IS NOT NULL OR h.id IS NOT NULL
"""  # noqa: S608 - our identifiers
_PERSON_ELSEWHERE = "公民身份号码：该居民已在您的管辖范围以外登记，迁入请由上级民政部门办理"
_HOUSEHOLD_ELSEWHERE = "户编号：户 {} 已在您的管辖范围以外登记"


def server_side() -> bool:
    """Whether the lookups run as whole-file queries in the server (PostgreSQL) or batch by batch."""
    return connection.vendor == "postgresql"


@contextmanager
def _server_keys(conn: sqlite3.Connection, *, households: bool) -> Iterator[None]:
    """The accepted rows' (row_no, 公民身份号码, 户编号), or their distinct 户编号, in `import_keys`.

    Dropped first (a lookup that failed before its DROP left it in the session) and after.
    """
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS import_keys")
        cursor.execute(_KEYS[households])
        if households:
            batches: Iterable[list[tuple]] = ([(hh,) for hh in batch] for batch in _distinct_households(conn))
        else:
            batches = stage.accepted_batches(conn, _MOST)
        first = 0 if households else 1  # the row number is an integer: it travels as a list of digits
        for rows in batches:
            columns = [_text_list([r[i] for r in rows]) for i in range(first, len(rows[0]))]
            if None in columns:  # a key holding the separator: row by row
                with cursor.copy("COPY import_keys FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                numbers = [] if households else [",".join(str(r[0]) for r in rows)]
                cursor.execute(_FILL[households], [*numbers, *columns])
        cursor.execute("ANALYZE import_keys")  # its size and distinct values: the joins below hash it
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE import_keys")


def _stream(sql: str, params: list[Any], types: list[str]) -> Iterator[list[tuple]]:
    """The rows of `sql` a batch at a time, by COPY TO (the result is never all in memory)."""
    with connection.cursor() as cursor, cursor.copy(f"COPY ({sql}) TO STDOUT", params or None) as copy:
        copy.set_types(types)
        rows = copy.rows()
        while batch := list(itertools.islice(rows, _MOST)):
            yield batch


def copy_stored_households(conn: sqlite3.Connection) -> None:
    """Address and 户主 of every stored 户 that the file's accepted rows name."""
    sql = (
        f"SELECT h.household_no, h.division_id, h.grid, h.building, h.unit, h.room, p.id_number, p.name "  # noqa: S608
        f"FROM {_HOUSEHOLD} h LEFT JOIN {_PERSON} p ON p.household_id = h.id AND p.relation = '02' "
        "WHERE h.household_no IN ({keys})"
    )
    if server_side():
        with _server_keys(conn, households=True):
            for found in _stream(_STORED_HOUSEHOLDS, [], ["text"] * 8):
                conn.executemany("INSERT OR IGNORE INTO stored_households VALUES (?, ?, ?, ?, ?, ?, ?, ?)", found)
        return
    for batch in _distinct_households(conn):
        found = select_in(sql, batch)
        conn.executemany("INSERT OR IGNORE INTO stored_households VALUES (?, ?, ?, ?, ?, ?, ?, ?)", found)


def copy_movers(conn: sqlite3.Connection) -> None:
    """Rows whose person is now 户主 of another 户, and the stored members of the 户 they would leave."""
    sql = (
        f"SELECT p.id_number, h.household_no FROM {_PERSON} p JOIN {_HOUSEHOLD} h ON h.id = p.household_id "  # noqa: S608
        "WHERE p.relation = '02' AND p.id_number IN ({keys})"
    )
    if server_side():
        with _server_keys(conn, households=False):
            for found in _stream(_MOVERS, [], ["int4", "text"]):
                conn.executemany("INSERT INTO movers VALUES (?, ?)", found)
    else:
        for batch in stage.accepted_batches(conn, batch_size()):
            heads_of = dict(select_in(sql, [number for _, number, _ in batch]))
            conn.executemany(
                "INSERT INTO movers VALUES (?, ?)",
                [(no, heads_of[number]) for no, number, hh in batch if heads_of.get(number, hh) != hh],
            )
    origins = [hh for (hh,) in conn.execute("SELECT DISTINCT from_household_no FROM movers")]
    members = (
        f"SELECT h.household_no, p.id_number FROM {_PERSON} p JOIN {_HOUSEHOLD} h ON h.id = p.household_id "  # noqa: S608
        "WHERE h.household_no IN ({keys})"
    )
    conn.executemany("INSERT INTO stored_members VALUES (?, ?)", select_in(members, origins))


def reject_registered_elsewhere(conn: sqlite3.Connection, jurisdiction: str) -> None:
    """An importer may not overwrite or move in persons or 户 registered outside their jurisdiction."""
    bounds = [jurisdiction, jurisdiction + ":"]  # prefix as an index range (core.jurisdiction)
    persons = (
        f"SELECT id_number FROM {_PERSON} WHERE id_number IN ({{keys}}) "  # noqa: S608
        "AND NOT (division_code >= %s AND division_code < %s)"
    )
    homes = (
        f"SELECT household_no FROM {_HOUSEHOLD} WHERE household_no IN ({{keys}}) "  # noqa: S608
        "AND NOT (division_id >= %s AND division_id < %s)"
    )
    if server_side():
        with _server_keys(conn, households=False):
            for found in _stream(_ELSEWHERE, bounds * 2, ["int4", "text", "bool"]):
                stage.reject_rows(
                    conn,
                    [
                        (_PERSON_ELSEWHERE if person else _HOUSEHOLD_ELSEWHERE.format(household_no), row_no)
                        for row_no, household_no, person in found
                    ],
                )
        return
    for batch in stage.accepted_batches(conn, batch_size()):
        people = {n for (n,) in select_in(persons, [r[1] for r in batch], bounds)}
        elsewhere = {h for (h,) in select_in(homes, sorted({r[2] for r in batch}), bounds)}
        stage.reject_rows(
            conn,
            [
                (_PERSON_ELSEWHERE if number in people else _HOUSEHOLD_ELSEWHERE.format(household_no), row_no)
                for row_no, number, household_no in batch
                if number in people or household_no in elsewhere
            ],
        )
