"""Visit plans: who is due a visit and when, and the 待办 for visits missed.

A child's plan follows its categories (children.ChildCategory, decided by the rules engine): the
most frequent interval among its categories that have a frequency parameter wins (每月 beats 每季度).
The next visit is due `interval` months after the last one; a child new to the plan is due within
`childvisits.first_visit_working_days`. The daily job syncs the plans and puts each past-due plan on
the town's 待办 (儿童督导员) once: the fingerprint names the child and the due date, so a re-run
finds the same item, and a visit (a new due date) closes it.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.childvisits.models import ChildVisit, VisitPlan
from minzheng.core.masking import mask_name
from minzheng.workdays.selectors import add_working_days
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import ItemSpec, item_upsert

INTERVAL_KEY = "childvisits.interval_months."
FIRST_VISIT_KEY = "childvisits.first_visit_working_days"
SOURCE = "child_visit_overdue"
KINDS = {SOURCE: "儿童逾期未走访"}
SUPERVISOR = "child_supervisor"
CATEGORY_LABELS = {
    "orphan": "孤儿",
    "unsupported_child": "事实无人抚养儿童",
    "guardian_missing_child": "监护缺失困境儿童",
    "distressed_child": "困境儿童",
    "left_behind_child": "留守儿童",
}


def param(key: str, region: str, on: dt.date) -> int | None:
    """The value in force (database, else the shipped file); None where no file sets one (no visits)."""
    from minzheng.rules.params_db import ParamMissing, resolve_or_shipped

    try:
        return int(resolve_or_shipped(key, region, on).value)
    except ParamMissing:
        return None


def interval_for(categories: list[str], region: str, on: dt.date) -> tuple[str, int] | None:
    """(category, months) of the most frequent visit the categories ask for; None: no visits planned."""
    found = [(months, cat) for cat in categories if (months := param(INTERVAL_KEY + cat, region, on))]
    if not found:
        return None
    months, cat = min(found)
    return cat, months


def months_after(day: dt.date, n: int) -> dt.date:
    """The same day `n` months later (31 January + 1 month → 28/29 February)."""
    index = day.year * 12 + day.month - 1 + n
    year, month = index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def plan_sync(child: Any, categories: list[str], today: dt.date) -> VisitPlan | None:
    """Bring one child's plan up to date with its categories (created, re-timed or set inactive)."""
    plan = VisitPlan.objects.filter(child=child).first()
    wanted = interval_for(categories, child.division_code, today)
    if wanted is None:
        if plan is not None and plan.active:
            VisitPlan.objects.filter(pk=plan.pk).update(active=False)
        return None
    category, months = wanted
    last = ChildVisit.objects.filter(child=child).order_by("-visited_on").values_list("visited_on", flat=True).first()
    if last is not None:
        due = months_after(last, months)
    elif plan is not None and plan.active:
        due = plan.next_due_on
    else:
        due = add_working_days(today, param(FIRST_VISIT_KEY, child.division_code, today) or 10)
    fields = {
        "division_code": child.division_code,
        "category": category,
        "interval_months": months,
        "next_due_on": due,
        "last_visited_on": last,
        "active": True,
    }
    plan, _ = VisitPlan.objects.update_or_create(child=child, defaults=fields)
    return plan


def plans_sync(today: dt.date, division_prefix: str = "") -> int:
    """Every child file with stored categories: its plan follows them."""
    from minzheng.children.models import ChildCategory

    rows = ChildCategory.objects.select_related("child").order_by("pk")
    if division_prefix:
        rows = rows.filter(division_code__startswith=division_prefix)
    n = 0
    for row in rows.iterator():
        n += plan_sync(row.child, list(row.categories or []), today) is not None
    return n


def _fingerprint(plan: VisitPlan) -> str:
    return f"childvisit:{plan.child_id}:{plan.next_due_on.isoformat()}"


def _item(plan: VisitPlan) -> ItemSpec:
    who = mask_name(plan.child.person.name)
    label = CATEGORY_LABELS.get(plan.category, plan.category)
    return ItemSpec(
        source=SOURCE,
        kind=SOURCE,
        title=f"逾期未走访：{who}（{label}，每 {plan.interval_months} 个月走访一次，应于 {plan.next_due_on} 前走访）",
        subject_type="child",
        subject_id=str(plan.child_id),
        division_code=plan.division_code,
        role=SUPERVISOR,
        fingerprint=_fingerprint(plan),
        due_on=plan.next_due_on,
        data={"plan": plan.pk, "category": plan.category, "due": plan.next_due_on.isoformat()},
    )


def overdue_items(today: dt.date) -> dict[str, int]:
    """Past-due plans on the town's 待办 (once per due date); items for plans no longer past due close."""
    overdue = VisitPlan.objects.filter(active=True, next_due_on__lt=today).select_related("child__person")
    seen: set[str] = set()
    with transaction.atomic():
        for plan in overdue.order_by("pk").iterator():
            seen.add(item_upsert(_item(plan)).fingerprint)
        stale = WorkItem.objects.filter(source=SOURCE, status=WorkItem.Status.OPEN).exclude(fingerprint__in=seen)
        closed = stale.update(
            status=WorkItem.Status.RESOLVED, resolution="已走访或不再需要走访，自动办结", resolved_at=timezone.now()
        )
    return {"overdue": len(seen), "closed": closed}


def close_for_child(child_id: int, resolution: str) -> int:
    return WorkItem.objects.filter(
        source=SOURCE, subject_type="child", subject_id=str(child_id), status=WorkItem.Status.OPEN
    ).update(status=WorkItem.Status.RESOLVED, resolution=resolution[:300], resolved_at=timezone.now())


def daily(today: dt.date | None = None) -> dict[str, int]:
    """Scheduler (daily): plans follow the categories, missed visits reach the town. Idempotent."""
    today = today or timezone.localdate()
    planned = plans_sync(today)
    return {"planned": planned, **overdue_items(today)}
