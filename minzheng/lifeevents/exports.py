"""Excel export of the event ledger through core.sheets (cells neutralised), names and numbers masked, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.audit.services import audit_record
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.lifeevents import selectors
from minzheng.lifeevents.models import Task
from minzheng.lifeevents.services_tasks import TASK_LABELS

EVENTS = ["编号", "事项", "当事人", "公民身份号码", "区划代码", "来源", "受理日期", "环节", "事项数", "已办结", "逾期"]
TASKS = ["编号", "部门", "事项", "状态", "办结期限", "办结时间", "办理结果"]


def events_xlsx(user: Any, *, client_ip: str = "") -> tuple[str, bytes]:
    rows = selectors.event_rows(user, limit=5000)
    events = [
        [
            r["event"].case.case_no,
            r["event"].get_kind_display(),
            r["name"],
            r["id_number"],
            r["event"].division_code,
            r["event"].source,
            r["event"].case.received_on,
            r["stage"],
            r["event"].total,
            r["event"].done,
            r["overdue"],
        ]
        for r in rows
    ]
    tasks = Task.objects.filter(event__in=[r["event"] for r in rows]).select_related("event__case", "department")
    task_rows = [
        [
            t.event.case.case_no,
            t.department.name,
            t.label,
            TASK_LABELS.get(t.status, t.status),
            t.due_on,
            t.replied_at.date() if t.replied_at else None,
            t.reply,
        ]
        for t in tasks.order_by("event_id", "pk")
    ]
    months = [[m["month"], m["death"], m["birth"], m["marriage"]] for m in selectors.monthly_counts(user)]
    data = xlsx_bytes(
        [
            Sheet(title="一件事台账", header=EVENTS, rows=events, formats={3: "@", 4: "@"}),
            Sheet(title="部门事项", header=TASKS, rows=task_rows),
            Sheet(title="每月办件量", header=["月份", "身后一件事", "出生一件事", "婚育户一件事"], rows=months),
        ]
    )
    with transaction.atomic():
        audit_record(
            actor=user,
            action="export",
            object_type="life_event",
            object_id="export",
            client_ip=client_ip,
            summary=f"导出一件事台账 {len(events)} 件、部门事项 {len(task_rows)} 项（姓名、身份号码已脱敏）",
        )
    return f"一件事台账-{timezone.localdate():%Y%m%d}.xlsx", data
