"""Write one chunk of accepted rows to the registry: few queries, bulk statements.

Per chunk: one query for its households, one for its persons, one multi-row
INSERT for new persons (raw executemany: model instantiation was the import's
main cost), bulk updates for changed ones, and a ChangeRecord per changed field.
"""

from __future__ import annotations

from collections.abc import Iterable
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
    "created_at",
    "updated_at",
)


@dataclass
class ChunkResult:
    created: int = 0
    updated: int = 0


def _address(row: ResidentRow) -> dict[str, str]:
    return {"division_id": row.division, "grid": row.grid, "building": row.building, "unit": row.unit, "room": row.room}


def _display(field: str, value: Any, hh_no: dict[int, str]) -> str:
    if field == "relation":
        return Relation(value).label
    if field == "household_id":
        return hh_no.get(value, str(value))
    return str(value)


def _sync_households(rows: list[ResidentRow], actor: Any, source: str) -> tuple[dict[str, Household], set[str], list]:
    """Create missing households, move changed addresses; returns the changed household numbers."""
    first: dict[str, ResidentRow] = {}
    for row in rows:
        first.setdefault(row.household_no, row)
    found = {h.household_no: h for h in Household.objects.filter(household_no__in=list(first))}
    Household.objects.bulk_create(
        [Household(household_no=no, **_address(r)) for no, r in first.items() if no not in found]
    )
    missing = [no for no in first if no not in found]
    found.update({h.household_no: h for h in Household.objects.filter(household_no__in=missing)})
    changes, moved = [], []
    now = timezone.now()
    for no, row in first.items():
        household = found[no]
        if no in missing:
            continue
        diffs = {f: v for f, v in _address(row).items() if getattr(household, f) != v}
        household.updated_at = now
        for field, new in diffs.items():
            changes.append(
                ChangeRecord(
                    household=household,
                    field=ADDRESS_FIELDS[field],
                    old_value=getattr(household, field),
                    new_value=new,
                    changed_by=actor,
                    source=source,
                )
            )
            setattr(household, field, new)
        if diffs:
            moved.append(household)
    if moved:
        Household.objects.bulk_update(moved, [*ADDRESS_FIELDS, "updated_at"])
        # Scoping reads Person.division_code (ADR 0003): keep every member in step.
        for household in moved:
            Person.objects.filter(household=household).update(division_code=household.division_id)
    return found, {h.household_no for h in moved}, changes


def _insert_persons(rows: list[ResidentRow], households: dict[str, Household]) -> None:
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    values = [
        (
            r.id_number,
            r.name,
            r.sex,
            r.birth_date,
            r.phone,
            households[r.household_no].pk,
            r.relation,
            r.division,
            r.tags_text,
            now,
            now,
        )
        for r in rows
    ]
    sql = (
        f"INSERT INTO {Person._meta.db_table} ({', '.join(_INSERT_COLUMNS)}) "  # noqa: S608 - our identifiers
        f"VALUES ({', '.join(['%s'] * len(_INSERT_COLUMNS))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _tags_for(person_ids: dict[str, int], tagged: Iterable[ResidentRow]) -> list[PersonTag]:
    tags = []
    for row in tagged:
        for tag in vocab.tags_parse(row.tags_text):
            tags.append(
                PersonTag(person_id=person_ids[row.id_number], kind=tag.kind, category=tag.category, grade=tag.grade)
            )
    return tags


def _person_diffs(person: Person, row: ResidentRow, household: Household) -> dict[str, Any]:
    wanted = {
        "name": row.name,
        "phone": row.phone,
        "relation": row.relation,
        "household_id": household.pk,
        "tags_text": row.tags_text,
    }
    return {f: v for f, v in wanted.items() if getattr(person, f) != v}


def apply_chunk(rows: list[ResidentRow], *, actor: Any, source: str) -> ChunkResult:
    """Apply accepted rows; a row already in the registry as written changes nothing."""
    households, moved, changes = _sync_households(rows, actor, source)
    hh_no = {h.pk: no for no, h in households.items()}
    stored = {p.id_number: p for p in Person.objects.filter(id_number__in=[r.id_number for r in rows])}
    new_rows = [r for r in rows if r.id_number not in stored]
    _insert_persons(new_rows, households)
    result = ChunkResult(created=len(new_rows))
    changed, retag = [], []
    for row in rows:
        person = stored.get(row.id_number)
        if person is None:
            continue
        household = households[row.household_no]
        diffs = _person_diffs(person, row, household)
        if person.division_code != household.division_id:
            person.division_code = household.division_id
            diffs.setdefault("division_code", household.division_id)
        for field, new in diffs.items():
            if field in PERSON_FIELDS:
                changes.append(
                    ChangeRecord(
                        person=person,
                        field=PERSON_FIELDS[field],
                        changed_by=actor,
                        source=source,
                        old_value=_display(field, getattr(person, field), hh_no),
                        new_value=_display(field, new, hh_no),
                    )
                )
            setattr(person, field, new)
        if diffs:
            person.updated_at = timezone.now()
            changed.append(person)
            if "tags_text" in diffs:
                retag.append(row)
        if diffs or row.household_no in moved:
            result.updated += 1
    if changed:
        Person.objects.bulk_update(changed, [*PERSON_FIELDS, "division_code", "updated_at"])
    if retag:
        PersonTag.objects.filter(person__in=[stored[r.id_number] for r in retag]).delete()
    tagged = [r for r in new_rows if r.tags_text] + [r for r in retag if r.tags_text]
    if tagged:
        ids = dict(Person.objects.filter(id_number__in=[r.id_number for r in tagged]).values_list("id_number", "pk"))
        PersonTag.objects.bulk_create(_tags_for(ids, tagged))
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
