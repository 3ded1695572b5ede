"""Every write to a child file: one transaction, keyword-only `actor=`, one audit row, and the
child's categories recomputed by the rules engine before the transaction ends.

A parent's situation is history: recording a new one ends the one in force (its `until` = the new
`since`), so "released from prison on 3 May" is a new row 在家 from 3 May and the 服刑 row ends then.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor, Recorder
from minzheng.audit.services import audit_record
from minzheng.children import categories
from minzheng.children.models import ChildFile, Guardian, ParentSituation, Situation, Source
from minzheng.registry.models import Person


class ChildFileError(ValueError):
    """A write refused; the message is Chinese and names the field."""


def _audit(actor: Recorder, action: str, child: ChildFile, summary: str, ip: str = "", **data: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="child_file",
        object_id=child.pk,
        summary=summary,
        client_ip=ip,
        data=data or None,
    )


@transaction.atomic
def child_file_open(*, person: Person, actor: Actor | None, client_ip: str = "") -> ChildFile:
    """The child's one file (一人一档): the existing one, or a new one."""
    child, created = ChildFile.objects.get_or_create(
        person=person,
        defaults={"division_code": person.division_code, "created_by": actor},
    )
    if created:
        _audit(actor, "create", child, f"建立儿童档案 {person.name}", client_ip)
        categories.recompute([child])
    return child


def _current(child: ChildFile, parent: str, on: dt.date) -> ParentSituation | None:
    rows = list(ParentSituation.objects.filter(child=child, parent=parent))
    return categories.current(rows, on)


@transaction.atomic
def situation_record(
    child: ChildFile,
    *,
    parent: str,
    situation: str,
    since: dt.date,
    source: str,
    evidence: str = "",
    parent_person: Person | None = None,
    feed_key: str = "",
    actor: Actor | None,
    client_ip: str = "",
) -> ParentSituation:
    """A parent's situation from `since` on; the one in force ends that day. Same situation → no change."""
    if parent not in ParentSituation.Parent.values:
        raise ChildFileError(f"父/母：“{parent}”应为 父亲 或 母亲")
    if situation not in Situation.values:
        raise ChildFileError(f"情形：“{situation}”不在可选范围内")
    if source not in Source.values:
        raise ChildFileError(f"来源：“{source}”不在可选范围内")
    if since > timezone.localdate():
        raise ChildFileError(f"起始日期：{since} 晚于今天")
    ChildFile.objects.select_for_update().filter(pk=child.pk).first()  # one writer per child at a time
    now = _current(child, parent, since)
    if now is not None and now.situation == situation:
        return now
    person = parent_person or (now.parent_person if now else None) or _last_person(child, parent)
    if now is not None:
        ParentSituation.objects.filter(pk=now.pk).update(until=since)
    row = ParentSituation.objects.create(
        child=child,
        parent=parent,
        parent_person=person,
        situation=situation,
        evidence=evidence[:300],
        source=source,
        feed_key=feed_key,
        since=since,
        recorded_by=actor,
    )
    label = f"{row.get_parent_display()}：{row.get_situation_display()}（{since} 起，{row.get_source_display()}）"
    _audit(actor, "update", child, f"记录儿童档案父母情形 {label}", client_ip, situation=row.pk)
    categories.recompute([child])
    return row


def _last_person(child: ChildFile, parent: str) -> Person | None:
    row = ParentSituation.objects.filter(child=child, parent=parent, parent_person__isnull=False).order_by("-since")
    found = row.select_related("parent_person").first()
    return found.parent_person if found else None


@transaction.atomic
def guardian_record(
    child: ChildFile,
    *,
    relation: str,
    since: dt.date,
    person: Person | None = None,
    name: str = "",
    id_number: str = "",
    phone: str = "",
    is_primary: bool = True,
    actor: Actor,
    client_ip: str = "",
) -> Guardian:
    if relation not in Guardian.Relation.values:
        raise ChildFileError(f"与儿童关系：“{relation}”不在可选范围内")
    if person is None and not name.strip():
        raise ChildFileError("监护人：请选择户籍人员或填写姓名")
    if is_primary:
        child.guardians.filter(is_primary=True, until__isnull=True).update(is_primary=False)
    guardian = Guardian.objects.create(
        child=child,
        person=person,
        name="" if person else name.strip(),
        id_number="" if person else id_number.strip(),
        phone=phone.strip(),
        relation=relation,
        since=since,
        is_primary=is_primary,
        created_by=actor,
    )
    _audit(actor, "update", child, f"登记监护人 {guardian}", client_ip, guardian=guardian.pk)
    return guardian


FILE_FIELDS = (
    "in_school",
    "school_name",
    "grade",
    "full_time_until",
    "health",
    "disability_category",
    "disability_grade",
    "guardian_missing",
)


@transaction.atomic
def child_file_update(child: ChildFile, *, actor: Actor | None, client_ip: str = "", **values: Any) -> ChildFile:
    """School, health and disability, and the 儿童主任's 监护缺失 finding."""
    unknown = set(values) - set(FILE_FIELDS)
    if unknown:
        raise ChildFileError(f"不能修改的字段：{'、'.join(sorted(unknown))}")
    changed = {k: (getattr(child, k), v) for k, v in values.items() if getattr(child, k) != v}
    if not changed:
        return child
    for key, (_, new) in changed.items():
        setattr(child, key, new)
    child.save(update_fields=[*changed, "updated_at"])
    fields = {k: [str(o), str(n)] for k, (o, n) in changed.items()}
    _audit(actor, "update", child, f"修改儿童档案 {'、'.join(changed)}", client_ip, fields=fields)
    categories.recompute([child])
    return child


def child_file_read(child: ChildFile, *, actor: Actor, client_ip: str = "") -> ChildFile:
    """Every read of a child's file leaves an audit row (一人一档: who looked, when)."""
    _audit(actor, "view", child, f"查看儿童档案 #{child.pk}", client_ip)
    return child


def child_files_exported(*, actor: Actor, name: str, rows: int, filters: dict[str, str], client_ip: str = "") -> None:
    audit_record(
        actor=actor,
        action="export",
        object_type="child_file_export",
        object_id=name,
        summary=f"导出儿童档案名册 {rows} 条",
        client_ip=client_ip,
        data={"filters": filters, "rows": rows},
    )
