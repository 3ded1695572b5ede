"""Direct counts for test_figures: one small function per figure, plain Python loops over the rows
(independent of the figures' GROUP BY queries), returning {bucket: value} inside a division prefix."""

from __future__ import annotations

import datetime as dt
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from typing import Any

Cells = dict[str, int]
Rows = Iterable[tuple[Any, ...]]


def counted(rows: Rows, prefix: str) -> Cells:
    """Sum (code, bucket) pairs (1 each) or (code, bucket, n) triples inside the prefix."""
    out: Counter[str] = Counter()
    for row in rows:
        code, bucket, n = (*row, 1) if len(row) == 2 else row
        if code.startswith(prefix):
            out[bucket] += n
    return {b: n for b, n in out.items() if n}


def medians(rows: Rows, prefix: str) -> Cells:
    found: dict[str, list[int]] = defaultdict(list)
    for code, bucket, v in rows:
        if code.startswith(prefix):
            found[bucket].append(v)
    return {b: round(statistics.median(vs)) for b, vs in found.items()}


def minutes(a: dt.datetime, b: dt.datetime) -> int:
    return max(int((b - a).total_seconds() // 60), 0)


def band(age: int) -> str:
    return "0-17" if age < 18 else "18-59" if age < 60 else "60-69" if age < 70 else "70-79" if age < 80 else "80+"


def _persons(as_of: dt.date) -> Rows:
    from minzheng.registry.models import Person
    from minzheng.registry.selectors import age_on

    return ((p.division_code, band(age_on(p.birth_date, as_of))) for p in Person.objects.all())


def _households(as_of: dt.date) -> Rows:
    from minzheng.registry.models import Household

    return ((h.division_id, "") for h in Household.objects.all())


def _tags(as_of: dt.date) -> Rows:
    from minzheng.registry.models import PersonTag

    return ((t.person.division_code, t.kind) for t in PersonTag.objects.select_related("person"))


def _cases(as_of: dt.date) -> list[Any]:
    from minzheng.cases.models import Case

    return list(Case.objects.all())


def _stage(as_of: dt.date) -> Rows:
    return ((c.division_code, c.status) for c in _cases(as_of))


def _decision(as_of: dt.date) -> Rows:
    from minzheng.workdays.selectors import working_days_between

    done = [c for c in _cases(as_of) if c.decided_on and c.decided_on <= as_of]
    return ((c.division_code, "", working_days_between(c.received_on, c.decided_on)) for c in done)


def _overdue_cases(as_of: dt.date) -> Rows:
    from minzheng.cases.casetypes import finals_of_any_type

    def late(c: Any) -> bool:
        return bool((c.stage_due_on and c.stage_due_on < as_of) or (c.due_on and c.due_on < as_of))

    return ((c.division_code, "") for c in _cases(as_of) if c.status not in finals_of_any_type() and late(c))


def _live(as_of: dt.date) -> list[Any]:
    from minzheng.payments.models import Entitlement

    return [e for e in Entitlement.objects.all() if e.status == "active"]


def _lines(as_of: dt.date) -> list[Any]:
    from minzheng.payments.models import PayrollLine

    m = as_of.year * 12 + as_of.month - 12
    first = dt.date(m // 12, m % 12 + 1, 1)
    lines = PayrollLine.objects.select_related("run")
    return [x for x in lines if x.status in ("issued", "paid") and first <= x.period <= as_of]


def _findings(pending: bool) -> Callable[[dt.date], Rows]:
    def rows(as_of: dt.date) -> Rows:
        from minzheng.verification.models import WorklistItem
        from minzheng.workitems.models import WorkItem

        def still_open(f: Any) -> bool:
            return WorkItem.objects.get(fingerprint="verification:" + f.fingerprint).status == "open"

        items = WorklistItem.objects.all()
        return ((f.division_code, f.kind) for f in items if not pending or still_open(f))

    return rows


def _eligible(kind: str) -> Callable[[dt.date], Rows]:
    def rows(as_of: dt.date) -> Rows:
        from minzheng.rules.models import EligibilityRun, WorklistItem
        from minzheng.workitems.models import WorkItem

        newest: dict[str, Any] = {}
        for run in EligibilityRun.objects.filter(status="done"):
            old = newest.get(run.region_code)
            if old is None or (run.finished_at, run.pk) > (old.finished_at, old.pk):
                newest[run.region_code] = run
        runs = {r.pk for r in newest.values()}

        def status(i: Any) -> str:
            found = WorkItem.objects.filter(
                fingerprint=f"rules:{i.kind}:{i.policy_id}:{i.household_id}:{i.person_id or 0}"
            )
            return found.get().status if found.exists() else "open"

        return ((i.division_code, status(i)) for i in WorklistItem.objects.all() if i.run_id in runs and i.kind == kind)

    return rows


def _orders(as_of: dt.date) -> list[Any]:
    from minzheng.eldercare.models import Order

    return list(Order.objects.all())


def _care_minutes(as_of: dt.date) -> Rows:
    done = ("checked_out", "visited_back", "settled")
    return ((o.division_code, "", o.minutes) for o in _orders(as_of) if o.status in done)


def _response(as_of: dt.date) -> Rows:
    came = [o for o in _orders(as_of) if o.checkin_at]
    return ((o.division_code, "", minutes(max(o.created_at, o.window_start), o.checkin_at)) for o in came)


def _incidents(as_of: dt.date) -> Rows:
    from minzheng.emergency.models import Incident

    return ((i.division_code, i.kind) for i in Incident.objects.all())


def _rungs(as_of: dt.date) -> Rows:
    from minzheng.emergency.models import EscalationStep

    steps = [s for s in EscalationStep.objects.select_related("incident") if s.ended_at]
    return ((s.incident.division_code, s.rung, minutes(s.started_at, s.ended_at)) for s in steps)


def _meals(as_of: dt.date) -> Rows:
    from minzheng.meals.models import MealOrder

    handed = [m for m in MealOrder.objects.select_related("menu") if m.status in ("served", "delivered")]
    return ((m.division_code, f"{m.menu.date:%Y-%m}") for m in handed if m.menu.date <= as_of)


def _children(as_of: dt.date) -> Rows:
    from minzheng.children.models import ChildCategory

    return ((c.division_code, cid) for c in ChildCategory.objects.all() for cid in c.categories)


def _visits(as_of: dt.date) -> Rows:
    from minzheng.childvisits.models import ChildVisit

    since = dt.date(as_of.year - 1, as_of.month, 1)
    done = [v for v in ChildVisit.objects.all() if since <= v.visited_on <= as_of]
    return ((v.division_code, f"{v.visited_on:%Y-%m}") for v in done)


def _late_plans(as_of: dt.date) -> Rows:
    from minzheng.childvisits.models import VisitPlan

    return ((p.division_code, "") for p in VisitPlan.objects.all() if p.active and p.next_due_on < as_of)


SUMS: dict[str, Callable[[dt.date], Rows]] = {
    "registry.persons": _persons,
    "registry.households": _households,
    "registry.tags": _tags,
    "cases.by_stage": _stage,
    "cases.overdue": _overdue_cases,
    "payments.caseload": lambda d: ((e.division_code, e.programme) for e in _live(d)),
    "payments.members": lambda d: ((e.division_code, e.programme, e.members) for e in _live(d)),
    "payments.paid_month": lambda d: ((x.division_code, f"{x.period:%Y-%m}", x.amount_fen) for x in _lines(d)),
    "payments.paid_programme": lambda d: ((x.division_code, x.run.programme, x.amount_fen) for x in _lines(d)),
    "verification.findings": _findings(pending=False),
    "verification.pending": _findings(pending=True),
    "rules.missing": _eligible("missing"),
    "rules.undue": _eligible("undue"),
    "eldercare.orders": lambda d: ((o.division_code, o.status) for o in _orders(d)),
    "eldercare.minutes": _care_minutes,
    "emergency.incidents": _incidents,
    "meals.served": _meals,
    "children.by_category": _children,
    "childvisits.visits": _visits,
    "childvisits.overdue": _late_plans,
}
MEDIANS: dict[str, Callable[[dt.date], Rows]] = {
    "cases.decision_days": _decision,
    "eldercare.response": _response,
    "emergency.rung_minutes": _rungs,
}


def direct(key: str, prefix: str, as_of: dt.date) -> Cells:
    if key in MEDIANS:
        return medians(MEDIANS[key](as_of), prefix)
    return counted(SUMS[key](as_of), prefix)
