"""What a child case does to payments: confirm → an entitlement paid to the guardian; stop → ended;
transfer → ended in the old county, continued here. Workflow effects named in cases/types/child_*.yaml.

The confirm effect is payments.sources.entitlement_from_case with the payee taken from the child file
(the registered guardian) instead of the registry household; payments' daily sweep still catches a lost
effect (paying the household's adult, with a note). Amounts are integer fen from the case's decision.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils import timezone

from minzheng.cases.models import Case
from minzheng.childvisits.guards import CHILD_PROGRAMMES, guardian_payee, stop_grounds
from minzheng.core.dates import add_months, first_of, month_label
from minzheng.payments import services as payments
from minzheng.payments.models import Entitlement, Status
from minzheng.payments.programmes import for_case_type, programme
from minzheng.payments.sources import entitlement_open, start_month
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import effect

log = logging.getLogger(__name__)


def child_entitlement_from_case(case: Case, *, actor: Any) -> Entitlement | None:
    """The confirmed case's entitlement, paid to the guardian (idempotent: its own is returned again)."""
    prog = for_case_type(case.case_type)
    if prog is None or case.status != "confirmed" or case.decision_eligible is not True or case.applicant is None:
        return None
    existing = Entitlement.objects.filter(case=case).order_by("pk").first()
    if existing is not None:
        return existing
    decided = _decided_on(case)
    month = start_month(prog, case.division_code, decided)
    guardian = guardian_payee(case, decided)
    reason = f"案件 {case.case_no} 于 {decided} 批准，自{month_label(month)}起发放至监护人账户"
    with transaction.atomic():
        return entitlement_open(
            prog=prog, subject=case.applicant, amount_fen=case.decision_amount_fen, from_month=month,
            source="case", reason=reason, actor=actor, case=case, payee=guardian,
        )  # fmt: skip


def _live_child(person_id: int) -> list[Entitlement]:
    rows = Entitlement.objects.filter(person_id=person_id, programme__in=CHILD_PROGRAMMES)
    return list(rows.exclude(status=Status.ENDED).order_by("pk"))


def child_entitlements_end(case: Case, *, actor: Any) -> list[Entitlement]:
    """A decided 停发: every live child allowance of the child ends with the month of the decision."""
    if case.case_type != "child_stop" or case.status != "stopped" or case.applicant_id is None:
        return []
    decided = _decided_on(case)
    _, why = stop_grounds(case, decided)
    ended = []
    for ent in _live_child(case.applicant_id):
        if timezone.localdate(ent.created_at) > decided:
            continue  # granted after this decision: not this decision's to end
        reason = f"儿童保障停发 {case.case_no} 于 {decided} 决定停发：{why}"
        ended.append(payments.entitlement_end(ent, last_month=first_of(decided), reason=reason[:300], actor=actor))
    return ended


def child_entitlement_transfer(case: Case, *, actor: Any) -> list[Entitlement]:
    """跨县转移: the other county's live allowance ends with the decision month; the same programme and
    amount continue here from the next month, paid to the guardian. Idempotent through the case link."""
    if case.case_type != "child_transfer" or case.status != "transferred" or case.applicant is None:
        return []
    if Entitlement.objects.filter(case=case).exists():
        return list(Entitlement.objects.filter(case=case))
    decided = _decided_on(case)
    county = case.division_code[:6]
    moved = []
    with transaction.atomic():
        for old in _live_child(case.applicant_id):
            if old.division_code.startswith(county):
                continue
            payments.entitlement_end(
                old, last_month=first_of(decided), reason=f"跨县转移 {case.case_no}：转入 {county}", actor=actor
            )
            month = add_months(first_of(decided), 1)
            moved.append(
                entitlement_open(
                    prog=programme(old.programme),
                    subject=case.applicant,
                    amount_fen=old.amount_fen,
                    from_month=month,
                    source="case",
                    actor=actor,
                    case=case,
                    payee=guardian_payee(case, decided),
                    reason=f"跨县转移 {case.case_no}：自{month_label(month)}起由本县接续发放",
                )
            )
    return moved


def _decided_on(case: Case) -> dt.date:
    """The decision's day: the case's own field, else the day of the step that entered its state."""
    if case.decided_on:
        return case.decided_on
    rows = TransitionLog.objects.filter(object_type="case", object_id=str(case.pk), target=case.status)
    return rows.order_by("-id").values_list("on", flat=True).first() or timezone.localdate()


def _actor(case: Case, log_row: TransitionLog) -> Any:
    return log_row.actor


@effect("childvisits.child_entitlement_from_case")
def _on_confirm(case: Case, log_row: TransitionLog) -> None:
    try:
        child_entitlement_from_case(Case.objects.get(pk=case.pk), actor=_actor(case, log_row))
    except Exception:  # the case stays confirmed; payments' daily sweep creates it and the log says why
        log.exception("儿童保障案件 %s 批准后产生待遇失败", case.case_no)


@effect("childvisits.child_entitlements_end")
def _on_stop(case: Case, log_row: TransitionLog) -> None:
    try:
        child_entitlements_end(Case.objects.get(pk=case.pk), actor=_actor(case, log_row))
    except Exception:
        log.exception("儿童保障停发 %s 停发待遇失败", case.case_no)


@effect("childvisits.child_entitlement_transfer")
def _on_transfer(case: Case, log_row: TransitionLog) -> None:
    try:
        child_entitlement_transfer(Case.objects.get(pk=case.pk), actor=_actor(case, log_row))
    except Exception:
        log.exception("儿童保障跨县转移 %s 接续待遇失败", case.case_no)
