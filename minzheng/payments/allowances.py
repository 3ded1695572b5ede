"""Allowances that are not casework-heavy, paid through the same payroll.

高龄津贴 免申即享: where the county's `payments.gaoling.auto` is 1, every resident reaching the age of
the rules policy `gaoling` gets an entitlement without applying, from the month after the birthday
month (the programme's start parameter), priced by that policy (age bands). The first month is never
before the current month: a person who reached the age before the platform granted anything is paid
from now on, no years of arrears are invented. A person whose 高龄津贴 was ended is not granted again.

孤儿 / 事实无人抚养儿童 / 残疾人两项补贴 / 监护缺失 are granted by staff (`entitlement_grant`, the pages'
form), paid to the guardian's account for the children's programmes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from minzheng.accounts.types import Actor
from minzheng.core.dates import add_months, first_of, month_label
from minzheng.payments.models import Entitlement
from minzheng.payments.programmes import Programme, programme
from minzheng.payments.services import EntitlementError
from minzheng.payments.sources import entitlement_open, guardian_of, param_int, payee_for
from minzheng.payments.standards import price, price_many
from minzheng.registry.models import Household, Person

GAOLING = "gaoling"


def _min_age(county: str, on: dt.date) -> int | None:
    from minzheng.rules.params_db import resolve

    found = resolve("gaoling.min_age", county, on)
    return int(found.value) if found is not None else None


def _auto_on(prog: Programme, county: str, on: dt.date) -> tuple[bool, dt.date]:
    """(免申即享 in force here, the first month it covers: the parameter's effective month, else this month)."""
    from minzheng.rules.params_db import resolve

    key = str(prog.auto.get("param", ""))
    found = resolve(key, county, on) if key else None
    if found is None:
        return bool(int(prog.auto.get("default", 0))), first_of(on)
    return bool(int(found.value)), first_of(found.effective_from)


def _birthday_at(person: Person, age: int) -> dt.date:
    return dt.date(person.birth_date.year + age, person.birth_date.month, 1)  # the month is what counts


def _cutoff(on: dt.date, age: int) -> dt.date:
    """Born on or before this day → at least `age` on `on` (29 February counts from 1 March)."""
    try:
        return on.replace(year=on.year - age)
    except ValueError:
        return dt.date(on.year - age, 2, 28)


def _candidates(county: str, on: dt.date, age: int) -> list[Person]:
    """Residents of the county who reached the age and never held this allowance."""
    held = Entitlement.objects.filter(programme=GAOLING, person_id=OuterRef("pk"))
    rows = Person.objects.filter(division_code__startswith=county, birth_date__lte=_cutoff(on, age))
    return list(rows.filter(~Exists(held)).select_related("household").order_by("pk"))


def grant_auto_allowances(as_of: dt.date | None = None) -> dict[str, Any]:
    """Daily: 高龄津贴 for everyone who reached the age where the county grants it without application."""
    as_of = as_of or timezone.localdate()
    prog = programme(GAOLING)
    counties = sorted({code[:6] for code in Person.objects.values_list("division_code", flat=True).distinct()})
    granted = undecided = 0
    for county in counties:
        auto, scheme_start = _auto_on(prog, county, as_of)
        age = _min_age(county, as_of)
        if not auto or age is None:
            continue
        people = _candidates(county, as_of, age)
        prices = price_many(prog, list(people), as_of)
        offset = param_int(prog.start_param, county, as_of, 1)
        for person in people:
            p = prices[("person", person.pk)]
            if not p.eligible or not p.amount_fen:
                undecided += p.eligible is None
                continue
            birthday = _birthday_at(person, age)
            month = max(add_months(birthday, offset), scheme_start, first_of(as_of))
            reason = f"高龄津贴免申即享：{birthday:%Y年%m月}年满 {age} 周岁，自{month_label(month)}起发放"
            with transaction.atomic():
                entitlement_open(
                    prog=prog, subject=person, amount_fen=p.amount_fen, from_month=month,
                    source="auto", reason=reason, actor=None,
                )  # fmt: skip
            granted += 1
    return {"granted": granted, "undecided": undecided}


def entitlement_grant(
    programme_id: str,
    subject: Person | Household,
    *,
    amount_fen: int | None = None,
    from_month: dt.date,
    guardian: Person | None = None,
    reason: str,
    actor: Actor,
) -> Entitlement:
    """Staff grant an allowance (孤儿, 事实无人抚养, 残疾人两项补贴, 监护缺失 …). Without an amount the
    programme's policy prices it (refused when the engine cannot). The children's programmes pay the
    guardian named, else the one the registry shows (同户成年人); none → refused."""
    prog = programme(programme_id)
    if not reason.strip():
        raise EntitlementError("请填写纳入理由（批准文号或依据）")
    month = first_of(from_month)
    if amount_fen is None:
        p = price(prog, subject, month)
        if not p.eligible or not p.amount_fen:
            said = {None: "待核对", False: "不符合"}.get(p.eligible, "金额为 0")
            raise EntitlementError(f"规则判定为“{said}”，无法自动核定{prog.name}金额，请填写月发放金额")
        amount_fen = p.amount_fen
    if isinstance(subject, Person) and prog.pays_guardian:
        payee = guardian or guardian_of(subject, month)
        if payee is None or payee.pk == subject.pk:
            raise EntitlementError(f"{prog.name}发放至监护人账户：请先登记{subject.name}的监护人")
    else:
        payee = guardian or payee_for(prog, subject, month)[0]
    return entitlement_open(
        prog=prog, subject=subject, amount_fen=amount_fen, from_month=month, source="grant",
        reason=reason.strip(), actor=actor, payee=payee,
    )  # fmt: skip
