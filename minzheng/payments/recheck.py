"""Scheduled re-checks (复核): each live entitlement carries its next review date; as it nears, the town
gets a 待办 item; once past, a warning goes to the town and the county. Never a silent stop: a missed
re-check only warns, the payment goes on until a person decides (停保复核).

Periods are parameters per programme (payments/data/params.yaml, programmes.yaml `recheck_months`);
低保 households with a member able to work use the shorter `recheck_months_can_work` (every 6 months).
Also listed here: entitlements whose amount is unknown (migrated rolls, 金额待核对), never paid until set.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.core.dates import add_months, first_of
from minzheng.notifications.services import notify
from minzheng.payments.models import Entitlement, Status
from minzheng.payments.programmes import Programme, programme
from minzheng.payments.sources import UNKNOWN_AMOUNT, age_on, param_int
from minzheng.registry.models import Person, PersonTag
from minzheng.workitems.models import WorkItem
from minzheng.workitems.services import KIND_LABELS, ON_RESOLVE, ItemSpec, item_upsert

SOURCE = "payments.recheck"
KINDS = {"recheck": "待遇复核", "amount_unknown": "待遇金额待核对"}
WORKING_AGE = (18, 60)  # 劳动年龄段（含 18，不含 60）
NO_WORK_TAGS = (PersonTag.Kind.DISABILITY, PersonTag.Kind.INCAPACITY)


def can_work(ent: Entitlement, on: dt.date) -> bool:
    """A member of working age with no disability or incapacity recorded (the 6-month rule's test)."""
    people = Person.objects.filter(household_id=ent.household_id) if ent.household_id else Person.objects.none()
    for person in people.exclude(tags__kind__in=NO_WORK_TAGS):
        if WORKING_AGE[0] <= age_on(person, on) < WORKING_AGE[1]:
            return True
    return False


def period_months(ent: Entitlement, on: dt.date) -> int | None:
    prog = programme(ent.programme)
    spec: dict[str, Any] = prog.recheck_months
    if prog.recheck_months_can_work and can_work(ent, on):
        spec = prog.recheck_months_can_work
    if not spec:
        return None
    return param_int(str(spec.get("param", "")), ent.division_code, on, int(spec.get("default", 12)))


def next_review(ent: Entitlement, since: dt.date) -> dt.date | None:
    months = period_months(ent, since)
    return add_months(first_of(since), months) if months else None


def schedule_hook(ent: Entitlement) -> None:
    """services.AFTER_STATUS_CHANGE: a new live entitlement gets its first review date (from its first month)."""
    if ent.next_review_on is None and ent.status != Status.ENDED:
        due = next_review(ent, ent.from_month)
        if due is not None:
            Entitlement.objects.filter(pk=ent.pk).update(next_review_on=due)
            ent.next_review_on = due


def _title(ent: Entitlement, prog: Programme, kind: str) -> str:
    who = f"户 {ent.household.household_no}" if ent.household_id else f"{ent.person.name[:1]}**"  # type: ignore[union-attr]
    return f"{prog.name}{KINDS[kind]}：{who}"


def _item(ent: Entitlement, kind: str, fingerprint: str, due: dt.date | None) -> ItemSpec:
    prog = programme(ent.programme)
    return ItemSpec(
        source=SOURCE,
        kind=kind,
        title=_title(ent, prog, kind),
        subject_type="entitlement",
        subject_id=str(ent.pk),
        division_code=ent.division_code,
        role="town_officer",
        fingerprint=fingerprint,
        due_on=due,
        data={"programme": ent.programme, "entitlement": ent.pk},
    )


def recheck_items(as_of: dt.date | None = None) -> dict[str, int]:
    """Daily: 待办 for re-checks due within the notice period and for unknown amounts (one per fact:
    fingerprints), a warning for each overdue one (once), and close own items whose entitlement ended."""
    as_of = as_of or timezone.localdate()
    live = Entitlement.objects.exclude(status=Status.ENDED).select_related("household", "person")
    seen: set[str] = set()
    overdue = 0
    with transaction.atomic():
        for ent in live.filter(next_review_on__isnull=True).iterator():
            schedule_hook(ent)  # written around the services (or before this module existed)
        for ent in live.filter(next_review_on__isnull=False).order_by("pk").iterator():
            notice = param_int("payments.recheck.notice_days", ent.division_code, as_of, 30)
            due = ent.next_review_on
            assert due is not None
            if due - dt.timedelta(days=notice) > as_of:
                continue
            fingerprint = f"recheck:{ent.pk}:{due:%Y-%m-%d}"
            item = item_upsert(_item(ent, "recheck", fingerprint, due))
            seen.add(fingerprint)
            if due < as_of and item.status == WorkItem.Status.OPEN:
                overdue += _warn(ent, due)
        unknown = live.filter(status=Status.SUSPENDED, amount_fen=0, decision__startswith=UNKNOWN_AMOUNT)
        for ent in unknown.order_by("pk").iterator():
            fingerprint = f"amount:{ent.pk}"
            item_upsert(_item(ent, "amount_unknown", fingerprint, None))
            seen.add(fingerprint)
        stale = WorkItem.objects.filter(source=SOURCE, status=WorkItem.Status.OPEN).exclude(fingerprint__in=seen)
        closed = stale.update(status=WorkItem.Status.RESOLVED, resolution="待遇已停发或已核定，自动办结")
    return {"items": len(seen), "overdue": overdue, "closed": closed}


def _warn(ent: Entitlement, due: dt.date) -> int:
    prog = programme(ent.programme)
    title = f"{prog.name}复核已逾期（应于 {due} 前完成）：继续发放，请尽快入户复核"
    for role in ("town_officer", "county_approver"):  # the town that re-checks, the county that answers for it
        notify(
            kind="recheck_overdue", title=title, fingerprint=f"recheck-overdue:{ent.pk}:{due:%Y-%m-%d}:{role}",
            role=role, division_code=ent.division_code, link="/workitems/",
        )  # fmt: skip
    return 1


def on_resolve(item: WorkItem, actor: Any, client_ip: str) -> None:
    """A re-check settled by a person: the next one is one period from now."""
    if item.kind != "recheck":
        return
    ent = Entitlement.objects.filter(pk=int(item.subject_id)).exclude(status=Status.ENDED).first()
    if ent is not None:
        due = next_review(ent, timezone.localdate())
        Entitlement.objects.filter(pk=ent.pk).update(next_review_on=due)


def register() -> None:
    KIND_LABELS.update(KINDS)
    ON_RESOLVE[SOURCE] = on_resolve
