"""Each open case is on someone's 待办: one item per (case, stage), for the role that acts next."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from minzheng.cases.casetypes import case_type
from minzheng.cases.models import Case
from minzheng.core.masking import mask_name
from minzheng.notifications.services import notify
from minzheng.registry.models import Household, PersonTag
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import (
    KIND_LABELS,
    ItemSpec,
    WorkItemError,
    action,
    item_upsert,
    items_close_by_producer,
)

SOURCE = "case_stage"
KIND_LABELS.update({"case_stage": "救助案件"})  # the 待办 page's tab and column name this kind in Chinese


def _fingerprint(case: Case, stage: str) -> str:
    return f"case:{case.pk}:{stage}"


# The item goes to whoever takes the main path's next step (the first declared): where that step is
# open to several roles, the county decides unless it delegated, and the town's window acts before the village.
ROLE_ORDER = ("county_approver", "town_officer", "village_worker")


def _next_role(case: Case) -> str:
    steps = [t for t in case_type(case.case_type).machine.allowed_from(case.status) if t.target != "withdrawn"]
    roles = steps[0].roles if steps else frozenset()
    return next((r for r in ROLE_ORDER if r in roles), min(roles, default="town_officer"))


def stage_item_sync(case: Case) -> None:
    """Close the items of earlier stages; open (or update) the one for the current stage."""
    machine = case_type(case.case_type).machine
    previous = WorkItem.objects.filter(source=SOURCE, subject_type="case", subject_id=str(case.pk))
    current = _fingerprint(case, case.status)
    stale = [fp for fp in previous.values_list("fingerprint", flat=True) if fp != current]
    items_close_by_producer(stale, f"已办理，进入「{machine.state_label(case.status)}」")
    if machine.states[case.status].final:
        return
    who = mask_name(case.applicant.name) if case.applicant else case.household.household_no
    nxt = [t.action for t in machine.allowed_from(case.status) if t.target != "withdrawn"]
    item = item_upsert(
        ItemSpec(
            source=SOURCE,
            kind="case_stage",
            title=f"{case.case_no} {who} {case_type(case.case_type).name}：待{'/'.join(nxt)}",
            subject_type="case",
            subject_id=str(case.pk),
            division_code=case.division_code,
            role=_next_role(case),
            fingerprint=current,
            due_on=case.stage_due_on,
            data={"case_no": case.case_no, "stage": case.status},
        )
    )
    notify(
        kind="stage_assigned",
        title=item.title,
        fingerprint=f"assigned:{current}",
        role=item.role,
        division_code=item.division_code,
        link=f"/cases/{case.case_no}/",
    )


# --- one-click actions on other queues' 待办 -----------------------------------------------------

# What verification may find that can end a benefit (核对工作清单 kinds); 不应享而享 from the rules worklist.
STOP_KINDS = {
    "new_death",
    "public_payroll",
    "prison",
    "new_vehicle",
    "new_real_estate",
    "new_enterprise",
    "income_change",
}
BENEFIT_TAGS = {"dibao", "dibao_edge", "tekun"}


@action("open_stop_review", "开启停保复核", kinds=STOP_KINDS | {"undue"}, roles={"town_officer"})
def _open_stop_review(item: WorkItem, actor: Any, client_ip: str) -> tuple[str, str]:
    from minzheng.cases import services

    household = Household.objects.get(pk=int(item.subject_id)) if item.subject_type == "household" else None
    if household is None:
        raise WorkItemError("该待办不是关于一户的，不能开启停保复核")
    if not PersonTag.objects.filter(person__household=household, kind__in=BENEFIT_TAGS).exists():
        raise WorkItemError("该户未享受低保、低保边缘或特困救助，无需停保复核；请直接办结")
    opening = services.Opening("tingbao", household, timezone.localdate(), drafted_from=item.fingerprint[:64])
    try:
        case = services.case_open(opening, actor=actor, client_ip=client_ip)
    except services.CaseError as exc:
        raise WorkItemError(str(exc)) from None
    return f"已开启停保复核 {case.case_no}", f"/cases/{case.case_no}/"


@action("draft_application", "起草申请", kinds={"missing"}, roles={"town_officer", "village_worker"})
def _draft_application(item: WorkItem, actor: Any, client_ip: str) -> tuple[str, str]:
    """应享未享 → a drafted application of the case type that decides this policy, for the household to sign."""
    from minzheng.cases import services
    from minzheng.cases.casetypes import case_types
    from minzheng.registry.models import Person

    policy = str(item.data.get("policy_id") or "")
    ctype = next((t for t in case_types().values() if t.policy == policy and t.applied_for), None)
    if ctype is None:
        raise WorkItemError("这项政策不经社会救助案件办理，请按其业务流程处理后办结")
    household = Household.objects.get(pk=int(item.subject_id))
    person = Person.objects.filter(pk=item.data.get("person_id"), household=household).first()
    opening = services.Opening(
        ctype.id, household, timezone.localdate(), applicant=person, draft=True, drafted_from=item.fingerprint[:64]
    )
    try:
        case = services.case_open(opening, actor=actor, client_ip=client_ip)
    except services.CaseError as exc:
        raise WorkItemError(str(exc)) from None
    return f"已起草{ctype.name}申请 {case.case_no}，待申请人签字后受理", f"/cases/{case.case_no}/"
