"""Deadlines again after the holiday table changed (a new 国务院办公厅 notice, a correction).

Every open case's deadlines were counted in working days with the table as it was: the stage
deadline from the day its stage was entered (the last history row's `on`), the whole-procedure
deadline from 受理 (`received_on`, with the county's parameter in force then). This recounts
both with the table as it is now, for open cases only (a decided case's deadlines are history),
and moves the due date of the case's open 待办 item with it. Chunks of CHUNK cases, each in its
own transaction, keyed by primary key (no OFFSET): memory stays flat at any size, and an
interrupted run is finished by running it again. Idempotent: a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from django.db import transaction

from minzheng.audit.services import audit_record
from minzheng.cases.casetypes import CaseType, case_type, finals_of_every_type
from minzheng.cases.items import SOURCE
from minzheng.cases.models import Case
from minzheng.workdays.selectors import add_working_days
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import due_date
from minzheng.workitems.models import WorkItem

CHUNK = 2000
FIELDS = ("pk", "case_type", "status", "division_code", "received_on", "due_on", "stage_due_on")


@dataclass
class RecomputeResult:
    cases: int = 0  # open cases looked at
    changed: int = 0  # cases whose stage or whole-procedure deadline moved
    items: int = 0  # open 待办 items whose due date moved with them
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _totals() -> Any:
    """The whole-procedure limit per (type, village, day), read once per run from the parameter table."""
    from minzheng.rules.params_db import DbParamSource

    source = DbParamSource()

    @cache
    def total(type_id: str, division_code: str, received_on: dt.date) -> int:
        ctype: CaseType = case_type(type_id)
        value = source.resolve(ctype.total_param, division_code, received_on)
        return int(value.value) if value is not None else ctype.total_default

    return total


def _stage_entered(ids: list[int]) -> dict[int, dt.date]:
    """The day each case entered its current stage: the `on` of its last history row."""
    rows = (
        TransitionLog.objects.filter(object_type="case", object_id__in=[str(i) for i in ids])
        .order_by("id")
        .values_list("object_id", "on")
    )
    return {int(object_id): on for object_id, on in rows}


def _recount(row: dict[str, Any], entered: dt.date | None, total: Any) -> dict[str, dt.date | None] | None:
    """The case's deadlines with today's table, or None when the case is closed or nothing moved."""
    machine = case_type(row["case_type"]).machine
    state = machine.states.get(row["status"])
    if state is None or state.final:
        return None
    new = {
        "stage_due_on": due_date(state.deadline, entered) if entered else row["stage_due_on"],
        # A draft has no clock yet: its whole-procedure deadline starts at 受理.
        "due_on": (
            add_working_days(row["received_on"], total(row["case_type"], row["division_code"], row["received_on"]))
            if row["due_on"] is not None
            else None
        ),
    }
    return new if any(new[k] != row[k] for k in new) else None


def _apply(chunk: list[dict[str, Any]], moved: dict[int, dict[str, Any]]) -> int:
    """Write the moved deadlines and the open stage items' due dates; returns the items moved.

    One UPDATE per distinct pair of new dates (a few dozen per chunk: cases received and advanced on
    the same days share them), far cheaper than bulk_update's CASE per row.
    """
    by_dates: dict[tuple[Any, Any], list[int]] = defaultdict(list)
    for pk, fields in moved.items():
        by_dates[(fields["stage_due_on"], fields["due_on"])].append(pk)
    for (stage_due_on, due_on), pks in by_dates.items():
        Case.objects.filter(pk__in=pks).update(stage_due_on=stage_due_on, due_on=due_on)
    status = {row["pk"]: row["status"] for row in chunk}
    due = {f"case:{pk}:{status[pk]}": fields["stage_due_on"] for pk, fields in moved.items()}
    items = WorkItem.objects.filter(source=SOURCE, status=WorkItem.Status.OPEN, fingerprint__in=list(due))
    by_due: dict[Any, list[int]] = defaultdict(list)
    for pk, fingerprint, due_on in items.values_list("pk", "fingerprint", "due_on"):
        if due_on != due[fingerprint]:
            by_due[due[fingerprint]].append(pk)
    for due_on, pks in by_due.items():
        WorkItem.objects.filter(pk__in=pks).update(due_on=due_on)
    return sum(len(pks) for pks in by_due.values())


def deadlines_recompute(*, actor: Any = None, chunk: int = CHUNK, client_ip: str = "") -> RecomputeResult:
    """Recount every open case's deadlines with the holiday table as it is now (run after an import)."""
    started = time.perf_counter()
    result = RecomputeResult()
    total = _totals()
    open_cases = Case.objects.exclude(status__in=finals_of_every_type()).order_by("pk").values(*FIELDS)
    last = 0
    while True:
        rows = list(open_cases.filter(pk__gt=last)[:chunk])
        if not rows:
            break
        last = rows[-1]["pk"]
        entered = _stage_entered([r["pk"] for r in rows])
        moved = {}
        for row in rows:
            new = _recount(row, entered.get(row["pk"]), total)
            if new is not None:
                moved[row["pk"]] = new
        with transaction.atomic():
            result.items += _apply(rows, moved) if moved else 0
        result.cases += len(rows)
        result.changed += len(moved)
    result.seconds = round(time.perf_counter() - started, 3)
    audit_record(
        actor=actor,
        action="update",
        object_type="case",
        summary=(
            f"节假日表变更后重算在办案件期限：{result.cases} 件，期限变动 {result.changed} 件，待办 {result.items} 条"
        ),
        client_ip=client_ip,
        data=result.as_dict(),
    )
    return result
