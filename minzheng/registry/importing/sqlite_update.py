"""SQLite import into a populated registry: one chunk by set-based statements.

The row-by-row path (apply.py) read every stored person of the chunk into Python and
compared them there: most of a populated import's pass 2 (4.0 of 6.4 s at 110,000 rows).
Here the chunk's accepted rows are copied into a temporary table of the registry's own
connection and the comparison is SQL; Python sees only the rows that change:

1. moved 户: the stored 户 whose address differs from their first row in the chunk
   (apply._move_households writes them and their history, as the row-by-row path does);
2. new 户: INSERT … SELECT of first rows, in row order (the ids apply.py gives);
3. changed persons: one SELECT of the stored persons whose compared columns differ, with old
   and new values; history composed by pg_update._person_records (the same labels), updates
   by executemany; unchanged rows are filtered out in SQL;
4. new persons: INSERT … SELECT in row order (the ids apply.py gives), tags from their text.

Everything runs in the caller's transaction, which commits the chunk with the job's checkpoint,
so a failure anywhere in a chunk leaves none of it written. The temporary table is filled by
INSERT … SELECT from the staging file attached for the run, or, inside a caller's transaction
(where ATTACH cannot run: tests), by executemany from the staging connection; then dropped.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from django.db import connection
from django.utils import timezone

from minzheng.registry.importing.apply import (
    ADDRESS_FIELDS,
    ChunkResult,
    _Changes,
    _move_households,
    _retag,
    _write_updates,
)
from minzheng.registry.importing.initial_load import ALIAS
from minzheng.registry.importing.pg_update import _STAGED, _person_records
from minzheng.registry.importing.stage import ADDRESS, FIELDS
from minzheng.registry.models import ChangeRecord

_TEMP = f"""
CREATE TEMP TABLE import_rows (row_no INTEGER PRIMARY KEY, {", ".join(f"{f} TEXT" for f in FIELDS)}, moved INTEGER)
"""
_FILL = f"INSERT INTO temp.import_rows VALUES ({', '.join(['%s'] * (len(FIELDS) + 2))})"  # noqa: S608 - constant
# The same rows straight from the attached staging file (initial_load.attach): no Python per row.
_FILL_ATTACHED = f"""
INSERT INTO temp.import_rows SELECT r.row_no, {", ".join(f"r.{f}" for f in FIELDS)}, m.household_no IS NOT NULL
FROM {ALIAS}.rows r LEFT JOIN {ALIAS}.moved m ON m.household_no = r.household_no
WHERE r.reason IS NULL AND r.row_no > %s AND r.row_no <= %s
"""  # noqa: S608 - constant
_FIRSTS = "(SELECT MIN(row_no) FROM temp.import_rows GROUP BY household_no)"
_MOVES = f"""
SELECT h.id, h.division_id, h.grid, h.building, h.unit, h.room, {", ".join(f"f.{a}" for a in ADDRESS)}
FROM temp.import_rows f JOIN registry_household h ON h.household_no = f.household_no
WHERE f.row_no IN {_FIRSTS}
  AND (h.division_id, h.grid, h.building, h.unit, h.room) IS NOT ({", ".join(f"f.{a}" for a in ADDRESS)})
ORDER BY f.row_no
"""  # noqa: S608 - constant
_NEW_HOUSEHOLDS = f"""
INSERT INTO registry_household (household_no, division_id, grid, building, unit, room, created_at, updated_at)
SELECT f.household_no, f.division, f.grid, f.building, f.unit, f.room, %s, %s FROM temp.import_rows f
WHERE f.row_no IN {_FIRSTS}
  AND NOT EXISTS (SELECT 1 FROM registry_household h WHERE h.household_no = f.household_no)
ORDER BY f.row_no
"""  # noqa: S608 - constant
_MOVED_STORED = """
SELECT count(*) FROM temp.import_rows r JOIN registry_person p ON p.id_number = r.id_number WHERE r.moved
"""
# Old and new values of the compared columns (apply._COMPARED), only for persons that differ.
_CHANGED = """
SELECT r.row_no, r.moved, p.id, p.name, p.phone, p.relation, oh.household_no, p.tags_text,
       r.name, r.phone, r.relation, r.household_no, r.tags_text, h.id, r.division
FROM temp.import_rows r JOIN registry_person p ON p.id_number = r.id_number
JOIN registry_household h ON h.household_no = r.household_no
JOIN registry_household oh ON oh.id = p.household_id
WHERE (p.name, p.phone, p.relation, p.household_id, p.tags_text, p.division_code)
      IS NOT (r.name, r.phone, r.relation, h.id, r.tags_text, r.division)
ORDER BY r.row_no
"""
_NEW_PERSONS = """
INSERT INTO registry_person (id_number, name, sex, birth_date, phone, household_id, relation, division_code,
                             tags_text, created_at, updated_at)
SELECT r.id_number, r.name, r.sex, r.birth_date, r.phone, h.id, r.relation, r.division, r.tags_text, %s, %s
FROM temp.import_rows r JOIN registry_household h ON h.household_no = r.household_no
WHERE NOT EXISTS (SELECT 1 FROM registry_person p WHERE p.id_number = r.id_number)
ORDER BY r.row_no
RETURNING id, tags_text
"""
ADDRESS_KEYS = tuple(ADDRESS_FIELDS)  # division_id, grid, building, unit, room: apply._move_households' keys


# ChangeRecord rows by executemany: bulk_create of model instances took about 3 s per 20,000 records.
_HISTORY = (
    f"INSERT INTO {ChangeRecord._meta.db_table} (person_id, household_id, field, old_value, new_value, "  # noqa: S608
    "changed_by_id, changed_at, source) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
)


def usable() -> bool:
    return connection.vendor == "sqlite"


def apply_chunk(
    stage: sqlite3.Connection, low: int, high: int, *, actor: Any, source: str, attached: bool = False
) -> ChunkResult:
    """Apply the accepted rows low < row_no ≤ high to the registry; same effects as apply.apply_chunk.

    `attached`: the staging file is attached to the registry's connection (outside a caller's
    transaction), so the rows are copied by SQL; else through Python from `stage`.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    changes = _Changes(actor=actor, source=source, records=[], household_nos={})
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS temp.import_rows")  # a chunk that failed before its DROP
        cursor.execute(_TEMP)
        if attached:
            cursor.execute(_FILL_ATTACHED, [low, high])
            applied = cursor.rowcount
        else:
            staged = stage.execute(_STAGED, (low, high)).fetchall()
            cursor.executemany(_FILL, staged)
            applied = len(staged)
            del staged
        cursor.execute(_MOVES)
        moves = [
            (pk, dict(zip(ADDRESS_KEYS, row[:5], strict=True)), dict(zip(ADDRESS_KEYS, row[5:], strict=True)))
            for pk, *row in cursor.fetchall()
        ]
        _move_households(moves, changes)  # history on the 户, members' division_code in step
        cursor.execute(_NEW_HOUSEHOLDS, [now, now])
        cursor.execute(_MOVED_STORED)
        moved_stored = cursor.fetchone()[0]
        cursor.execute(_CHANGED)
        changed = cursor.fetchall()
        records, retag = _person_records([c[:13] for c in changed])
        # apply._COMPARED's order: name, phone, relation, household_id, tags_text, division_code; then the pk.
        _write_updates([(c[8], c[9], c[10], c[13], c[12], c[14], c[2]) for c in changed])
        _retag(retag, replace=True)
        cursor.execute(_NEW_PERSONS, [now, now])
        created = cursor.fetchall()
        _retag([(pk, text) for pk, text in created if text], replace=False)
        by = getattr(actor, "pk", None)
        history = [
            (r.person_id, r.household_id, r.field, r.old_value, r.new_value, by, now, source) for r in changes.records
        ]
        history += [(pk, None, field, old, new, by, now, source) for pk, field, old, new in records]
        cursor.executemany(_HISTORY, history)  # apply.py's records (the 户's first), without model instances
        cursor.execute("DROP TABLE temp.import_rows")
    # A row counts as updated when its stored person changed or its 户 moved (apply.py's rule).
    updated = moved_stored + sum(1 for c in changed if not c[1])
    return ChunkResult(created=len(created), updated=updated, applied=applied)
