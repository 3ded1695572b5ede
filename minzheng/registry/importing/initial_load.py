"""SQLite initial load: an import into a registry that held no persons, done in SQL.

When the registry was empty as the import began, no accepted row can match a stored
person or need a change record (the file's own repeats and conflicts were rejected in
staging), so each chunk is three INSERT … SELECT statements straight from the attached
staging file, with no Python per row. Measured at a million rows this is the
difference between ~15k and ~20k+ rows/s. Every other case, and PostgreSQL, goes
through `apply.apply_chunk`, which gives the same rows (the tests run both).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from minzheng.registry import vocab

ALIAS = "import_stage"  # literal in the statements below, which are constants

_HOUSEHOLDS = """
INSERT INTO registry_household (household_no, division_id, grid, building, unit, room, created_at, updated_at)
SELECT r.household_no, r.division, r.grid, r.building, r.unit, r.room, %s, %s FROM import_stage.rows r
WHERE r.reason IS NULL AND r.row_no > %s AND r.row_no <= %s
  AND NOT EXISTS (SELECT 1 FROM registry_household h WHERE h.household_no = r.household_no)
GROUP BY r.household_no
"""
_PERSONS = """
INSERT INTO registry_person (id_number, name, sex, birth_date, phone, household_id, relation, division_code,
                             tags_text, created_at, updated_at)
SELECT r.id_number, r.name, r.sex, r.birth_date, r.phone, h.id, r.relation, r.division, r.tags_text, %s, %s
FROM import_stage.rows r JOIN registry_household h ON h.household_no = r.household_no
WHERE r.reason IS NULL AND r.row_no > %s AND r.row_no <= %s
"""
_TAGGED = """
SELECT p.id, r.tags_text FROM import_stage.rows r JOIN registry_person p ON p.id_number = r.id_number
WHERE r.reason IS NULL AND r.row_no > %s AND r.row_no <= %s AND r.tags_text <> ''
"""
_TAGS = "INSERT INTO registry_persontag (person_id, kind, category, grade) VALUES (%s, %s, %s, %s)"


def usable() -> bool:
    # ATTACH/DETACH cannot run inside a transaction (e.g. a caller's atomic block or a test's).
    return connection.vendor == "sqlite" and not connection.in_atomic_block


def attach(stage_path: Path) -> None:
    """ATTACH cannot run inside a transaction: call before the chunk loop."""
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"ATTACH DATABASE %s AS {ALIAS}", [str(stage_path)])


def detach() -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"DETACH DATABASE {ALIAS}")


def load_chunk(low: int, high: int) -> int:
    """Insert the accepted rows low < row_no ≤ high; returns how many persons were created."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(_HOUSEHOLDS, [now, now, low, high])
        cursor.execute(_PERSONS, [now, now, low, high])
        created = cursor.rowcount
        cursor.execute(_TAGGED, [low, high])
        tags = [(pk, t.kind, t.category, t.grade) for pk, text in cursor.fetchall() for t in vocab.tags_parse(text)]
        if tags:
            cursor.executemany(_TAGS, tags)
    return created


_TABLES = ("registry_person", "registry_household", "registry_persontag")
_PLAIN_INDEXES = """
SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'
AND tbl_name IN (%s, %s, %s) ORDER BY name
"""
# PostgreSQL: the same, from pg_indexes (primary keys and unique constraints stay: they are the checks).
_PG_PLAIN_INDEXES = """
SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()
AND indexdef NOT LIKE 'CREATE UNIQUE%%' AND tablename IN (%s, %s, %s) ORDER BY indexname
"""


# PostgreSQL: the foreign keys of the loaded tables (to 户, persons, divisions). Checked per row at each
# chunk's commit (deferred triggers: 0.6–1.2 s a 50,000-row chunk); re-added at the end, one set-based
# validation each. Pass 1 already checked every division code; persons and 户 come from the same chunk.
_PG_FOREIGN_KEYS = """
SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE contype = 'f' AND conrelid IN (%s::regclass, %s::regclass, %s::regclass) ORDER BY conname
"""


def _foreign_keys_drop(known: list[list[str]] | None) -> list[list[str]]:
    """Drop the loaded tables' foreign keys on PostgreSQL (those of a run being resumed, else all)."""
    if connection.vendor != "postgresql":
        return []  # SQLite cannot drop a constraint; its checks are cheap in-process
    with connection.cursor() as cursor:
        if known is None:
            cursor.execute(_PG_FOREIGN_KEYS, _TABLES)
            known = [list(row) for row in cursor.fetchall()]
        for table, name, _ in known:
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT IF EXISTS "{name}"')  # names from pg_constraint
    return known


def _foreign_keys_create(known: list[list[str]]) -> None:
    """Add back each missing foreign key: NOT VALID first, so that a failed validation still leaves it enforcing."""
    with connection.cursor() as cursor:
        for table, name, definition in known:
            cursor.execute("SELECT 1 FROM pg_constraint WHERE conname = %s AND conrelid = %s::regclass", [name, table])
            if cursor.fetchone() is None:
                cursor.execute(f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" {definition} NOT VALID')
            cursor.execute(f'ALTER TABLE "{table}" VALIDATE CONSTRAINT "{name}"')


def _indexes_drop(known: list[list[str]] | None) -> list[list[str]]:
    """Drop the plain indexes (those listed by a run being resumed, else all); returns [name, DDL] pairs."""
    with connection.cursor() as cursor:
        if known is None:
            cursor.execute(_PG_PLAIN_INDEXES if connection.vendor == "postgresql" else _PLAIN_INDEXES, _TABLES)
            known = [list(row) for row in cursor.fetchall()]
        for name, _ in known:
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')  # a name read from sqlite_master
    return known


def _indexes_create(indexes: list[list[str]]) -> None:
    with connection.cursor() as cursor:
        for _, sql in indexes:
            cursor.execute(sql.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))


def _indexes_build(indexes: list[list[str]], helper: bool = False) -> None:
    """Build `indexes` on this thread's connection, each committed on its own (autocommit).

    `helper`: a thread started for the build, whose own Django connection (they are per thread) is
    closed after it. Not the importing thread's: that may itself be any thread (a job runner's).
    """
    try:
        _indexes_create(indexes)
    finally:
        if helper:
            connection.close()


def _indexes_in_parallel(indexes: list[list[str]]) -> None:
    """PostgreSQL: the deferred indexes built by two connections at once, half each.

    One CREATE INDEX is mostly one backend's CPU (sorting); two of them on the same table take
    SHARE locks, which do not conflict. At 300,000 rows the 12 indexes took 2.3–2.5 s by two
    connections against 3.0–3.2 s by one (load average ~6 on 2 cores). Each index commits when it
    is built; the caller then creates whatever is missing and commits the checkpoint, so a kill
    half-way leaves the checkpoint's list, and IF NOT EXISTS skips the indexes already there.
    """
    if connection.vendor != "postgresql" or len(indexes) < 2:
        return
    halves = [indexes[0::2], indexes[1::2]]
    with ThreadPoolExecutor(max_workers=1) as pool:
        other = pool.submit(_indexes_build, halves[1], True)
        try:
            _indexes_build(halves[0])
        finally:
            other_error = other.exception()  # waits: never leave a build running behind us
    if other_error is not None:
        raise other_error


@contextmanager
def first_load(stage_path: Path, checkpoint: dict[str, Any], commit: Callable[[], None]) -> Iterator[None]:
    """Around the chunks of a first load: plain indexes (and PostgreSQL's foreign keys) deferred to the end,
    staging attached on SQLite.

    PostgreSQL (pg_copy.py) reads staging through its own connection, so nothing is attached there.
    """
    sqlite = connection.vendor == "sqlite"
    # PostgreSQL will not build an index while the transaction holds deferred foreign-key checks,
    # as a caller's atomic block around the whole import does (a test): there the indexes stay.
    defer = not connection.in_atomic_block
    if sqlite:
        attach(stage_path)
    try:
        if defer:
            with transaction.atomic():
                checkpoint["deferred_indexes"] = _indexes_drop(checkpoint.get("deferred_indexes"))
                checkpoint["deferred_fks"] = _foreign_keys_drop(checkpoint.get("deferred_fks"))
                commit()
        yield
        if defer:
            _indexes_in_parallel(checkpoint["deferred_indexes"])
            with transaction.atomic():
                _indexes_create(checkpoint.pop("deferred_indexes"))
                _foreign_keys_create(checkpoint.pop("deferred_fks", []))
                commit()
    except BaseException:
        _indexes_create(checkpoint.get("deferred_indexes", []))  # never leave the registry without them
        _foreign_keys_create(checkpoint.get("deferred_fks", []))
        raise
    finally:
        if sqlite:
            detach()
