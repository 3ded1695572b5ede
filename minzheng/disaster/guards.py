"""The relief case types' guard and effect (named in cases/types/disaster_*.yaml), and the daily sweep."""

from __future__ import annotations

import logging
from typing import Any

from minzheng.cases.models import Case
from minzheng.disaster.models import ReliefClaim, ReliefRecipient
from minzheng.disaster.services_relief import ReliefRefused, relief_pay, relief_sweep
from minzheng.workflow.models import TransitionLog
from minzheng.workflow.services import effect, guard

log = logging.getLogger(__name__)
__all__ = ["relief_sweep"]


def _claim(case: Case) -> ReliefClaim | None:
    return ReliefClaim.objects.filter(case_id=case.pk).select_related("event", "household").first()


@guard("disaster_not_paid")
def _not_paid(case: Case, actor: Any, data: dict[str, Any]) -> str | None:
    """Refuse to confirm when the household or a member already received this relief for this event."""
    claim = _claim(case)
    if claim is None:
        return "本案件没有关联的灾害救助申请（请从灾害救助页面受理）"
    members = claim.household.members.values_list("pk", flat=True)
    paid = ReliefRecipient.objects.filter(event=claim.event, kind=claim.kind, person_id__in=list(members))
    first = paid.exclude(payment__claim=claim).select_related("person", "payment__claim__case").first()
    if first is not None:
        no = first.payment.claim.case.case_no
        return f"家庭成员 {first.person.name} 已在 {no} 领取本次灾害的{claim.get_kind_display()}，不能重复救助"
    return None


@effect("disaster.relief_from_case")
def _on_confirm(case: Case, log_row: TransitionLog) -> None:
    claim = _claim(Case.objects.get(pk=case.pk))
    if claim is None:
        return
    try:
        relief_pay(claim, actor=log_row.actor)
    except ReliefRefused:  # the case stays confirmed; the page and the sweep's log say why
        log.exception("灾害救助 %s 确认后未发放", case.case_no)
