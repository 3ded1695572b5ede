"""Excel export of the 核对工作清单: masked unless the role may unmask and gives a reason; always audited."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from minzheng.accounts.access import can_unmask
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.masking import mask_id_number
from minzheng.core.sheets import Sheet, write_xlsx
from minzheng.registry.models import Person
from minzheng.verification.models import WorklistItem

COLUMNS = [
    "类型",
    "户编号",
    "区划代码",
    "姓名",
    "公民身份号码",
    "说明",
    "数据时点",
    "状态",
    "处理人",
    "处理时间",
    "处理说明",
]
EXPORT_LIMIT = 20_000


class ExportRefused(Exception):
    pass


def _row(item: Any, person: Any, full: bool) -> list[Any]:
    """One 待办 of the worklist as a sheet row; `person` is the member it names, if any."""
    number = person.id_number if person else ""
    handled = timezone.localtime(item.resolved_at).strftime("%Y-%m-%d %H:%M") if item.resolved_at else ""
    return [
        dict(WorklistItem.Kind.choices).get(item.kind, item.kind),
        item.data.get("household_no", ""),
        item.division_code,
        person.name if person else "",
        number if full else mask_id_number(number) if number else "",
        item.data.get("detail", ""),
        item.data.get("as_of", ""),
        item.get_status_display(),
        str(item.resolved_by) if item.resolved_by else "",
        handled,
        item.resolution if item.status != "open" else "",
    ]


@transaction.atomic
def worklist_export(
    *,
    actor: Any,
    items: Any,
    filters: dict[str, str],
    full_numbers: bool = False,
    reason: str = "",
    client_ip: str = "",
) -> Path:
    """Write the (already scoped) items to an .xlsx under EXPORTS_DIR and record the export."""
    reason = reason.strip()
    if full_numbers and not can_unmask(actor):
        raise ExportRefused("您的角色不能导出完整身份号码")
    if full_numbers and not reason:
        raise ExportRefused("导出完整身份号码须填写事由")
    rows = list(items[:EXPORT_LIMIT])
    persons = Person.objects.in_bulk([i.data.get("person_id") for i in rows if i.data.get("person_id")])
    settings.EXPORTS_DIR.mkdir(parents=True, exist_ok=True)
    path = settings.EXPORTS_DIR / f"核对工作清单-{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex[:8]}.xlsx"
    text = dict.fromkeys(range(len(COLUMNS)), "@")  # identity numbers stay text, never 3.30212E+17
    cells = ([str(v) for v in _row(item, persons.get(item.data.get("person_id")), full_numbers)] for item in rows)
    widths = [(0, 4, 18), (5, 5, 80), (6, len(COLUMNS) - 1, 14)]
    write_xlsx(path, [Sheet("核对工作清单", COLUMNS, cells, formats=text, widths=widths)])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="worklist",
        object_id=path.name,
        summary=f"导出核对工作清单 {len(rows)} 条" + ("（完整身份号码）" if full_numbers else "（身份号码脱敏）"),
        reason=reason,
        client_ip=client_ip,
        data={"filters": filters, "rows": len(rows), "full_numbers": full_numbers},
    )
    return path
