"""Write one chunk of accepted rows to the registry: few queries, bulk statements.

Per chunk: one query for its households, one for its persons (plain tuples: model
instances were the import's main cost), one multi-row INSERT for new persons,
one executemany UPDATE for changed ones, and a ChangeRecord per changed field.
A row that matches what is stored costs a tuple comparison and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from minzheng.registry import vocab
from minzheng.registry.importing.lookups import batch_size, execute_in, pieces, select_in
from minzheng.registry.importing.rows import ResidentRow
from minzheng.registry.models import ChangeRecord, Household, Person, PersonTag, Relation

ADDRESS_FIELDS = {"division_id": "现住址区划代码", "grid": "网格", "building": "楼栋", "unit": "单元", "room": "房间"}
# Stored person columns compared with a row, in this order, with their Chinese names for history.
PERSON_FIELDS = {
    "name": "姓名",
    "phone": "联系电话",
    "relation": "与户主关系",
    "household_id": "户编号",
    "tags_text": "人员标签",
}
_COMPARED = (*PERSON_FIELDS, "division_code")
# Leading columns in ResidentRow's order (name, id_number, sex, birth_date).
_INSERT_COLUMNS = (
    "name",
    "id_number",
    "sex",
    "birth_date",
    "household_id",
    "relation",
    "division_code",
    "phone",
    "tags_text",
)
_HH_FIELDS = ("household_no", "division_id", "grid", "building", "unit", "room")
_PERSON = Person._meta.db_table
_HOUSEHOLD = Household._meta.db_table
_TAG = PersonTag._meta.db_table


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    applied: int = 0


@dataclass
class _Changes:
    """What a chunk changes besides new rows: history, and the persons to rewrite."""

    actor: Any
    source: str
    records: list[ChangeRecord]
    household_nos: dict[int, str]  # pk → 户编号, for history that names a 户

    def make(self, field: str, old: Any, new: Any, **target: int) -> ChangeRecord:
        return ChangeRecord(
            field=field, old_value=old, new_value=new, changed_by=self.actor, source=self.source, **target
        )

    def record(self, field: str, old: Any, new: Any, **target: int) -> None:
        self.records.append(self.make(field, old, new, **target))


def _address(row: ResidentRow) -> dict[str, str]:
    return {"division_id": row.division, "grid": row.grid, "building": row.building, "unit": row.unit, "room": row.room}


def _raw_insert(model: Any, columns: tuple[str, ...], values: list[tuple], key: str) -> dict[str, int]:
    """Multi-row INSERT … RETURNING without model instances (the import's hot path): key → new pk.

    RETURNING (SQLite ≥ 3.35, PostgreSQL) saves a second query to learn the new ids.
    Our identifiers; values always bound.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    table, names = model._meta.db_table, ", ".join((*columns, "created_at", "updated_at"))
    head = f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 - our identifiers; values are bound
    one = f"({', '.join(['%s'] * (len(columns) + 2))})"
    ids: dict[str, int] = {}
    with connection.cursor() as cursor:
        # Up to 1024 rows a statement, fewer if the database takes fewer bound parameters.
        for part in pieces(values, min(1024, batch_size() // (len(columns) + 2))):
            params = [p for v in part for p in (*v, now, now)]
            cursor.execute(head + ", ".join([one] * len(part)) + f" RETURNING {key}, id", params)
            ids.update(cursor.fetchall())
    return ids


def _stored_households(numbers: list[str]) -> dict[str, tuple]:
    """household_no → (pk, division_id, grid, building, unit, room)."""
    sql = f"SELECT {', '.join(_HH_FIELDS)}, id FROM {_HOUSEHOLD} WHERE household_no IN ({{keys}})"  # noqa: S608
    return {r[0]: (r[-1], *r[1:-1]) for r in select_in(sql, numbers)}


def _move_households(moves: list[tuple[int, dict[str, str], dict[str, str]]], changes: _Changes) -> None:
    """(pk, old address, new address) per moved 户: history per changed field, two statements in all."""
    for pk, old, new in moves:
        changes.records += [
            changes.make(ADDRESS_FIELDS[f], old[f], new[f], household_id=pk) for f in new if old[f] != new[f]
        ]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sets = ", ".join(f"{f} = %s" for f in _HH_FIELDS[1:])
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_HOUSEHOLD} SET {sets}, updated_at = %s WHERE id = %s",  # noqa: S608
            [(*new.values(), now, pk) for pk, _, new in moves],
        )
        # Scoping reads Person.division_code (ADR 0003): keep every member in step.
        cursor.executemany(
            f"UPDATE {_PERSON} SET division_code = %s WHERE household_id = %s",  # noqa: S608
            [(new["division_id"], pk) for pk, old, new in moves if old["division_id"] != new["division_id"]],
        )


def _sync_households(rows: list[ResidentRow], changes: _Changes) -> dict[str, int]:
    """Create missing households, move changed addresses. Returns household_no → pk."""
    first: dict[str, ResidentRow] = {}
    for row in rows:
        first.setdefault(row.household_no, row)
    stored = _stored_households(list(first))
    new = [(no, *_address(r).values()) for no, r in first.items() if no not in stored]
    ids = _raw_insert(Household, _HH_FIELDS, new, "household_no")
    moves = []
    for no, (pk, *address) in stored.items():
        ids[no] = pk
        old, wanted = dict(zip(_HH_FIELDS[1:], address, strict=True)), _address(first[no])
        if old != wanted:
            moves.append((pk, old, wanted))
    _move_households(moves, changes)
    changes.household_nos.update({pk: no for no, pk in ids.items()})
    return ids


def _stored_persons(rows: list[ResidentRow]) -> dict[str, tuple]:
    """id_number → (pk, *_COMPARED values)."""
    sql = f"SELECT id_number, id, {', '.join(_COMPARED)} FROM {_PERSON} WHERE id_number IN ({{keys}})"  # noqa: S608
    return {r[0]: r[1:] for r in select_in(sql, [r.id_number for r in rows])}


def _insert_persons(rows: list[ResidentRow], households: dict[str, int]) -> dict[str, int]:
    values = [(*r[:4], households[r.household_no], r.relation, r.division, r.phone, r.tags_text) for r in rows]
    return _raw_insert(Person, _INSERT_COLUMNS, values, "id_number")


def _display(field: str, value: Any, household_nos: dict[int, str]) -> str:
    if field == "relation":
        return Relation(value).label
    if field == "household_id":
        return household_nos[value]
    return str(value)


def _person_update(stored: tuple, row: ResidentRow, household_id: int, changes: _Changes) -> tuple | None:
    """The UPDATE parameters for a stored person the row changes (history recorded), else None."""
    pk, *old = stored
    new = (row.name, row.phone, row.relation, household_id, row.tags_text, row.division)
    if tuple(old) == new:
        return None
    for field, before, after in zip(_COMPARED, old, new, strict=True):
        if before != after and field in PERSON_FIELDS:
            before_text = _display(field, before, changes.household_nos)
            changes.record(
                PERSON_FIELDS[field], before_text, _display(field, after, changes.household_nos), person_id=pk
            )
    return (*new, pk)


def _learn_household_nos(stored: dict[str, tuple], changes: _Changes) -> None:
    """户编号 of the 户 that persons in this chunk leave, for their history (one query)."""
    unknown = sorted({s[4] for s in stored.values()} - changes.household_nos.keys())
    sql = f"SELECT id, household_no FROM {_HOUSEHOLD} WHERE id IN ({{keys}})"  # noqa: S608
    changes.household_nos.update(select_in(sql, unknown))


def _write_updates(updates: list[tuple]) -> None:
    sets = ", ".join(f"{f} = %s" for f in _COMPARED)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {_PERSON} SET {sets}, updated_at = %s WHERE id = %s",  # noqa: S608
            [(*u[:-1], now, u[-1]) for u in updates],
        )


def _retag(pairs: list[tuple[int, str]], *, replace: bool) -> None:
    """(person_id, tags_text) → PersonTag rows exactly in step with the text."""
    if replace and pairs:
        execute_in(f"DELETE FROM {_TAG} WHERE person_id IN ({{keys}})", [pk for pk, _ in pairs])  # noqa: S608
    values = [(pk, t.kind, t.category, t.grade) for pk, text in pairs for t in vocab.tags_parse(text)]
    if values:
        sql = f"INSERT INTO {_TAG} (person_id, kind, category, grade) VALUES (%s, %s, %s, %s)"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)


def _update_stored(
    rows: list[tuple[ResidentRow, bool]], stored: dict[str, tuple], households: dict[str, int], changes: _Changes
) -> int:
    """Rewrite the stored persons the rows change; returns how many persons count as updated."""
    updates, retag, updated = [], [], 0
    for row, moved in rows:
        old = stored.get(row.id_number)
        if old is None:
            continue
        update = _person_update(old, row, households[row.household_no], changes)
        if update:
            updates.append(update)
            if old[5] != row.tags_text:  # (pk, name, phone, relation, household_id, tags_text, division_code)
                retag.append((old[0], row.tags_text))
        updated += bool(update) or moved  # a moved 户 changes every member's address
    _write_updates(updates)
    _retag(retag, replace=True)
    return updated


def apply_chunk(rows: list[tuple[ResidentRow, bool]], *, actor: Any, source: str, all_new: bool) -> ChunkResult:
    """Apply accepted rows, each with whether its 户's address moves; an unchanged row changes nothing.

    `all_new`: the registry was empty when this import began, so no row can match a
    stored person (the file's own repeats were rejected in staging): skip that lookup.
    """
    changes = _Changes(actor=actor, source=source, records=[], household_nos={})
    households = _sync_households([r for r, _ in rows], changes)
    stored = {} if all_new else _stored_persons([r for r, _ in rows])
    _learn_household_nos(stored, changes)
    new_rows = [r for r, _ in rows if r.id_number not in stored]
    new_ids = _insert_persons(new_rows, households)
    updated = _update_stored(rows, stored, households, changes)
    _retag([(new_ids[r.id_number], r.tags_text) for r in new_rows if r.tags_text], replace=False)
    ChangeRecord.objects.bulk_create(changes.records)
    return ChunkResult(created=len(new_rows), updated=updated, applied=len(rows))
