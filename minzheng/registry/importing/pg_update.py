"""PostgreSQL import into a populated registry: one chunk by COPY and set-based statements.

The row-by-row path (apply.py) reads the chunk's stored persons and 户 with IN lists, then
compares, inserts and updates from Python: about 19k rows/s. Here the chunk's accepted rows
(already checked, file-wide rules applied in staging) are COPYed into a temporary table and
the registry is written by a fixed number of statements per chunk, whatever its size:

1. new 户: INSERT … SELECT in the order of their first rows (the ids the row-by-row path gives);
2. moved 户: UPDATE … FROM, returning old and new address (a second reference to the table in
   FROM sees the row as it was before the statement), and the members' division_code in step;
3. changed persons: the rows whose stored values differ, with the old values and the 户编号 they
   leave, into a small temporary table (unchanged rows are filtered out in SQL, no Python per row),
   then one UPDATE … FROM of just those by primary key;
4. new persons: INSERT … SELECT in row order, tags COPYed.

Change records are composed in Python from what the UPDATEs returned (only the changed rows,
field by field, with the Chinese field names and the 户编号/relation labels exactly as apply.py
writes them) and COPYed in. Everything runs in the caller's transaction, which commits the
chunk with the job's checkpoint, so a killed import resumes after the last committed chunk;
a second run finds nothing different and writes nothing.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db import connection
from django.utils import timezone

from minzheng.registry import vocab
from minzheng.registry.importing.apply import ADDRESS_FIELDS, PERSON_FIELDS, ChunkResult
from minzheng.registry.importing.stage import FIELDS
from minzheng.registry.models import ChangeRecord, Relation

_TEMP = f"""
CREATE TEMP TABLE import_rows (row_no integer NOT NULL, {", ".join(f"{f} text" for f in FIELDS)},
                               moved boolean NOT NULL) ON COMMIT DROP
"""
_COPY_ROWS = f"COPY import_rows (row_no, {', '.join(FIELDS)}, moved) FROM STDIN"
_STAGED = (
    f"SELECT r.row_no, {', '.join(f'r.{f}' for f in FIELDS)}, m.household_no IS NOT NULL FROM rows r "  # noqa: S608
    "LEFT JOIN moved m ON m.household_no = r.household_no "
    "WHERE r.reason IS NULL AND r.row_no > ? AND r.row_no <= ?"
)
# Sorts and hashes over the chunk's 50,000 rows: with the default 4 MB they spilled to disk. Bounded
# (a few nodes per statement), and for this transaction only (the chunk's, with its checkpoint).
_WORK_MEM = "SET LOCAL work_mem = '64MB'"
# The registry is only ever reached by its indexes, from the chunk's keys (`= ANY(ARRAY(…))`: an index
# scan of exactly those keys whatever the planner guesses of the unanalysed temp tables). Joins of the
# chunk with whole tables (hashes over every person or 户 per chunk) grew with the registry: at 200k
# they were most of a chunk's joins, at 1M five times as much; indexing and ANALYZE of the temp table
# (0.35 s a chunk) are not needed then.
#
# Each 户 of the chunk once: its first row's address (staging rejected rows that disagree), and what
# is stored for it (no id: new).
_HOUSEHOLDS = """
CREATE TEMP TABLE import_households ON COMMIT DROP AS
WITH stored AS MATERIALIZED (
    SELECT id, household_no, division_id, grid, building, unit, room FROM registry_household
    WHERE household_no = ANY(ARRAY(SELECT DISTINCT household_no FROM import_rows))
)
SELECT f.row_no, f.household_no, f.division, f.grid, f.building, f.unit, f.room, s.id, s.id IS NOT NULL AS stored,
       s.division_id AS old_division, s.grid AS old_grid, s.building AS old_building, s.unit AS old_unit,
       s.room AS old_room
FROM import_rows f LEFT JOIN stored s ON s.household_no = f.household_no
WHERE f.row_no IN (SELECT min(row_no) FROM import_rows GROUP BY household_no)
"""
# A new 户 is written as on the first load: by the chunk holding its first row, in row order.
_NEW_HOUSEHOLDS = """
WITH created AS (
    INSERT INTO registry_household (household_no, division_id, grid, building, unit, room, created_at, updated_at)
    SELECT household_no, division, grid, building, unit, room, %s, %s FROM import_households
    WHERE NOT stored ORDER BY row_no
    RETURNING id, household_no
)
UPDATE import_households i SET id = c.id FROM created c WHERE i.household_no = c.household_no
"""
_MOVES = """
SELECT row_no, id, old_division, old_grid, old_building, old_unit, old_room, division, grid, building, unit, room
FROM import_households
WHERE stored AND (old_division, old_grid, old_building, old_unit, old_room)
      IS DISTINCT FROM (division, grid, building, unit, room)
ORDER BY row_no
"""
_MOVE_HOUSEHOLDS = """
UPDATE registry_household h
SET division_id = i.division, grid = i.grid, building = i.building, unit = i.unit, room = i.room, updated_at = %s
FROM import_households i WHERE h.id = ANY(%s) AND i.id = h.id
"""
# Scoping reads Person.division_code (ADR 0003): every member of a moved 户 in step, listed or not.
_MEMBERS_FOLLOW = """
UPDATE registry_person p SET division_code = h.division_id FROM registry_household h
WHERE p.household_id = h.id AND h.id = ANY(%s) AND p.division_code <> h.division_id
"""
# Every row that writes something or counts as updated, with what is stored for its person (read after
# the 户 moved: members' division_code is then in step): new persons (no id), stored persons whose
# compared columns differ (`changed`), and stored persons of a moved 户 (counted as updated).
# The unchanged rows (most of a re-import) stop here.
_PERSONS = """
CREATE TEMP TABLE import_persons ON COMMIT DROP AS
WITH stored AS MATERIALIZED (
    SELECT id, id_number, name, phone, relation, household_id, tags_text, division_code FROM registry_person
    WHERE id_number = ANY(ARRAY(SELECT id_number FROM import_rows))
), compared AS (
    SELECT r.*, i.id AS household_id, s.id AS person_id, s.name AS old_name, s.phone AS old_phone,
           s.relation AS old_relation, s.household_id AS old_household_id, s.tags_text AS old_tags_text,
           (s.name, s.phone, s.relation, s.household_id, s.tags_text, s.division_code)
           IS DISTINCT FROM (r.name, r.phone, r.relation, i.id, r.tags_text, r.division) AS changed
    FROM import_rows r JOIN import_households i ON i.household_no = r.household_no
    LEFT JOIN stored s ON s.id_number = r.id_number
)
SELECT * FROM compared WHERE changed OR moved
"""
# Old and new values of the changed persons for their history, with the 户编号 they leave (by primary key).
_CHANGED_ROWS = """
SELECT row_no, moved, person_id, old_name, old_phone, old_relation,
       (SELECT household_no FROM registry_household WHERE id = old_household_id), old_tags_text,
       name, phone, relation, household_no, tags_text
FROM import_persons WHERE person_id IS NOT NULL AND changed
"""
_MOVED_STORED = "SELECT count(*) FROM import_persons WHERE person_id IS NOT NULL AND moved"
_CHANGE_PERSONS = """
UPDATE registry_person p
SET name = c.name, phone = c.phone, relation = c.relation, household_id = c.household_id, tags_text = c.tags_text,
    division_code = c.division, updated_at = %s
FROM import_persons c
WHERE p.id = ANY(ARRAY(SELECT person_id FROM import_persons WHERE person_id IS NOT NULL AND changed))
  AND c.person_id = p.id
"""
_NEW_PERSONS = """
INSERT INTO registry_person (id_number, name, sex, birth_date, phone, household_id, relation, division_code,
                             tags_text, created_at, updated_at)
SELECT id_number, name, sex, birth_date::date, phone, household_id, relation, division, tags_text, %s, %s
FROM import_persons WHERE person_id IS NULL
ORDER BY row_no
RETURNING id, tags_text
"""
_COPY_TAGS = "COPY registry_persontag (person_id, kind, category, grade) FROM STDIN"
_COPY_HISTORY = (
    f"COPY {ChangeRecord._meta.db_table} (person_id, household_id, field, old_value, new_value, changed_by_id, "
    "changed_at, source) FROM STDIN"
)
_PERSON_ORDER = tuple(PERSON_FIELDS)  # name, phone, relation, household_id, tags_text: apply.py's order


def usable() -> bool:
    return connection.vendor == "postgresql"


def _label(field: str, value: str) -> str:
    """How apply.py shows a value in history: the relation's label, the 户编号, else the text."""
    return Relation(value).label if field == "relation" else value


def _person_records(changed: list[tuple]) -> tuple[list[tuple[int, str, str, str]], list[tuple[int, str]]]:
    """(person, field, old, new) per changed field in row order, and (person, tags) to retag."""
    records, retag = [], []
    for _row_no, _moved, pk, *values in sorted(changed):
        old, new = values[:5], values[5:]
        for field, before, after in zip(_PERSON_ORDER, old, new, strict=True):
            if before != after:
                records.append((pk, PERSON_FIELDS[field], _label(field, before), _label(field, after)))
        if old[4] != new[4]:
            retag.append((pk, new[4]))
    return records, retag


def _copy_tags(cursor: Any, pairs: list[tuple[int, str]]) -> None:
    with cursor.copy(_COPY_TAGS) as copy:
        for pk, text in pairs:
            for tag in vocab.tags_parse(text):
                copy.write_row((pk, tag.kind, tag.category, tag.grade))


def apply_chunk(stage: sqlite3.Connection, low: int, high: int, *, actor: Any, source: str) -> ChunkResult:
    """Apply the accepted rows low < row_no ≤ high to a populated registry; same effects as apply.apply_chunk.

    Runs inside the caller's transaction (the chunk and its checkpoint commit together).
    """
    now = timezone.now()
    history: list[tuple] = []  # (person_id, household_id, field, old, new)
    with connection.cursor() as cursor:
        cursor.execute(_WORK_MEM)
        cursor.execute(_TEMP)
        applied = 0
        with cursor.copy(_COPY_ROWS) as copy:
            for row in stage.execute(_STAGED, (low, high)):
                copy.write_row(row)
                applied += 1
        cursor.execute(_HOUSEHOLDS)
        cursor.execute(_NEW_HOUSEHOLDS, [now, now])
        cursor.execute(_MOVES)
        moves = cursor.fetchall()
        for _row_no, pk, *address in moves:
            old, new = address[:5], address[5:]
            history += [
                (None, pk, name, before, after)
                for name, before, after in zip(ADDRESS_FIELDS.values(), old, new, strict=True)
                if before != after
            ]
        if moves:
            ids = [m[1] for m in moves]
            cursor.execute(_MOVE_HOUSEHOLDS, [now, ids])
            cursor.execute(_MEMBERS_FOLLOW, [ids])
        cursor.execute(_PERSONS)
        cursor.execute(_MOVED_STORED)
        moved_stored = cursor.fetchone()[0]
        cursor.execute(_CHANGED_ROWS)
        changed = cursor.fetchall()
        if changed:
            cursor.execute(_CHANGE_PERSONS, [now])
        records, retag = _person_records(changed)
        history += [(pk, None, field, old, new) for pk, field, old, new in records]
        if retag:
            cursor.execute("DELETE FROM registry_persontag WHERE person_id = ANY(%s)", [[pk for pk, _ in retag]])
            _copy_tags(cursor, [(pk, text) for pk, text in retag if text])
        cursor.execute(_NEW_PERSONS, [now, now])
        created_rows = cursor.fetchall()
        _copy_tags(cursor, [(pk, text) for pk, text in created_rows if text])
        if history:
            by = getattr(actor, "pk", None)
            with cursor.copy(_COPY_HISTORY) as copy:
                for person, household, field, old, new in history:
                    copy.write_row((person, household, field, old, new, by, now, source))
        # A later chunk in the same transaction (tests) makes its own.
        cursor.execute("DROP TABLE import_rows, import_households, import_persons")
    # A row counts as updated when its stored person changed or its 户 moved (apply.py's rule).
    updated = moved_stored + sum(1 for c in changed if not c[1])
    return ChunkResult(created=len(created_rows), updated=updated, applied=applied)
