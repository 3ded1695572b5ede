"""Excel export of a registry search. Masked, audited."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.audit.models import AuditEvent
from minzheng.audit.services import audit_record
from minzheng.core.sheets import Sheet, write_xlsx
from minzheng.registry import search, services
from minzheng.registry.selectors import PersonRow

COLUMNS = ["姓名", "性别", "年龄", "公民身份号码（脱敏）", "联系电话（脱敏）", "户编号", "与户主关系", "人员标签"]
EXPORT_LIMIT = 5000


def persons_export(*, actor: User, q: str, client_ip: str = "") -> Path:
    """Write the search results to an .xlsx under EXPORTS_DIR and record the export."""
    if not services.search_allowed(actor):  # an export is a search too: same limit, same refusal of full numbers
        raise services.SearchRateLimited(services.SearchRateLimited.message)
    found = search.person_search(user=actor, q=q, limit=EXPORT_LIMIT)
    persons = found.persons
    today = timezone.localdate()
    settings.EXPORTS_DIR.mkdir(parents=True, exist_ok=True)
    path = settings.EXPORTS_DIR / f"居民查询-{today:%Y%m%d}-{uuid.uuid4().hex[:8]}.xlsx"
    rows = (
        [r.name, r.sex, r.age, r.id_number_masked, r.phone_masked, r.household_no, r.relation, r.tags_text]
        for r in (PersonRow.of(person, today=today) for person in persons)
    )
    write_xlsx(path, [Sheet("居民", COLUMNS, rows, widths=[(0, len(COLUMNS) - 1, 16)])])
    audit_record(
        actor=actor,
        action=AuditEvent.Action.EXPORT,
        object_type="person_search",
        object_id=path.name,
        summary=f"导出居民查询结果 {len(persons)} 人",
        client_ip=client_ip,
        data={"q": search.query_for_audit(found.kind, q), "kind": str(found.kind), "rows": len(persons)},
    )
    return path
