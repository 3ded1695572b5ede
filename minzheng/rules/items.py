"""应享未享 / 不应享而享 on the 待办: each run's findings become WorkItems; the worklist page lists them.

One state: a finding is settled on its WorkItem (by hand, by drafting an application, by opening a
停保复核), from 我的待办 or from the worklist page alike. The same fact (kind, policy, household,
person) keeps one WorkItem across runs, so what a caseworker settled stays settled next month; a
fact the next run no longer finds is closed by the run.
"""

from __future__ import annotations

from minzheng.core.masking import mask_name
from minzheng.registry.models import Household, Person
from minzheng.rules.models import EligibilityRun, WorklistItem
from minzheng.workitems.services import KIND_LABELS, ItemSpec, field_by_pk, items_sync

SOURCE = "rules_worklist"
KINDS = {WorklistItem.Kind.MISSING.value: "应享未享（预判）", WorklistItem.Kind.UNDUE.value: "不应享而享（预判）"}
KIND_LABELS.update(KINDS)


def fingerprint(row: WorklistItem) -> str:
    return f"rules:{row.kind}:{row.policy_id}:{row.household_id}:{row.person_id or 0}"


def specs(rows: list[WorklistItem]) -> list[ItemSpec]:
    """The 待办 for these findings: masked name in the title; the finding itself in `data`."""
    numbers = field_by_pk(Household, (r.household_id for r in rows), "household_no")
    names = field_by_pk(Person, (r.person_id for r in rows if r.person_id), "name")
    out = []
    for row in rows:
        household_no = numbers.get(row.household_id, "")
        who = mask_name(names[row.person_id]) if row.person_id in names else household_no
        out.append(
            ItemSpec(
                source=SOURCE,
                kind=row.kind,
                title=f"{KINDS[row.kind]}：{row.policy_name}，{who}（户 {household_no}）",
                subject_type="household",
                subject_id=str(row.household_id),
                division_code=row.division_code,
                role="town_officer",
                fingerprint=fingerprint(row),
                data={
                    "policy_id": row.policy_id,
                    "policy_name": row.policy_name,
                    "person_id": row.person_id,
                    "entity": row.entity,
                    "household_no": household_no,
                    "amount_fen": row.amount_fen,
                    "reason": row.reason,
                    "run": row.run_id,
                    "link": f"/registry/households/{row.household_id}/",
                },
            )
        )
    return out


def sync_county(run: EligibilityRun, county: str, rows: list[WorklistItem]) -> dict[str, int]:
    """The county's part of the run, on the 待办: its findings open (or stay settled), the rest close."""
    scope = county if county.startswith(run.region_code) else run.region_code  # the narrower of the two
    return items_sync(SOURCE, specs(rows), within=scope, resolution=f"{run.as_of} 的判定不再列出，自动办结")
