"""应享未享 / 不应享而享 on everyone's 待办: the latest run's pending rows, mirrored as WorkItems.

The same fact (kind, policy, household, person) keeps one WorkItem across runs. Settling the
WorkItem (by hand, by drafting an application, by opening a 停保复核) marks the worklist row handled.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from minzheng.core.masking import mask_name
from minzheng.rules.models import WorklistItem
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import ItemSpec, items_close_by_producer, producer

SOURCE = "rules_worklist"
KINDS = {WorklistItem.Kind.MISSING.value: "应享未享（预判）", WorklistItem.Kind.UNDUE.value: "不应享而享（预判）"}


def fingerprint(row: WorklistItem) -> str:
    return f"rules:{row.kind}:{row.policy_id}:{row.household_id}:{row.person_id or 0}"


def _latest_rows() -> Any:
    from minzheng.rules.models import EligibilityRun

    done = EligibilityRun.objects.filter(status=EligibilityRun.Status.DONE)
    latest = done.order_by("-finished_at", "-id").values_list("pk", flat=True).first()
    return WorklistItem.objects.filter(run_id=latest, status=WorklistItem.Status.PENDING)


@producer(SOURCE, KINDS)
def pending_worklist() -> Iterator[ItemSpec]:
    for row in _latest_rows().select_related("household", "person").iterator(chunk_size=2000):
        who = mask_name(row.person.name) if row.person else row.household.household_no
        yield ItemSpec(
            source=SOURCE,
            kind=row.kind,
            title=f"{KINDS[row.kind]}：{row.policy_name}，{who}（户 {row.household.household_no}）",
            subject_type="household",
            subject_id=str(row.household_id),
            division_code=row.division_code,
            role="town_officer",
            fingerprint=fingerprint(row),
            data={
                "worklist_item": row.pk,
                "policy_id": row.policy_id,
                "person_id": row.person_id,
                "household_no": row.household.household_no,
                "amount_fen": row.amount_fen,
            },
        )


def on_resolve(item: WorkItem, actor: Any, client_ip: str) -> None:
    from minzheng.rules.services import worklist_mark_handled

    row = WorklistItem.objects.filter(pk=item.data.get("worklist_item"), status=WorklistItem.Status.PENDING).first()
    if row is not None:
        worklist_mark_handled(actor=actor, item=row, note=item.resolution, client_ip=client_ip)


def worklist_row_handled(row: WorklistItem) -> None:
    items_close_by_producer([fingerprint(row)], f"已在应享未享清单处理：{row.handled_note}")
