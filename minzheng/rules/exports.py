"""Excel export of the 应享未享 / 不应享而享 worklist. Masked, scoped, audited."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.sheets import Sheet, write_xlsx
from minzheng.rules.selectors import WorklistRow, worklist_items

COLUMNS = [
    "类型",
    "政策",
    "户编号",
    "区划代码",
    "姓名",
    "公民身份号码（脱敏）",
    "判定金额（元）",
    "判定理由",
    "处理状态",
    "处理说明",
]
EXPORT_LIMIT = 20000


def worklist_export(*, actor: Any, filters: dict[str, str], client_ip: str = "") -> Path:
    """Write the user's worklist (its 待办, as filtered) to an .xlsx under EXPORTS_DIR and record the export."""
    # The file groups by kind (应享未享, then 不应享而享), then village; the page lists in index order.
    items = worklist_items(user=actor, **filters).order_by("kind", "division_code", "subject_id", "id")
    rows = WorklistRow.page(list(items[:EXPORT_LIMIT]))
    settings.EXPORTS_DIR.mkdir(parents=True, exist_ok=True)
    # A screening list (预判), not decisions: the name says so wherever the file travels.
    path = settings.EXPORTS_DIR / f"应享未享清单（预判）-{timezone.localdate():%Y%m%d}-{uuid.uuid4().hex[:8]}.xlsx"
    # Integer fen → yuan for the sheet only; the value written is exact to the fen.
    cells = (
        [r.kind_label, r.policy_name, r.household_no, r.division_code, r.person_name, r.id_number_masked,
         r.amount_fen / 100, r.reason, r.status_label, r.handled]
        for r in rows
    )  # fmt: skip
    widths = [(0, 6, 16), (7, 7, 60), (8, 9, 20)]
    write_xlsx(path, [Sheet("清单（预判）", COLUMNS, cells, formats={6: "0.00"}, widths=widths)])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="eligibility_worklist",
        object_id=path.name,
        summary=f"导出资格判定工作清单 {len(rows)} 条",
        client_ip=client_ip,
        data={**{k: v for k, v in filters.items() if v}, "rows": len(rows)},
    )
    return path
