"""Division writes: import a 区划代码/名称 table, load the shipped reference data."""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from minzheng.accounts.types import Actor
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.tabular import TabularError, missing_headers, open_table
from minzheng.divisions import codes
from minzheng.divisions.models import Division

BUILTIN = codes.BUILTIN
REQUIRED = ["区划代码", "名称"]


@dataclass
class DivisionImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _parse_rows(rows: list[list[str]], idx_code: int, idx_name: int) -> tuple[dict[str, str], list[str]]:
    parsed: dict[str, str] = {}
    errors: list[str] = []
    for lineno, row in enumerate(rows, start=2):
        try:
            code = codes.normalize(row[idx_code])
        except codes.DivisionCodeError as exc:
            errors.append(f"第 {lineno} 行：{exc}")
            continue
        name = row[idx_name].strip()
        if not name:
            errors.append(f"第 {lineno} 行：名称为空")
            continue
        parsed[code] = name
    return parsed, errors


def divisions_upsert(entries: dict[str, str]) -> DivisionImportResult:
    """Insert or rename divisions; level and parent come from the code."""
    result = DivisionImportResult(rows=len(entries))
    existing = dict(Division.objects.filter(code__in=list(entries)).values_list("code", "name"))
    new, renamed = [], []
    for code, name in entries.items():
        if code not in existing:
            new.append(Division(code=code, name=name, level=codes.level_of(code), parent_id=codes.parent_of(code)))
        elif existing[code] != name:
            renamed.append(Division(code=code, name=name))
    Division.objects.bulk_create(new, batch_size=2000)
    Division.objects.bulk_update(renamed, ["name"], batch_size=2000)
    result.created, result.updated = len(new), len(renamed)
    result.unchanged = len(entries) - len(new) - len(renamed)
    return result


def divisions_import(*, path: Path, actor: Actor | None, client_ip: str = "") -> DivisionImportResult:
    """Import a CSV/XLSX with 区划代码, 名称. Any bad row fails the whole file."""
    with open_table(path) as table:
        missing = missing_headers(table.headers, REQUIRED)
        if missing:
            raise TabularError(f"缺少必填列：{'、'.join(missing)}")
        rows = list(table.rows)
        headers = table.headers
    parsed, errors = _parse_rows(rows, headers.index("区划代码"), headers.index("名称"))
    if errors:
        return DivisionImportResult(rows=len(rows), errors=errors)
    with transaction.atomic():
        result = divisions_upsert(parsed)
        result.rows = len(rows)
        audit_record(
            actor=actor,
            action=AuditEvent.Action.IMPORT,
            object_type="division",
            object_id=path.name,
            summary=f"导入区划 {result.rows} 行：新增 {result.created}，更新 {result.updated}",
            client_ip=client_ip,
        )
    return result


def divisions_load_builtin() -> DivisionImportResult:
    """Load the shipped NBS 2023 table (all counties; towns and villages of Zhejiang)."""
    with gzip.open(BUILTIN, "rt", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        entries = dict(reader)
    with transaction.atomic():
        return divisions_upsert(entries)
