"""The 核对工作清单 on everyone's 待办: each pending worklist row is mirrored as a WorkItem.

A batch re-check writes worklist rows; `refresh("verification_worklist")` then makes the 待办
table agree (new rows open, handled rows closed). Settling the WorkItem (by hand or by opening a
停保复核) marks the worklist row handled with the same note, so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from minzheng.core.masking import mask_name
from minzheng.verification.models import WorklistItem
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import ItemSpec, items_close_by_producer, producer

SOURCE = "verification_worklist"
PREFIX = "verification:"


@producer(SOURCE, {k.value: f"核对发现：{k.label}" for k in WorklistItem.Kind})
def pending_worklist() -> Iterator[ItemSpec]:
    rows = WorklistItem.objects.filter(status=WorklistItem.Status.PENDING).select_related("household", "person")
    for row in rows.iterator(chunk_size=2000):
        who = mask_name(row.person.name) if row.person else row.household.household_no
        yield ItemSpec(
            source=SOURCE,
            kind=row.kind,
            title=f"{row.get_kind_display()}：{who}（户 {row.household.household_no}）",
            subject_type="household",
            subject_id=str(row.household_id),
            division_code=row.division_code,
            role="town_officer",
            fingerprint=PREFIX + row.fingerprint,
            data={"worklist_item": row.pk, "household_no": row.household.household_no, "detail": row.detail[:200]},
        )


def on_resolve(item: WorkItem, actor: Any, client_ip: str) -> None:
    """The worklist row follows its 待办."""
    from minzheng.verification.services import worklist_mark_handled

    row = WorklistItem.objects.filter(fingerprint=item.fingerprint.removeprefix(PREFIX)).first()
    if row is not None and row.status == WorklistItem.Status.PENDING:
        worklist_mark_handled(actor=actor, item=row, note=item.resolution, client_ip=client_ip)


def worklist_row_handled(row: WorklistItem) -> None:
    """The 待办 follows its worklist row when the row is handled on the worklist page."""
    items_close_by_producer([PREFIX + row.fingerprint], f"已在核对工作清单处理：{row.handled_note}")
