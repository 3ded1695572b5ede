"""The two funeral payments, decided by the rules engine and paid once through the payroll.

`decide(person)` builds the engine's inputs for the deceased the usual way (`rules.inputs_db.engine_inputs`,
which reads 死亡日期, 火化日期 and 安葬方式 from this app's records) and asks the policies `funeral_basic`
(惠民殡葬基本服务补贴, 民发〔2012〕211号) and `eco_burial` (节地生态安葬奖励, 民发〔2016〕21号; 武义县
草坪葬 1.5 万元、海葬 2 万元 per case, seed 002). Amounts and claim periods are the dated, regional
parameters `funeral.basic.*` and `eco_burial.*`.

An eligible decision becomes a one-off payment: an entitlement (payments kernel) to the 丧事承办人 whose
to_month is its from_month, so the month's payroll pays it once and no later run pays it again. A
decision that is 待核对 (a fact no source filled) is kept as such and decided again when asked; a
decision that paid is never re-decided (one award per person and programme, a database constraint).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.audit.services import audit_record
from minzheng.core.dates import first_of
from minzheng.core.masking import mask_name
from minzheng.funeral.models import Award, Burial, Cremation
from minzheng.payments.models import Entitlement
from minzheng.registry.models import Person
from minzheng.rules.engine import Decision

PROGRAMMES = (Award.Programme.BASIC, Award.Programme.ECO)


def _yuan(fen: int) -> str:
    return f"{fen / 100:,.2f} 元"


def _text(policy_id: str, d: Decision) -> tuple[str, str]:
    """(outcome, Chinese explanation) from the engine's decision."""
    from minzheng.rules.eligibility import catalogue, reason_text

    policy = catalogue().policies[policy_id]
    eligible, amount = d.eligible, int(d.amount_fen or 0)
    failed, missing = list(d.failed_conditions or []), list(d.missing or [])
    if eligible and amount > 0:
        conditions = policy.eligibility.children if policy.eligibility is not None else []
        labels = "；".join(c.label for c in conditions if c.label)
        basis = "；".join(str(b.get("文号", "")) for b in policy.legal_basis if isinstance(b, dict))
        return Award.Outcome.PAID, f"符合{policy.name}：{labels}。金额 {_yuan(amount)}/例（依据：{basis}）"
    if eligible is None:
        return Award.Outcome.PENDING, reason_text(policy, None, 0, failed, None, missing)
    return Award.Outcome.REFUSED, reason_text(policy, False, 0, failed, d.excluded_by)


def evaluate(person: Person, as_of: dt.date) -> dict[str, Decision]:
    """policy id → the engine's Decision for this deceased person on `as_of`."""
    from minzheng.rules.eligibility import decide_household
    from minzheng.rules.inputs_db import engine_inputs
    from minzheng.rules.params_db import DbParamSource

    inputs = engine_inputs(Person.objects.filter(pk=person.pk), as_of)
    wanted = {p.value for p in PROGRAMMES}
    return {
        d.policy_id: d
        for d in decide_household(inputs, as_of, source=DbParamSource())
        if d.policy_id in wanted and d.person_id == str(person.pk)
    }


def decide(person: Person, *, actor: Actor | None, as_of: dt.date | None = None) -> list[Award]:
    """Decide (or re-decide what was 待核对) both payments; pay what is granted. Returns the awards."""
    day = as_of or timezone.localdate()
    decisions = evaluate(person, day)
    payee = payee_of(person)
    out = []
    with transaction.atomic():
        for programme in PROGRAMMES:
            award = Award.objects.select_for_update().filter(person=person, programme=programme).first()
            if award is not None and award.outcome == Award.Outcome.PAID:
                out.append(award)
                continue
            d = decisions.get(programme.value)
            outcome, text = _text(programme.value, d) if d else (Award.Outcome.PENDING, "待核对：未能判定")
            amount = int(d.amount_fen or 0) if d is not None and outcome == Award.Outcome.PAID else 0
            if outcome == Award.Outcome.PAID and payee is None:
                outcome, amount = Award.Outcome.PENDING, 0
                text = f"{text}；待登记丧事承办人（收款人）"
            by = actor if getattr(actor, "is_authenticated", False) else None
            fields = {
                "division_code": person.division_code, "outcome": outcome, "amount_fen": amount,
                "explanation": text, "decided_on": day, "decided_by": by,
            }  # fmt: skip
            award, _ = Award.objects.update_or_create(person=person, programme=programme, defaults=fields)
            if outcome == Award.Outcome.PAID and payee is not None:
                award.entitlement = _pay_once(award, payee, actor)
                award.save(update_fields=["entitlement"])
            audit_record(
                actor=actor, action="write", object_type="funeral_award", object_id=award.pk,
                summary=f"{award.get_programme_display()}：{mask_name(person.name)} {award.get_outcome_display()}"
                + (f" {_yuan(amount)}" if amount else ""),
                data={"programme": programme.value, "outcome": outcome, "amount_fen": amount, "as_of": day.isoformat()},
            )  # fmt: skip
            out.append(award)
    return out


def payee_of(person: Person) -> Person | None:
    """The 丧事承办人: named at the burial, else at the cremation (a resident; the payments go to them)."""
    burial = Burial.objects.filter(person=person).select_related("payee").first()
    if burial is not None:
        return burial.payee
    cremation = Cremation.objects.filter(person=person).select_related("family_person").first()
    return cremation.family_person if cremation is not None else None


def _pay_once(award: Award, payee: Person, actor: Actor | None) -> Entitlement:
    """A one-off payment: created for this month and ended at this month (to_month = from_month)."""
    from minzheng.payments import services as payments

    month = first_of(award.decided_on)
    reason = f"{award.get_programme_display()}（一次性）：{award.explanation}"[:300]
    ent = payments.entitlement_create(
        programme_id=award.programme, subject=award.person, payee=payee, amount_fen=award.amount_fen,
        from_month=month, source="funeral", reason=reason, actor=actor,
    )  # fmt: skip
    return payments.entitlement_end(ent, last_month=month, reason="一次性发放：仅发放当月", actor=actor)
