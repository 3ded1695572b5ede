"""Relief paid once: a confirmed claim becomes one payment row per household and one row per member
(unique per event and kind in the database), and a one-off entitlement the payroll pays.

The one-off is an entitlement whose last month is its first: created and ended in the same
transaction, so it never holds the programme's "one live entitlement" place and the monthly payroll
pays exactly that month (or, computed already, as arrears in the next run). A second payment for the
same household or any member fails on the unique constraints, whoever races whom.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.cases.models import Case
from minzheng.core.dates import add_months, first_of, month_label
from minzheng.disaster.models import PROGRAMMES, Kind, ReliefClaim, ReliefPayment, ReliefRecipient

log = logging.getLogger(__name__)


class ReliefRefused(ValueError):
    """Not paid: the Chinese reason says who was paid already."""


def relief_month(claim: ReliefClaim, decided_on: dt.date) -> dt.date:
    from minzheng.payments.programmes import programme
    from minzheng.payments.sources import param_int

    prog = programme(PROGRAMMES[Kind(claim.kind)])
    return add_months(first_of(decided_on), param_int(prog.start_param, claim.division_code, decided_on, 0))


def relief_pay(claim: ReliefClaim, *, actor: Actor | None) -> ReliefPayment:
    """Pay a confirmed claim once (idempotent for the same claim; refused for a second one)."""
    from minzheng.payments import services as payments
    from minzheng.payments.sources import household_head

    existing = ReliefPayment.objects.filter(claim=claim).first()
    if existing is not None:
        return existing
    case: Case = claim.case
    amount = case.decision_amount_fen
    if case.status != "confirmed" or case.decision_eligible is not True or not amount or amount <= 0:
        raise ReliefRefused(f"{case.case_no} 未审核确认或核定金额为空，不发放")
    members = list(claim.household.members.order_by("pk"))
    head = household_head(claim.household)
    if head is None:
        raise ReliefRefused(f"户 {claim.household.household_no} 没有成员，无法确定收款人")
    decided = case.decided_on or timezone.localdate()
    month = relief_month(claim, decided)
    label = Kind(claim.kind).label
    reason = f"{claim.event.name} {label}，案件 {case.case_no} 于 {decided} 审核确认，一次性计入{month_label(month)}"
    persons = claim.transition_persons if claim.kind == Kind.TRANSITION else claim.winter_persons
    try:
        with transaction.atomic():
            ent = payments.entitlement_create(
                programme_id=PROGRAMMES[Kind(claim.kind)], subject=claim.household, payee=head, amount_fen=amount,
                from_month=month, source="case", reason=reason, actor=actor, case=case, members=len(members),
            )  # fmt: skip
            payments.entitlement_end(ent, last_month=month, reason="一次性救助：只发放当月", actor=actor)
            payment = ReliefPayment.objects.create(
                event=claim.event, kind=claim.kind, household=claim.household, claim=claim, entitlement=ent,
                division_code=claim.division_code, amount_fen=amount, persons=persons or len(members),
            )  # fmt: skip
            ReliefRecipient.objects.bulk_create(
                ReliefRecipient(payment=payment, event=claim.event, kind=claim.kind, person=p) for p in members
            )
            audit_record(
                actor=actor, action="create", object_type="disaster_claim", object_id=claim.pk,
                summary=f"{label} {case.case_no} 计发 {amount / 100:,.2f} 元（{month_label(month)}发放批次）",
                data={"entitlement": ent.pk, "amount_fen": amount, "persons": [p.pk for p in members]},
            )  # fmt: skip
    except (IntegrityError, payments.EntitlementError) as exc:
        raise ReliefRefused(
            f"{case.case_no} 不发放：该户或其成员已领取本次灾害的{Kind(claim.kind).label}（{exc}）"
        ) from None
    return payment


def relief_sweep() -> dict[str, int]:
    """Scheduler: a confirmed claim whose effect did not run is paid within a day (a refused one is logged)."""
    paid = refused = 0
    missing = ReliefClaim.objects.filter(case__status="confirmed", case__decision_eligible=True, payment=None)
    for claim in missing.select_related("case", "event", "household").order_by("pk"):
        try:
            relief_pay(claim, actor=None)
            paid += 1
        except ReliefRefused:
            refused += 1
            log.exception("灾害救助 %s 未发放", claim.case.case_no)
    return {"paid": paid, "refused": refused}
