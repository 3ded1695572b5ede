"""Write one chunk of accepted rows to the registry: few queries, bulk statements.

Per chunk: one query for its households, one for its persons, one multi-row
INSERT for new persons (raw executemany: model instantiation was the import's
main cost), bulk updates for changed ones, and a ChangeRecord per changed field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.utils import timezone

from minzheng.registry import vocab
from minzheng.registry.importing.rows import ResidentRow
from minzheng.registry.models import ChangeRecord, Household, Person, PersonTag, Relation

ADDRESS_FIELDS = {"division_id": "现住址区划代码", "grid": "网格", "building": "楼栋", "unit": "单元", "room": "房间"}
PERSON_FIELDS = {
    "name": "姓名",
    "phone": "联系电话",
    "relation": "与户主关系",
    "household_id": "户编号",
    "tags_text": "人员标签",
}
_INSERT_COLUMNS = (
    "id_number",
    "name",
    "sex",
    "birth_date",
    "phone",
    "household_id",
    "relation",
    "division_code",
    "tags_text",
)


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0
    applied: int = 0


def _address(row: ResidentRow) -> dict[str, str]:
    return {"division_id": row.division, "grid": row.grid, "building": row.building, "unit": row.unit, "room": row.room}


def _display(field: str, value: Any, hh_no: dict[int, str]) -> str:
    if field == "relation":
        return Relation(value).label
    if field == "household_id":
        return hh_no.get(value, str(value))
    return str(value)


_HH_FIELDS = ("household_no", "division_id", "grid", "building", "unit", "room")


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
        for start in range(0, len(values), 1000):
            part = values[start : start + 1000]
            params = [p for v in part for p in (*v, now, now)]
            cursor.execute(head + ", ".join([one] * len(part)) + f" RETURNING {key}, id", params)
            ids.update(cursor.fetchall())
    return ids


def _sync_households(rows: list[ResidentRow], actor: Any, source: str) -> tuple[dict[str, int], set[str], list]:
    """Create missing households, move changed addresses. Returns household_no → pk, moved numbers, changes."""
    first: dict[str, ResidentRow] = {}
    for row in rows:
        first.setdefault(row.household_no, row)
    # household_no → (pk, division_id, grid, building, unit, room)
    stored = {
        r[1]: (r[0], *r[2:])
        for r in Household.objects.filter(household_no__in=list(first)).values_list("pk", *_HH_FIELDS)
    }
    new = [(no, *_address(r).values()) for no, r in first.items() if no not in stored]
    ids = _raw_insert(Household, _HH_FIELDS, new, "household_no")
    ids.update({no: r[0] for no, r in stored.items()})
    changes, moved = [], []
    for no, values in stored.items():
        old = dict(zip(_HH_FIELDS[1:], values[1:], strict=True))
        diffs = {f: v for f, v in _address(first[no]).items() if old[f] != v}
        if diffs:
            moved.append(no)
            changes += [
                ChangeRecord(
                    household_id=ids[no],
                    field=ADDRESS_FIELDS[f],
                    old_value=old[f],
                    new_value=v,
                    changed_by=actor,
                    source=source,
                )
                for f, v in diffs.items()
            ]
            Household.objects.filter(pk=ids[no]).update(**diffs, updated_at=timezone.now())
            # Scoping reads Person.division_code (ADR 0003): keep every member in step.
            Person.objects.filter(household_id=ids[no]).update(
                division_code=diffs.get("division_id", old["division_id"])
            )
    return ids, set(moved), changes


def _insert_persons(rows: list[ResidentRow], households: dict[str, int]) -> dict[str, int]:
    return _raw_insert(
        Person,
        _INSERT_COLUMNS,
        [
            (
                r.id_number,
                r.name,
                r.sex,
                r.birth_date,
                r.phone,
                households[r.household_no],
                r.relation,
                r.division,
                r.tags_text,
            )
            for r in rows
        ],
        "id_number",
    )


def _person_diffs(person: Person, row: ResidentRow, household_id: int) -> dict[str, Any]:
    wanted = {
        "name": row.name,
        "phone": row.phone,
        "relation": row.relation,
        "household_id": household_id,
        "tags_text": row.tags_text,
    }
    return {f: v for f, v in wanted.items() if getattr(person, f) != v}


def _update_person(person: Person, row: ResidentRow, household_id: int, ctx: dict[str, Any]) -> bool:
    """Apply a row to a stored person in memory; record each changed field. True if anything changed."""
    diffs = _person_diffs(person, row, household_id)
    if person.division_code != row.division:
        diffs["division_code"] = row.division
    for field, new in diffs.items():
        if field in PERSON_FIELDS:
            ctx["changes"].append(
                ChangeRecord(
                    person=person,
                    field=PERSON_FIELDS[field],
                    changed_by=ctx["actor"],
                    source=ctx["source"],
                    old_value=_display(field, getattr(person, field), ctx["hh_no"]),
                    new_value=_display(field, new, ctx["hh_no"]),
                )
            )
        setattr(person, field, new)
    if diffs:
        person.updated_at = timezone.now()
    return bool(diffs)


def _insert_tags(pairs: list[tuple[int, str]]) -> None:
    """(person_id, tags_text) → PersonTag rows, one multi-row statement."""
    values = [(pk, t.kind, t.category, t.grade) for pk, text in pairs for t in vocab.tags_parse(text)]
    if values:
        table = PersonTag._meta.db_table
        sql = f"INSERT INTO {table} (person_id, kind, category, grade) VALUES (%s, %s, %s, %s)"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.executemany(sql, values)


def apply_chunk(rows: list[ResidentRow], *, actor: Any, source: str, all_new: bool = False) -> ChunkResult:
    """Apply accepted rows; a row already in the registry as written changes nothing.

    `all_new`: the registry held no persons when this import began, so no row can match a
    stored person (the file's own repeats were rejected in staging): skip that lookup.
    """
    households, moved, changes = _sync_households(rows, actor, source)
    stored = (
        {} if all_new else {p.id_number: p for p in Person.objects.filter(id_number__in=[r.id_number for r in rows])}
    )
    new_rows = [r for r in rows if r.id_number not in stored]
    new_ids = _insert_persons(new_rows, households)
    result = ChunkResult(created=len(new_rows))
    ctx = {"changes": changes, "actor": actor, "source": source, "hh_no": {pk: no for no, pk in households.items()}}
    changed, retag = [], []
    for row in rows:
        person = stored.get(row.id_number)
        if person is None:
            continue
        old_tags = person.tags_text
        if _update_person(person, row, households[row.household_no], ctx):
            changed.append(person)
            if person.tags_text != old_tags:
                retag.append(person)
        if person in changed or row.household_no in moved:
            result.updated += 1
    if changed:
        Person.objects.bulk_update(changed, [*PERSON_FIELDS, "division_code", "updated_at"])
    if retag:
        PersonTag.objects.filter(person__in=retag).delete()
    _insert_tags(
        [(new_ids[r.id_number], r.tags_text) for r in new_rows if r.tags_text]
        + [(p.pk, p.tags_text) for p in retag if p.tags_text]
    )
    ChangeRecord.objects.bulk_create(changes)
    return result


def stored_heads(household_nos: list[str]) -> dict[str, tuple[str, str]]:
    """household_no → (id_number, name) of its stored 户主, for households already in the registry."""
    heads: dict[str, tuple[str, str]] = {}
    for start in range(0, len(household_nos), 900):  # stay under SQLite's bound-parameter limit
        part = household_nos[start : start + 900]
        rows = Person.objects.filter(household__household_no__in=part, relation=Relation.HEAD)
        heads.update(
            {hh: (n, name) for hh, n, name in rows.values_list("household__household_no", "id_number", "name")}
        )
    return heads
