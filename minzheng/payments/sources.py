"""Where entitlements come from: a confirmed case (workflow effect, swept daily so none is missed), and
where a 停保 decision ends them.

A confirmed 低保 / 边缘 / 特困 case creates its entitlement with the decided monthly amount, from the
month after the decision (the programme's start parameter, by region and date). 临时救助 (linshi) is
a one-off payment decided in its case: it has no programme here and never enters the monthly payroll.

Amounts: a decision with an amount > 0 is paid; a decision of 0 (低保边缘: recognised, no cash) is
kept as a live entitlement of 0 that the payroll never pays; a decision with no amount at all is
unknown, not zero: the entitlement is created 暂停 with 0 and a 待核对 note until someone sets it.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.cases.models import Case
from minzheng.core.dates import add_months, first_of, month_label
from minzheng.payments import services
from minzheng.payments.models import Entitlement, Status
from minzheng.payments.programmes import Programme, for_case_type, programme, programmes
from minzheng.registry.models import Household, Person, Relation
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import effect

log = logging.getLogger(__name__)

ADULT_AGE = 18
UNKNOWN_AMOUNT = services.UNKNOWN_AMOUNT  # the note an entitlement without a known amount carries (never paid)
STOP_CASE_TYPE = "tingbao"
STOP_STATE = "stopped"


def param_int(key: str, region: str, on: dt.date, default: int) -> int:
    """A parameter in force for this region on this date (rules.params_db), else the shipped default."""
    from minzheng.rules.params_db import resolve

    found = resolve(key, region, on) if key else None
    return int(found.value) if found is not None else default


def start_month(prog: Programme, region: str, decided_on: dt.date) -> dt.date:
    """The first month paid: the month of the decision plus the programme's offset (default: the next)."""
    return add_months(first_of(decided_on), param_int(prog.start_param, region, decided_on, 1))


def age_on(person: Person, on: dt.date) -> int:
    b = person.birth_date
    return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


def household_head(household: Household) -> Person | None:
    members = household.members.order_by("birth_date", "pk")
    return members.filter(relation=Relation.HEAD).first() or members.first()


def guardian_of(child: Person, on: dt.date) -> Person | None:
    """Who receives a child's money: the household's 户主 when an adult other than the child, else the
    oldest other adult of the household. None when no adult lives with the child (staff must name one)."""
    head = child.household.members.filter(relation=Relation.HEAD).exclude(pk=child.pk).first()
    if head is not None and age_on(head, on) >= ADULT_AGE:
        return head
    for other in child.household.members.exclude(pk=child.pk).order_by("birth_date", "pk"):
        if age_on(other, on) >= ADULT_AGE:
            return other
    return None


def payee_for(prog: Programme, subject: Person | Household, on: dt.date) -> tuple[Person, str]:
    """(payee, note): the 户主 for a household, the person, or for a child the guardian (see guardian_of)."""
    if isinstance(subject, Household):
        head = household_head(subject)
        if head is None:
            raise services.EntitlementError(f"户 {subject.household_no} 没有成员，无法确定收款人")
        return head, ""
    if prog.pays_guardian or age_on(subject, on) < ADULT_AGE:
        guardian = guardian_of(subject, on)
        if guardian is not None:
            return guardian, f"收款人为监护人 {guardian.name}"
        return subject, "未登记同户成年监护人，收款人暂为本人，请登记监护人及其账户"
    return subject, ""


def _live(prog_id: str, subject: Person | Household) -> Entitlement | None:
    return services.live_entitlement(prog_id, subject)


@transaction.atomic
def entitlement_open(
    *,
    prog: Programme,
    subject: Person | Household,
    amount_fen: int | None,
    from_month: dt.date,
    source: str,
    reason: str,
    actor: Actor | None,
    case: Case | None = None,
    payee: Person | None = None,
) -> Entitlement:
    """entitlement_create, plus the two amounts it refuses: 0 (recognised, not paid) and None (unknown:
    created 暂停 from its first month with 0, so no payroll pays it until the amount is set)."""
    note = ""
    if payee is None:
        payee, note = payee_for(prog, subject, from_month)
    members = subject.members.count() if isinstance(subject, Household) else 1
    reason = "；".join(x for x in (reason, note) if x)
    common = {
        "programme_id": prog.id, "subject": subject, "payee": payee, "from_month": from_month,
        "source": source, "reason": reason, "actor": actor, "case": case, "members": members,
    }  # fmt: skip
    if amount_fen is not None and amount_fen > 0:
        return services.entitlement_create(amount_fen=amount_fen, **common)
    return services.entitlement_create_unpaid(known_zero=amount_fen is not None, **common)


def _decided_on(case: Case) -> dt.date:
    if case.decided_on:
        return case.decided_on
    on = (
        TransitionLog.objects.filter(object_type="case", object_id=str(case.pk), target=case.status)
        .order_by("-id")
        .values_list("on", flat=True)
        .first()
    )
    return on or timezone.localdate()


def _subject(prog: Programme, case: Case) -> Person | Household | None:
    return case.household if prog.per_household else case.applicant


def entitlement_from_case(case: Case, *, actor: Actor | None) -> Entitlement | None:
    """The entitlement a confirmed case creates (idempotent: the case's own entitlement is returned
    again). None for a case that decides no monthly payment (not confirmed, refused, 临时救助)."""
    if case.case_type == STOP_CASE_TYPE:
        return entitlement_end_from_case(case, actor=actor)
    prog = for_case_type(case.case_type)
    if prog is None or case.status != "confirmed" or case.decision_eligible is not True:
        return None
    existing = Entitlement.objects.filter(case=case).order_by("pk").first()
    if existing is not None:
        return existing
    subject = _subject(prog, case)
    if subject is None:
        log.warning("案件 %s 没有申请人，无法产生待遇", case.case_no)
        return None
    decided = _decided_on(case)
    month = start_month(prog, case.division_code, decided)
    reason = f"案件 {case.case_no} 于 {decided} 审核确认，自{month_label(month)}起发放"
    live = _live(prog.id, subject)
    if live is not None:  # already paid by this programme (e.g. a migrated roll): the decision sets the amount
        return _take_over(live, case, month, reason, actor)
    try:
        with transaction.atomic():
            return entitlement_open(
                prog=prog, subject=subject, amount_fen=case.decision_amount_fen, from_month=month,
                source="case", reason=reason, actor=actor, case=case,
            )  # fmt: skip
    except IntegrityError:  # the effect and the sweep at once: the other one created it
        return Entitlement.objects.filter(case=case).first() or _live(prog.id, subject)


def _take_over(live: Entitlement, case: Case, month: dt.date, reason: str, actor: Actor | None) -> Entitlement:
    amount = case.decision_amount_fen
    if amount and amount > 0 and amount != live.amount_fen:
        live = services.entitlement_change_amount(
            live, amount_fen=amount, month=max(month, live.from_month), reason=f"{reason}（核定新金额）", actor=actor
        )
    return live


def entitlement_end_from_case(case: Case, *, actor: Actor | None) -> Entitlement | None:
    """A confirmed 停保 (state stopped) ends the live entitlement of the programme its policy names
    (the household's for a household programme, the applicant's otherwise); the last month paid is
    the month of the decision. Idempotent: an entitlement already ended is returned as it is."""
    if case.case_type != STOP_CASE_TYPE or case.status != STOP_STATE:
        return None
    from minzheng.cases.casetypes import case_type

    prog_id = case_type(case.case_type).policy
    prog = programmes().get(prog_id)
    if prog is None:
        return None
    subject = _subject(prog, case)
    if subject is None:
        return None
    decided = _decided_on(case)
    live = _live(prog.id, subject)
    if live is not None and timezone.localdate(live.created_at) > decided:
        live = None  # granted after this decision (a later application): not this decision's to end
    if live is None:
        ended = Entitlement.objects.filter(programme=prog.id, status=Status.ENDED)
        ended = ended.filter(household=subject) if isinstance(subject, Household) else ended.filter(person=subject)
        return ended.order_by("-pk").first()
    reason = f"停保复核 {case.case_no} 于 {decided} 决定停发：{_case_reason(case)}"
    return services.entitlement_end(live, last_month=first_of(decided), reason=reason[:300], actor=actor)


def _case_reason(case: Case) -> str:
    reason = (
        TransitionLog.objects.filter(object_type="case", object_id=str(case.pk), target=case.status)
        .order_by("-id")
        .values_list("reason", flat=True)
        .first()
    )
    return reason or "见案件"


def _actor_of(log_row: TransitionLog) -> Any:
    return log_row.actor


@effect("payments.entitlement_from_case")
def _on_confirm(case: Case, log_row: TransitionLog) -> None:
    """Workflow effect on the confirm steps (cases/types/*.yaml); runs after the case's commit."""
    try:
        entitlement_from_case(Case.objects.get(pk=case.pk), actor=_actor_of(log_row))
    except Exception:  # the case stays confirmed; the daily sweep retries and the log says why
        log.exception("案件 %s 确认后产生待遇失败，将由每日核对补建", case.case_no)


@effect("payments.entitlement_end_from_case")
def _on_stop(case: Case, log_row: TransitionLog) -> None:
    try:
        entitlement_end_from_case(Case.objects.get(pk=case.pk), actor=_actor_of(log_row))
    except Exception:
        log.exception("停保复核 %s 决定停发后停发待遇失败，将由每日核对补做", case.case_no)


def sweep_confirmed_cases() -> dict[str, int]:
    """Scheduler: every confirmed case of a programme type without its entitlement gets one; every
    停保 decided 停发 whose entitlement is still live ends it (a lost effect is caught within a day)."""
    types = [p.case_type for p in programmes().values() if p.case_type]
    created = ended = failed = 0
    missing = Case.objects.filter(case_type__in=types, status="confirmed", decision_eligible=True, entitlements=None)
    for case in missing.order_by("pk").iterator():
        try:
            created += entitlement_from_case(case, actor=None) is not None
        except services.EntitlementError:
            failed += 1
            log.exception("案件 %s 无法产生待遇", case.case_no)
    for case in Case.objects.filter(case_type=STOP_CASE_TYPE, status=STOP_STATE).order_by("pk").iterator():
        prog = programme(_stop_programme(case))
        subject = _subject(prog, case)
        live = _live(prog.id, subject) if subject is not None else None
        if live is not None and timezone.localdate(live.created_at) <= _decided_on(case):
            entitlement_end_from_case(case, actor=None)
            ended += 1
    return {"created": created, "ended": ended, "failed": failed}


def _stop_programme(case: Case) -> str:
    from minzheng.cases.casetypes import case_type

    return case_type(case.case_type).policy
