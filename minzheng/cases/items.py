"""Each open case is on someone's 待办: one item per (case, stage), for the role that acts next."""

from __future__ import annotations

from minzheng.cases.casetypes import case_type
from minzheng.cases.models import Case
from minzheng.core.masking import mask_name
from minzheng.notifications.services import notify
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import ItemSpec, item_upsert, items_close_by_producer

SOURCE = "case_stage"
KINDS = {"case_stage": "案件待办理"}


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
