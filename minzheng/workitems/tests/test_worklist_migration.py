"""The two worklists' follow-up moved onto the 待办 (rules 0005, verification 0005): nothing settled is lost.

The database is taken back to before the move, rows are written the old way (a handled row, a
pending row without a 待办), and the migrations run forward: each row's state is on its WorkItem.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from minzheng.testing import VILLAGE_A, load_test_divisions, make_household

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("rules", "0004_summary_undecided"), ("verification", "0004_feeddelivery")]
AFTER = [("rules", "0005_worklist_on_workitems"), ("verification", "0005_worklist_on_workitems")]


def _migrate(targets: list[tuple[str, str]]) -> object:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_handled_rows_become_settled_items_and_pending_rows_open_ones() -> None:
    load_test_divisions()
    household, people = make_household()
    old = _migrate(BEFORE)
    # Accounts as they are now (the old state's User is the 0001 one; its table is not rolled back).
    from minzheng.accounts.models import User

    officer = User.objects.create(username="old_officer", role="town_officer", jurisdiction=VILLAGE_A[:9])
    eligibility_run = old.get_model("rules", "EligibilityRun")  # type: ignore[attr-defined]
    rules_row = old.get_model("rules", "WorklistItem")  # type: ignore[attr-defined]
    run = eligibility_run.objects.create(as_of=dt.date(2026, 11, 1), status="done", finished_at=timezone.now())
    common = {"run": run, "household_id": household.pk, "division_code": VILLAGE_A, "policy_name": "最低生活保障"}
    handled = {"status": "handled", "handled_by_id": officer.pk, "handled_at": timezone.now()}
    rules_row.objects.create(kind="undue", policy_id="dibao", person_id=people[0].pk, handled_note="已停发",
                             **handled, **common)  # fmt: skip
    rules_row.objects.create(kind="missing", policy_id="tekun", person_id=people[1].pk, **common)
    batch_run = old.get_model("verification", "BatchRun")  # type: ignore[attr-defined]
    verification_row = old.get_model("verification", "WorklistItem")  # type: ignore[attr-defined]
    batch = batch_run.objects.create(as_of=dt.date(2026, 11, 1), status="done")
    verification_row.objects.create(run=batch, kind="new_death", household_id=household.pk, person_id=people[0].pk,
                                    division_code=VILLAGE_A, detail="火化", fingerprint="d1", handled_note="已核实",
                                    **handled)  # fmt: skip
    verification_row.objects.create(run=batch, kind="new_vehicle", household_id=household.pk, division_code=VILLAGE_A,
                          detail="小型轿车", fingerprint="v1")  # fmt: skip

    new = _migrate(AFTER)
    work_item = new.get_model("workitems", "WorkItem")  # type: ignore[attr-defined]
    state = {w.fingerprint: (w.status, w.resolution, w.resolved_by_id) for w in work_item.objects.all()}
    assert state == {
        f"rules:undue:dibao:{household.pk}:{people[0].pk}": ("resolved", "已停发", officer.pk),
        f"rules:missing:tekun:{household.pk}:{people[1].pk}": ("open", "", None),
        "verification:d1": ("resolved", "已核实", officer.pk),
        "verification:v1": ("open", "", None),
    }
    item = work_item.objects.get(fingerprint="verification:v1")
    assert item.data["household_no"] == household.household_no and item.division_code == VILLAGE_A
    # Forward again from the end state: nothing to do, nothing changes.
    _migrate(AFTER)
    assert work_item.objects.count() == 4
