"""PostgreSQL first load: staged rows streamed by COPY, then set-based INSERT … SELECT.

When the registry held no persons as the import began, no accepted row can match a
stored person or need a change record (the file's repeats and conflicts were rejected
in staging). So each chunk of accepted rows is streamed from the staging file with
psycopg's COPY FROM STDIN into a temporary table dropped at commit, and three
statements write the typed tables from it; tags are parsed in Python (one vocabulary)
and COPYed too. The chunk commits with the job's checkpoint like every other chunk.
The row-by-row multi-row INSERTs did about 8.6k rows/s; see docs/notes/s16_import.md.
"""

from __future__ import annotations

import sqlite3

from django.db import connection
from django.utils import timezone

from minzheng.registry import vocab
from minzheng.registry.importing.stage import FIELDS

_TEMP = f"""
CREATE TEMP TABLE import_rows (row_no integer NOT NULL, {", ".join(f"{f} text" for f in FIELDS)}) ON COMMIT DROP
"""
_COPY_ROWS = f"COPY import_rows (row_no, {', '.join(FIELDS)}) FROM STDIN"
_STAGED = f"SELECT row_no, {', '.join(FIELDS)} FROM rows WHERE reason IS NULL AND row_no > ? AND row_no <= ?"  # noqa: S608
# A 户 is created by the chunk holding its first accepted row, in the order of first rows
# (the ids the row-by-row path gives); its later rows in other chunks find it stored.
# pg_update's import into a populated registry uses this one.
_HOUSEHOLDS = """
INSERT INTO registry_household (household_no, division_id, grid, building, unit, room, created_at, updated_at)
SELECT household_no, division, grid, building, unit, room, %s, %s FROM (
    SELECT DISTINCT ON (household_no) * FROM import_rows r
    WHERE NOT EXISTS (SELECT 1 FROM registry_household h WHERE h.household_no = r.household_no)
    ORDER BY household_no, row_no
) first ORDER BY row_no
"""
# The chunk in one statement, joined with the registry only where it must be: the chunk's 户
# numbers are looked up by the household_no index (`stored`: created by earlier chunks, or by an
# import meanwhile); the others are created from their first row in the chunk, their ids taken from
# RETURNING; the created persons' ids and tag texts come back from their INSERT. Before, finding the
# new 户 (NOT EXISTS), their ids and the tagged persons' ids each hashed the whole 户 or person
# table once per chunk (at 300,000 rows 186, 206 and 257 ms a chunk on a loaded machine), a cost
# growing with the registry, i.e. quadratic over a load. The statement's snapshot does not see the
# 户 its first INSERT adds, so `known` lists each 户 once.
_CHUNK = """
WITH stored AS MATERIALIZED (
    SELECT id, household_no FROM registry_household
    WHERE household_no = ANY(ARRAY(SELECT DISTINCT household_no FROM import_rows))
), households AS (
    INSERT INTO registry_household (household_no, division_id, grid, building, unit, room, created_at, updated_at)
    SELECT household_no, division, grid, building, unit, room, %(now)s, %(now)s FROM (
        SELECT DISTINCT ON (household_no) * FROM import_rows r
        WHERE NOT EXISTS (SELECT 1 FROM stored s WHERE s.household_no = r.household_no)
        ORDER BY household_no, row_no
    ) first ORDER BY row_no
    RETURNING id, household_no
), known AS (
    SELECT id, household_no FROM households
    UNION ALL
    SELECT id, household_no FROM stored
), created AS (
    INSERT INTO registry_person (id_number, name, sex, birth_date, phone, household_id, relation, division_code,
                                 tags_text, created_at, updated_at)
    SELECT r.id_number, r.name, r.sex, r.birth_date::date, r.phone, h.id, r.relation, r.division, r.tags_text,
           %(now)s, %(now)s
    FROM import_rows r JOIN known h ON h.household_no = r.household_no ORDER BY r.row_no
    RETURNING id, tags_text
)
SELECT count(*), array_agg(id ORDER BY id) FILTER (WHERE tags_text <> ''),
       array_agg(tags_text ORDER BY id) FILTER (WHERE tags_text <> '')
FROM created
"""
_COPY_TAGS = "COPY registry_persontag (person_id, kind, category, grade) FROM STDIN"


def usable() -> bool:
    return connection.vendor == "postgresql"


def load_chunk(stage: sqlite3.Connection, low: int, high: int) -> int:
    """Insert the accepted rows low < row_no ≤ high; returns how many persons were created.

    Runs inside the caller's transaction (the chunk and its checkpoint commit together).
    """
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_TEMP)
        with cursor.copy(_COPY_ROWS) as copy:
            for row in stage.execute(_STAGED, (low, high)):
                copy.write_row(row)
        cursor.execute(_CHUNK, {"now": now})
        created, ids, texts = cursor.fetchone()
        with cursor.copy(_COPY_TAGS) as copy:
            for pk, text in zip(ids or [], texts or [], strict=True):
                for tag in vocab.tags_parse(text):
                    copy.write_row((pk, tag.kind, tag.category, tag.grade))
        cursor.execute("DROP TABLE import_rows")  # a later chunk in the same transaction (tests) makes its own
    return created
