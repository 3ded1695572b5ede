"""救助管理 on the 待办: stays past the limit without a reason (the station), missed follow-ups (the town),
and referrals when a follow-up finds need (the town, with a one-click draft of a 低保/特困 application).

The first two are producers (state: refreshed, closed when the fact is gone); a referral is an event,
kept under its own source so a refresh never closes it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from minzheng.core.masking import mask_name
from minzheng.rescue import params
from minzheng.rescue.models import FollowUp, LedgerEntry, Stay
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import KIND_LABELS, ItemSpec, WorkItemError, action, item_upsert, producer, refresh

STAY_SOURCE = "rescue_stay"
FOLLOWUP_SOURCE = "rescue_followup"
REFERRAL_SOURCE = "rescue_referral"
# 低保/特困 referrals carry the one-click draft; a care referral is settled by hand, so it is its own kind.
KIND_LABELS.update({"rescue_referral": "救助回访转介", "rescue_care": "救助回访转介（照料）"})


@producer(STAY_SOURCE, {"rescue_stay_over": "救助超期未说明"})
def stays_over_limit() -> Iterator[ItemSpec]:
    """One item per stay past the limit with no recorded reason; recording the reason closes it."""
    today = timezone.localdate()
    for stay in Stay.objects.filter(status="admitted", over_limit_reason="").order_by("pk"):
        limit = params.param_days(params.STAY_LIMIT, stay.division_code, stay.admitted_on)
        last_day = stay.admitted_on + dt.timedelta(days=limit - 1)
        if today <= last_day:
            continue
        yield ItemSpec(
            source=STAY_SOURCE,
            kind="rescue_stay_over",
            title=f"{mask_name(stay.display_name)} 在站已超过 {limit} 日，请登记延长理由或安排离站",
            subject_type="rescue_stay",
            subject_id=str(stay.pk),
            division_code=stay.division_code,
            role="rescue_staff",
            fingerprint=f"rescue:stay:{stay.pk}",
            due_on=last_day,
            data={
                "admitted_on": stay.admitted_on.isoformat(),
                "limit_days": limit,
                "link": f"/rescue/stays/{stay.pk}/",
            },
        )


@producer(FOLLOWUP_SOURCE, {"rescue_followup_missed": "救助回访逾期"})
def followups_missed() -> Iterator[ItemSpec]:
    """One item per open ledger entry whose follow-up is overdue past the grace days (the town follows it up)."""
    today = timezone.localdate()
    open_entries = LedgerEntry.objects.filter(closed_on__isnull=True, next_due_on__lt=today).order_by("pk")
    for entry in open_entries:
        grace = params.param_days(params.GRACE, entry.division_code, entry.next_due_on)
        if today <= entry.next_due_on + dt.timedelta(days=grace):
            continue
        yield ItemSpec(
            source=FOLLOWUP_SOURCE,
            kind="rescue_followup_missed",
            title=f"{entry.get_kind_display()} {mask_name(entry.name)} 应于 {entry.next_due_on} 回访，尚未回访",
            subject_type="rescue_entry",
            subject_id=str(entry.pk),
            division_code=entry.division_code,
            role="town_officer",
            # The due date is in the print: a follow-up moves it, so the next miss is a new item.
            fingerprint=f"rescue:followup:{entry.pk}:{entry.next_due_on.isoformat()}",
            due_on=entry.next_due_on,
            data={"kind": entry.kind, "link": f"/rescue/ledger/{entry.pk}/"},
        )


def refresh_rescue_items() -> dict[str, dict[str, int]]:
    return {source: refresh(source) for source in (STAY_SOURCE, FOLLOWUP_SOURCE)}


def referral_open(followup: FollowUp) -> WorkItem:
    """A follow-up found need: the town opens a 低保/特困 case (one click) or arranges care."""
    entry = followup.entry
    person = entry.person
    return item_upsert(
        ItemSpec(
            source=REFERRAL_SOURCE,
            kind="rescue_care" if followup.need == FollowUp.Need.CARE else "rescue_referral",
            title=f"{entry.get_kind_display()} {mask_name(entry.name)} 回访发现需要{followup.get_need_display()}",
            subject_type="household" if person else "rescue_entry",
            subject_id=str(person.household_id if person else entry.pk),
            division_code=entry.division_code,
            role="town_officer",
            fingerprint=f"rescue:referral:{followup.pk}",
            due_on=followup.visited_on + dt.timedelta(days=7),
            data={
                "need": followup.need,
                "person_id": person.pk if person else None,
                "entry": entry.pk,
                "link": f"/rescue/ledger/{entry.pk}/",
            },
        )
    )


@action("rescue_draft_case", "起草救助申请", kinds={"rescue_referral"}, roles={"town_officer"})
def _draft_case(item: WorkItem, actor: Any, client_ip: str) -> tuple[str, str]:
    """低保 / 特困 need → a drafted application on the case kernel, for the person to sign (as 应享未享 does)."""
    from minzheng.cases import services as cases
    from minzheng.cases.casetypes import case_type
    from minzheng.registry.models import Household, Person

    need = str(item.data.get("need") or "")
    if need not in ("dibao", "tekun") or item.subject_type != "household":
        raise WorkItemError("照料服务转介不经救助案件办理：请联系相关机构后填写处理结果办结")
    household = Household.objects.get(pk=int(item.subject_id))
    person = Person.objects.filter(pk=item.data.get("person_id"), household=household).first()
    opening = cases.Opening(
        need, household, timezone.localdate(), applicant=person, draft=True, drafted_from=item.fingerprint[:64]
    )
    try:
        case = cases.case_open(opening, actor=actor, client_ip=client_ip)
    except cases.CaseError as exc:
        raise WorkItemError(str(exc)) from None
    return f"已起草{case_type(need).name}申请 {case.case_no}，待申请人签字后受理", f"/cases/{case.case_no}/"
