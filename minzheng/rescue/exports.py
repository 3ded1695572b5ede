"""Excel export of a ledger through core.sheets (cells neutralised), identity numbers and phones masked, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from minzheng.audit.services import audit_record
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.rescue import access
from minzheng.rescue.models import LedgerEntry
from minzheng.rescue.selectors import masked

HEADER = [
    *("姓名", "公民身份号码", "联系电话", "区划代码", "所在地", "高风险标记"),
    *("入账日期", "下次回访", "最近回访", "最近回访结果"),
]


def _row(entry: LedgerEntry, names: dict[str, str]) -> list[Any]:
    m = masked(entry)
    last = entry.followups.first()  # FollowUp is ordered newest first
    return [
        entry.name,
        m["id_number"],
        m["phone"],
        entry.division_code,
        names.get(entry.division_code, ""),
        "、".join(m["risks"]),
        entry.entered_on,
        entry.next_due_on,
        last.visited_on if last else "",
        last.get_outcome_display() if last else "未回访",
    ]


def ledger_xlsx(user: Any, kind: str, *, client_ip: str = "") -> tuple[str, bytes]:
    """(file name, bytes) of the open entries of one ledger the user may see."""
    from minzheng.divisions.models import Division

    label = LedgerEntry.Kind(kind).label
    entries = list(
        access.entries_visible_to(user)
        .filter(kind=kind, closed_on__isnull=True)
        .prefetch_related("followups")
        .order_by("division_code", "pk")
    )
    codes = {e.division_code for e in entries}
    names = dict(Division.objects.filter(code__in=codes).values_list("code", "name"))
    rows = [_row(e, names) for e in entries]
    data = xlsx_bytes([Sheet(title=label, header=HEADER, rows=rows, formats={1: "@", 2: "@", 3: "@"})])
    with transaction.atomic():
        audit_record(
            actor=user,
            action="export",
            object_type="rescue_export",
            object_id=kind,
            summary=f"导出{label}台账 {len(rows)} 人（身份号码、电话已脱敏）",
            client_ip=client_ip,
            data={"kind": kind, "rows": len(rows), "jurisdiction": user.jurisdiction},
        )
    return f"{label}台账.xlsx", data
