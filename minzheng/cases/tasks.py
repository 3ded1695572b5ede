"""Scheduled work of cases (run by the worker `minzheng serve` starts, never by a page).

Daily: remind the acting role of stages past their deadline, and tell the approver when a
公示 has ended (objections answered or not) so the case can be decided.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from minzheng.cases.models import Case, Publicity
from minzheng.jobs.services import JobContext, job_enqueue, job_handler
from minzheng.notifications.models import Notification
from minzheng.notifications.services import notify
from minzheng.workitems.models import WorkItem

REMINDER_CHUNK = 1000


def overdue_reminders(today: dt.date | None = None) -> dict[str, Any]:
    """One message per overdue stage item, once: by chunks, skipping those already sent, so a county's
    ten thousand late items take seconds rather than one round trip (and one commit) each."""
    today = today or timezone.localdate()
    late = WorkItem.objects.filter(source="case_stage", status=WorkItem.Status.OPEN, due_on__lt=today).order_by("pk")
    sent, last = 0, 0
    while chunk := list(late.filter(pk__gt=last)[:REMINDER_CHUNK]):
        last = chunk[-1].pk
        fingerprints = {f"overdue:{item.fingerprint}"[:96]: item for item in chunk}
        known = set(
            Notification.objects.filter(fingerprint__in=list(fingerprints)).values_list("fingerprint", flat=True)
        )
        new = [_reminder(fp, item) for fp, item in fingerprints.items() if fp not in known]
        # ignore_conflicts: a concurrent run that wrote the same fact first wins, as notify() would let it.
        Notification.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)
        sent += len(chunk)
    return {"overdue": sent}


def _reminder(fingerprint: str, item: WorkItem) -> Notification:
    return Notification(
        kind="overdue",
        title=f"已超期：{item.title}（期限 {item.due_on}）"[:200],
        fingerprint=fingerprint,
        role=item.role,
        division_code=item.division_code,
        link=f"/cases/{item.data.get('case_no', '')}/"[:200],
    )


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


@job_handler("cases.deadlines_recompute")
def deadlines_recompute_job(ctx: JobContext) -> dict[str, Any]:
    """After a holiday import: recount open cases' deadlines (idempotent, so a re-run is harmless)."""
    from minzheng.cases.deadlines import deadlines_recompute

    recount = deadlines_recompute(actor=None).as_dict()
    ctx.progress(recount["cases"], recount["cases"])
    summary = f"已重算在办案件期限：{recount['cases']} 件，期限变动 {recount['changed']} 件，待办 {recount['items']} 条"
    return {**recount, "summary": summary}


def recount_after_holiday_change(actor: Any) -> Any:
    return job_enqueue(kind="cases.deadlines_recompute", params={}, actor=actor)
