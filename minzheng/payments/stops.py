"""Automatic stops: a death, 财政供养 or prison finding from the verification batch suspends payment.

`apply_stops` reads each household's newest batch result (the batch stores a household's result
only when it changed, so its latest row is its current state) for every household that has a live
entitlement, either its own (低保) or a member's (特困, 高龄津贴 …). For each flagged member it
suspends:

- the person's own live entitlements, and
- the household's live entitlements of household programmes: a death does not end a household's
  低保 by itself; it is suspended until the town officer ends it, restores it, or changes the amount.

From which month (the payroll pays nothing from `suspended_from` on):
- death with a date (死亡医学证明, 火化, 户籍注销): the month after the month of death — the month
  of death itself is still due (DOMAIN: the last month paid is the month of death);
- death without a date, 财政供养, prison: the next unpaid month (the month after the newest line
  issued or paid; the entitlement's first month when nothing was paid yet).

Each suspension opens a 待办 for the town officer (payments/items.py: 确认停发 / 恢复发放). The
item's fingerprint names the entitlement and the fact (kind, person, date of death): once that
fact has an item — open or settled — it never suspends again, so a second run changes nothing and
an officer's 恢复发放 (the feed was wrong) is not undone by the next night's run. A new fact (another
date of death, another member) is a new item.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.core.dates import add_months, first_of
from minzheng.payments import items
from minzheng.payments.models import Entitlement, Overpayment, PayrollLine, Status
from minzheng.payments.overpayments import overpayment_open
from minzheng.payments.services import (
    EntitlementError,
    entitlement_change_amount,
    entitlement_end,
    entitlement_restore,
    entitlement_suspend,
)
from minzheng.registry.models import Person
from minzheng.verification.models import BatchHouseholdResult

log = logging.getLogger(__name__)
IN_BATCH = 5000
KIND_FLAGS = {"death": "deceased", "public_payroll": "public_payroll", "prison": "prison"}
KIND_LABELS = {"death": "死亡", "public_payroll": "财政供养", "prison": "服刑"}
FEED_NAMES = {"death": "死亡医学证明", "cremation": "火化", "hukou": "户籍注销"}


@dataclass(frozen=True)
class Finding:
    kind: str  # death | public_payroll | prison
    person: Person
    died_on: dt.date | None
    sources: tuple[str, ...]
    run_as_of: dt.date

    @property
    def key(self) -> str:
        """What makes the fact itself: the person, the kind and (for a death) its date."""
        return f"{self.kind}:{self.person.pk}:{self.died_on.isoformat() if self.died_on else ''}"

    @property
    def text(self) -> str:
        if self.kind == "death":
            when = f"死亡日期 {self.died_on}" if self.died_on else "死亡日期不详"
            feeds = "、".join(FEED_NAMES.get(s, s) for s in self.sources)
            return f"{self.person.name}{when}" + (f"（{feeds}）" if feeds else "")
        return f"{self.person.name}{'列入财政供养人员' if self.kind == 'public_payroll' else '在服刑人员名单中'}"


def _chunks(values: list[Any], size: int = IN_BATCH) -> Iterator[list[Any]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


def _live() -> Any:
    return Entitlement.objects.exclude(status=Status.ENDED)


def _households_with_live_entitlements() -> list[int]:
    live = _live()
    own = live.filter(household__isnull=False).values_list("household_id", flat=True)
    members = live.filter(person__isnull=False).values_list("person__household_id", flat=True)
    return sorted(set(own) | set(members))


def _newest_results(household_ids: list[int], as_of: dt.date) -> Iterator[BatchHouseholdResult]:
    """Each household's newest stored result from a run whose data date is not after `as_of`."""
    for ids in _chunks(household_ids):
        newest = (
            BatchHouseholdResult.objects.filter(household_id__in=ids, run__as_of__lte=as_of)
            .values("household_id")
            .annotate(m=Max("id"))
            .values_list("m", flat=True)
        )
        yield from BatchHouseholdResult.objects.filter(pk__in=list(newest)).select_related("run")


def _day(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def findings(as_of: dt.date) -> Iterator[Finding]:
    """Every death, 财政供养 and prison fact in the newest results of households with live entitlements."""
    for result in _newest_results(_households_with_live_entitlements(), as_of):
        flagged = []
        for member in result.persons or []:
            flags = set(member.get("flags") or [])
            died = _day(member.get("died_on"))
            kinds = [k for k, flag in KIND_FLAGS.items() if flag in flags or (k == "death" and died)]
            if kinds:
                flagged.append((member, kinds, died))
        if not flagged:
            continue
        people = {p.id_number: p for p in Person.objects.filter(id_number__in=[m["id_number"] for m, _, _ in flagged])}
        for member, kinds, died in flagged:
            person = people.get(member["id_number"])
            if person is None:
                continue
            sources = tuple(member.get("death_sources") or ())
            for kind in kinds:
                yield Finding(kind, person, died if kind == "death" else None, sources, result.run.as_of)


def affected(finding: Finding) -> list[Entitlement]:
    """The person's own live entitlements and their household's (household programmes)."""
    person = finding.person
    q = Q(person=person) | Q(household_id=person.household_id, person__isnull=True)
    return list(_live().filter(q).order_by("pk"))


def next_unpaid_month(ent: Entitlement) -> dt.date:
    newest = PayrollLine.objects.filter(
        entitlement=ent, status__in=[PayrollLine.State.ISSUED, PayrollLine.State.PAID]
    ).aggregate(m=Max("period"))["m"]
    return add_months(newest, 1) if newest else ent.from_month


def stop_month(ent: Entitlement, finding: Finding) -> dt.date:
    if finding.kind == "death" and finding.died_on:
        return add_months(first_of(finding.died_on), 1)
    return next_unpaid_month(ent)


def _apply_one(ent: Entitlement, finding: Finding, counts: dict[str, int]) -> None:
    fingerprint = items.fingerprint(ent, finding.key)
    if items.known(fingerprint):
        counts["known"] += 1
        return
    month = stop_month(ent, finding)
    with transaction.atomic():
        ent = Entitlement.objects.select_for_update().get(pk=ent.pk)
        if ent.status == Status.ACTIVE:
            reason = f"核对发现{KIND_LABELS[finding.kind]}：{finding.text}，暂停发放待乡镇核实"
            ent = entitlement_suspend(ent, month=month, reason=reason, actor=None)
            counts["suspended"] += 1
        else:
            counts["already_suspended"] += 1
        items.stop_item_open(ent, finding, fingerprint)
        counts["items"] += 1


def apply_stops(as_of: dt.date | None = None) -> dict[str, int]:
    """Suspend what the newest batch results say must stop; open a 待办 each. Idempotent."""
    as_of = as_of or timezone.localdate()
    counts = {"findings": 0, "suspended": 0, "already_suspended": 0, "items": 0, "known": 0}
    for finding in findings(as_of):
        counts["findings"] += 1
        for ent in affected(finding):
            _apply_one(ent, finding, counts)
    if counts["items"]:
        log.info("apply_stops(%s): %s", as_of, counts)
    return counts


def after_batch(run: Any) -> None:
    """Called when a verification batch finishes: stop before the next payroll, not the next morning."""
    try:
        apply_stops(as_of=max(run.as_of, timezone.localdate()))
    except Exception:  # the batch itself succeeded; the daily schedule runs apply_stops again
        log.exception("apply_stops after batch %s failed", getattr(run, "pk", None))


# --- the town officer's decision -----------------------------------------------------------------


class StopResult(NamedTuple):
    entitlement: Entitlement
    overpayment: Overpayment | None


def _cause(ent: Entitlement) -> str:
    kinds = items.open_kinds(ent)
    return Overpayment.Cause.DEATH if "stop_death" in kinds else Overpayment.Cause.INELIGIBLE


@transaction.atomic
def stop_confirm(
    ent: Entitlement,
    *,
    last_month: dt.date,
    reason: str,
    actor: Actor,
    cause: str | None = None,
    keep_item: str = "",
) -> StopResult:
    """确认停发: end with `last_month` as the last month paid; lines paid after it become an overpayment."""
    if not reason.strip():
        raise EntitlementError("确认停发须填写理由")
    ent = entitlement_end(ent, last_month=last_month, reason=reason, actor=actor)
    op = overpayment_open(ent, last_month=last_month, cause=cause or _cause(ent), actor=actor, note=reason)
    items.stop_items_close(ent, f"已确认停发：{reason}", keep=keep_item)
    return StopResult(ent, op)


@transaction.atomic
def stop_cancel(
    ent: Entitlement, *, reason: str, actor: Actor, amount_fen: int | None = None, keep_item: str = ""
) -> Entitlement:
    """恢复发放 with a reason (the feed was wrong; a member died but the household still qualifies).

    `amount_fen`: the household's new amount from the suspended month (one member fewer); the
    suspended months are then paid by the next payroll at that amount.
    """
    if not reason.strip():
        raise EntitlementError("恢复发放须填写理由")
    ent.refresh_from_db()
    if amount_fen is not None and amount_fen != ent.amount_fen:
        month = ent.suspended_from or ent.from_month
        ent = entitlement_change_amount(ent, amount_fen=amount_fen, month=month, reason=reason, actor=actor)
    ent = entitlement_restore(ent, reason=reason, actor=actor)
    items.stop_items_close(ent, f"已恢复发放：{reason}", keep=keep_item)
    return ent


def default_last_month(ent: Entitlement, kind: str, died_on: dt.date | None) -> dt.date:
    """The month of death; for other findings the last month before the suspension (nothing more is owed)."""
    if kind == "stop_death" and died_on:
        return first_of(died_on)
    start = ent.suspended_from or next_unpaid_month(ent)
    return max(add_months(start, -1), add_months(ent.from_month, -1))
