"""The 核对工作清单 on the 待办: each finding a batch re-check stores becomes a WorkItem.

The worklist page lists those WorkItems, so a finding is settled in one place (here, on 我的待办,
or by opening a 停保复核) and shows the same everywhere. A finding is a fact that stays true (a
death, a vehicle bought): no later run closes it; only a person does.
"""

from __future__ import annotations

from minzheng.verification.models import BatchRun, WorklistItem
from minzheng.workitems.services import KIND_LABELS, ItemSpec, field_by_pk, items_sync

SOURCE = "verification_worklist"
PREFIX = "verification:"
KINDS = {k.value: f"核对发现：{k.label}" for k in WorklistItem.Kind}
KIND_LABELS.update(KINDS)


def spec(row: WorklistItem, run: BatchRun, household_no: str, person_name: str) -> ItemSpec:
    from minzheng.core.masking import mask_name

    who = mask_name(person_name) if person_name else household_no
    return ItemSpec(
        source=SOURCE,
        kind=row.kind,
        title=f"{row.get_kind_display()}：{who}（户 {household_no}）",
        subject_type="household",
        subject_id=str(row.household_id),
        division_code=row.division_code,
        role="town_officer",
        fingerprint=PREFIX + row.fingerprint,
        data={
            "household_no": household_no,
            "person_id": row.person_id,
            "detail": row.detail[:500],
            "as_of": run.as_of.isoformat(),
            "run": run.pk,
            "link": f"/registry/households/{row.household_id}/",
        },
    )


def sync_new(run: BatchRun, rows: list[WorklistItem]) -> None:
    """The run's new findings open on the 待办 of the towns concerned (in the run's transaction)."""
    from minzheng.registry.models import Household, Person

    numbers = field_by_pk(Household, (r.household_id for r in rows), "household_no")
    names = field_by_pk(Person, (r.person_id for r in rows if r.person_id), "name")
    specs = [spec(r, run, numbers.get(r.household_id, ""), names.get(r.person_id or 0, "")) for r in rows]
    items_sync(SOURCE, specs, within=None)
