"""A small hand-computed county for the payroll tests (test_payroll*, test_bankfiles*, test_reconcile*).

Programme 低保 (per household), region 330212, November and December 2026. Entitlements:
  e1 active from 2026-10, 500.00 (December 520.00 after a change from 2026-12)
  e2 active from 2026-10, 300.00, suspended from 2026-12 → paid November only
  e3 active from 2026-10, 200.00, ended with 2026-11 as last month → paid November only
  e4 from 2027-01, 400.00 → never in these runs
  e5 active from 2026-10, 100.00, payee without an account → 无发放账户, no line
  e6 confirmed late: created after the November run with from 2026-11, 120.00 → December pays Nov + Dec
  e7 suspended from 2026-11 before the November run, restored before December, 150.00 → Dec pays Nov + Dec
November: e1 50000 + e2 30000 + e3 20000 = 100000 fen, 3 lines.
December: e1 52000 + e6 2×12000 + e7 2×15000 = 106000 fen, 5 lines, 3 beneficiaries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from minzheng.accounts.services import user_create
from minzheng.core.idnumber import check_digit
from minzheng.payments import services
from minzheng.payments.models import Entitlement
from minzheng.registry.models import Person
from minzheng.registry.services import household_create, person_create
from minzheng.testing import PASSWORD, VILLAGE_A, VILLAGE_A2, Cast

NOV, DEC, JAN = dt.date(2026, 11, 1), dt.date(2026, 12, 1), dt.date(2027, 1, 1)
OCT = dt.date(2026, 10, 1)
REGION = "330212"


def id_number(n: int) -> str:
    first17 = f"33021219700101{n:03d}"
    return first17 + check_digit(first17)


def head(n: int, division: str = VILLAGE_A) -> Person:
    household = household_create(actor=None, household_no=f"PAY-{n:04d}", division_code=division)
    return person_create(actor=None, household=household, name=f"户主{n}", id_number=id_number(n), relation="户主")


def account(person: Person, no: str, actor: object = None) -> None:
    services.account_set(
        person,
        bank_code="NBRCB",
        bank_name="宁波鄞州农村商业银行",
        account_no=no,
        account_name=person.name,
        reason="开户登记",
        actor=actor,  # type: ignore[arg-type]
    )


def entitle(n: int, fen: int, start: dt.date, *, with_account: bool = True, division: str = VILLAGE_A) -> Entitlement:
    person = head(n, division)
    if with_account:
        account(person, f"6228480{n:09d}")
    return services.entitlement_create(
        programme_id="dibao",
        subject=person.household,
        payee=person,
        amount_fen=fen,
        from_month=start,
        source="case",
        reason="测试",
        actor=None,
        members=2,
    )


@dataclass
class World:
    e1: Entitlement
    e2: Entitlement
    e3: Entitlement
    e4: Entitlement
    e5: Entitlement
    e7: Entitlement
    second_approver: object


def november_world(cast: Cast) -> World:
    e7 = entitle(7, 15000, OCT)
    services.entitlement_suspend(e7, month=NOV, reason="待核实", actor=None)
    world = World(
        e1=entitle(1, 50000, OCT),
        e2=entitle(2, 30000, OCT, division=VILLAGE_A2),
        e3=entitle(3, 20000, OCT),
        e4=entitle(4, 40000, JAN),
        e5=entitle(5, 10000, OCT, with_account=False),
        e7=e7,
        second_approver=user_create(
            actor=None, username="qianxian", role="county_approver", jurisdiction=REGION, password=PASSWORD
        ),
    )
    return world


def december_changes(world: World) -> Entitlement:
    """After the November run: the changes the December run must see; returns e6 (confirmed late)."""
    services.entitlement_suspend(world.e2, month=DEC, reason="死亡待核实", actor=None)
    services.entitlement_end(world.e3, last_month=NOV, reason="收入超标", actor=None)
    services.entitlement_change_amount(world.e1, amount_fen=52000, month=DEC, reason="标准调整", actor=None)
    services.entitlement_restore(world.e7, reason="核实无误", actor=None)
    return entitle(6, 12000, NOV)
