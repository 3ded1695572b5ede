"""Writes to the holiday table: the chinese-calendar seed and an administrator's import.

An import is all or nothing: every row is checked first, and one bad row (named with
its line and reason) leaves the table as it was. Each year present in the file becomes
settled, so its deadlines stop showing 未核定.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.dates import DateInputError, parse_day
from minzheng.workdays import selectors
from minzheng.workdays.models import CalendarYear, Holiday

# Apps whose stored dates were counted with the table register here (from their AppConfig.ready):
# each hook takes the actor and returns a queued Job that recounts them (cases' deadlines).
AFTER_CHANGE: list[Any] = []


def after_change(actor: Any) -> list[Any]:
    """The follow-up jobs of a holiday change, queued; the caller runs them (CLI) or starts them (page)."""
    return [hook(actor) for hook in AFTER_CHANGE]


KINDS = {"休": Holiday.Kind.REST, "班": Holiday.Kind.WORK, "rest": Holiday.Kind.REST, "work": Holiday.Kind.WORK}
HEADERS = ("日期", "类型", "名称")


class HolidayImportError(ValueError):
    """The file cannot be imported; `errors` lists each bad row in Chinese."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("；".join(errors[:5]))
        self.errors = errors


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    years: list[int] = field(default_factory=list)


def seed_rows() -> list[tuple[dt.date, str, str]]:
    """Every 休/班 day chinese-calendar knows (the State Council's notices, 2004 onwards)."""
    from chinese_calendar import constants

    rows = [(day, Holiday.Kind.REST, _name(name)) for day, name in constants.holidays.items()]
    rows += [(day, Holiday.Kind.WORK, _name(name)) for day, name in constants.workdays.items()]
    return sorted(rows)


_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


def _name(english: str) -> str:
    return _NAMES.get(str(english), str(english))


def seed_from_chinese_calendar() -> ImportResult:
    """Idempotent: days already present (possibly corrected by an administrator) are kept."""
    import chinese_calendar

    source = f"chinese-calendar {chinese_calendar.__version__}"
    rows = seed_rows()
    existing = set(Holiday.objects.values_list("day", flat=True))
    new = [Holiday(day=d, kind=k, name=n, source=source) for d, k, n in rows if d not in existing]
    Holiday.objects.bulk_create(new, batch_size=500)
    years = sorted({d.year for d, _, _ in rows})
    for year in range(years[0], years[-1] + 1):
        CalendarYear.objects.get_or_create(year=year, defaults={"source": source})
    selectors.invalidate()
    return ImportResult(rows=len(rows), created=len(new), unchanged=len(rows) - len(new), years=years)


def parse_rows(records: Iterable[dict[str, Any]]) -> list[tuple[dt.date, str, str]]:
    """Check every row; raise HolidayImportError naming each bad one (line numbers count the header as 1)."""
    parsed: list[tuple[dt.date, str, str]] = []
    errors: list[str] = []
    seen: set[dt.date] = set()
    for line, record in enumerate(records, start=2):
        raw_kind = str(record.get("类型") or "").strip()
        try:
            day = parse_day(record.get("日期"), "日期")
        except DateInputError as exc:
            errors.append(f"第 {line} 行：{exc}")
            continue
        if raw_kind not in KINDS:
            errors.append(f"第 {line} 行：类型“{raw_kind}”应为“休”或“班”")
        elif day in seen:
            errors.append(f"第 {line} 行：日期 {day} 在文件中重复")
        else:
            seen.add(day)
            parsed.append((day, KINDS[raw_kind], str(record.get("名称") or "").strip()[:40]))
    if errors:
        raise HolidayImportError(errors)
    return parsed


def holidays_import(*, path: Path, actor: Actor | None, client_ip: str = "") -> ImportResult:
    """Import an administrator's file (columns 日期, 类型 (休/班), 名称); all rows or none."""
    from minzheng.core.tabular import TabularError, missing_headers, open_table

    try:
        with open_table(path) as table:
            missing = missing_headers(table.headers, list(HEADERS[:2]))
            if missing:
                raise HolidayImportError([f"缺少必填列：{'、'.join(missing)}（应有列：日期, 类型, 名称）"])
            records = [dict(zip(table.headers, row, strict=False)) for row in table.rows]
    except TabularError as exc:
        raise HolidayImportError([str(exc)]) from exc
    rows = parse_rows(records)
    return _apply(rows, source=f"导入：{path.name}"[:80], actor=actor, client_ip=client_ip)


@transaction.atomic
def _apply(rows: list[tuple[dt.date, str, str]], *, source: str, actor: Actor | None, client_ip: str) -> ImportResult:
    result = ImportResult(rows=len(rows), years=sorted({d.year for d, _, _ in rows}))
    current = {h.day: h for h in Holiday.objects.filter(day__in=[d for d, _, _ in rows])}
    for day, kind, name in rows:
        old = current.get(day)
        if old is None:
            Holiday.objects.create(day=day, kind=kind, name=name, source=source)
            result.created += 1
        elif (old.kind, old.name) != (kind, name):
            old.kind, old.name, old.source = kind, name, source
            old.save(update_fields=["kind", "name", "source", "changed_at"])
            result.updated += 1
        else:
            result.unchanged += 1
    for year in result.years:
        CalendarYear.objects.update_or_create(year=year, defaults={"source": source})
    audit_record(
        actor=actor,
        action="import",
        object_type="holiday",
        summary=f"节假日表导入 {result.rows} 行：新增 {result.created}，修改 {result.updated}，年份 {result.years}",
        client_ip=client_ip,
    )
    # Now for this transaction's own reads, and again once committed for the next ones.
    selectors.invalidate()
    transaction.on_commit(selectors.invalidate)
    return result
