"""Excel exports through core.sheets (cells neutralised), personal data masked, each export audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.audit.services import audit_record
from minzheng.core.sheets import Sheet, xlsx_bytes
from minzheng.governance import selectors

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
QUESTION_HEADER = [
    *("台账编号", "村（社区）", "报告会日期", "类别", "质询内容", "提问人（脱敏）", "状态", "逾期"),
    *("承办", "交办日期", "办理期限", "答复", "重新交办次数", "确认"),
]


def questions_xlsx(user: Any, show: str, *, client_ip: str = "") -> tuple[str, bytes]:
    rows = []
    for r in selectors.question_rows(user, show):
        q = r["q"]
        rows.append(
            [
                q.number, r["place"], q.meeting.held_on, q.get_category_display(), q.text, r["asker"], r["state"],
                "是" if r["overdue"] else "", q.assignee, q.assigned_on, q.due_on, q.answer, q.reopened,
                q.confirmation,
            ]
        )  # fmt: skip
    name = f"阳光报告会问题台账-{timezone.localdate():%Y%m%d}.xlsx"
    data = xlsx_bytes([Sheet("问题台账", QUESTION_HEADER, rows, widths=[(0, 13, 16)])])
    with transaction.atomic():
        audit_record(
            actor=user, action="export", object_type="gov_export", object_id="questions",
            summary=f"导出阳光报告会问题台账 {len(rows)} 条（提问人已脱敏）", client_ip=client_ip,
        )  # fmt: skip
    return name, data


CREDIT_HEADER = ["户编号", "户主（脱敏）", "村（社区）", "积分余额", "累计获得"]


def credit_xlsx(user: Any, *, client_ip: str = "") -> tuple[str, bytes]:
    accounts = selectors.credit_rows(user)
    where = selectors.names({r["a"].division_code for r in accounts})
    rows = [
        [r["a"].household.household_no, r["head"], where.get(r["a"].division_code, ""), r["a"].balance, r["a"].earned]
        for r in accounts
    ]
    name = f"信用积分-{timezone.localdate():%Y%m%d}.xlsx"
    data = xlsx_bytes([Sheet("信用积分", CREDIT_HEADER, rows, formats={0: "@"}, widths=[(0, 4, 16)])])
    with transaction.atomic():
        audit_record(
            actor=user, action="export", object_type="gov_export", object_id="credit",
            summary=f"导出信用积分 {len(rows)} 户（户主已脱敏）", client_ip=client_ip,
        )  # fmt: skip
    return name, data
