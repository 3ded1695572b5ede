"""Scheduled work of cases (run by the worker `minzheng serve` starts, never by a page).

Daily: remind the acting role of stages past their deadline, and tell the approver when a
公示 has ended (objections answered or not) so the case can be decided.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.cases.models import Case, Publicity
from minzheng.notifications.services import notify
from minzheng.workitems.models import WorkItem


def overdue_reminders(today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    late = WorkItem.objects.filter(source="case_stage", status=WorkItem.Status.OPEN, due_on__lt=today)
    sent = 0
    for item in late.iterator():
        notify(
            kind="overdue",
            title=f"已超期：{item.title}（期限 {item.due_on}）",
            fingerprint=f"overdue:{item.fingerprint}",
            role=item.role,
            division_code=item.division_code,
            link=f"/cases/{item.data.get('case_no', '')}/",
        )
        sent += 1
    return {"overdue": sent}


def publicity_endings(today: dt.date | None = None) -> dict[str, Any]:
    today = today or timezone.localdate()
    ended = Publicity.objects.filter(ends_on__lt=today, case__status="publicised").select_related("case")
    sent = 0
    for publicity in ended.iterator():
        case: Case = publicity.case
        notify(
            kind="publicity_ended",
            title=f"{case.case_no} 公示期满（{publicity.ends_on}），待审核确认",
            fingerprint=f"publicity_end:{case.pk}",
            role="county_approver",
            division_code=case.division_code,
            link=f"/cases/{case.case_no}/",
        )
        sent += 1
    return {"publicity_ended": sent}
