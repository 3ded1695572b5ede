"""殡葬: what the demo county gets (after payments, so the payroll kernel and the bank accounts exist).

Through the real services: the county's own standards entered by the reviewed path (maker `admin`, checker
`xian`; demo values after 金华武义县's 草坪葬 1.5 万、海葬 2 万 of seed 002, 1,800 元 for 惠民殡葬 as a demo
figure, not a 鄞州 document), a funeral home and a welfare cemetery with plots, the demo cremation feed linked
to cremation records (each new one drafts its 身后一件事), three burials (草坪葬, 海葬, 公墓墓穴) whose
subsidy and reward the rules engine decides and this month's payroll pays (approved by `xian`), ashes taken
home by a family, a clean-up campaign with sites done and pending, and a 殡葬协理员 in the demo villages.
Idempotent: nothing is added when a funeral home exists. Small: a handful of writes and two payroll runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone

from minzheng.accounts.models import User
from minzheng.core.dates import first_of
from minzheng.funeral import localparams, services, services_cleanup, services_feed
from minzheng.funeral.models import Cemetery, Cremation, FuneralHome, Plot
from minzheng.registry.models import Person

STANDARDS = {"funeral.basic.amount": 1800, "eco_burial.lawn": 15000, "eco_burial.sea": 20000}
REFERENCE = "演示数据：参照金华市武义县草坪葬每例 1.5 万元、海葬每例 2 万元（seed 002）；惠民殡葬 1800 元为演示数值"


def _family(dead: Person) -> Person | None:
    """A living adult of the deceased's household (the 丧事承办人), else of their village (a relative living apart)."""
    cutoff = timezone.localdate() - dt.timedelta(days=365 * 20)
    adults = Person.objects.filter(birth_date__lt=cutoff).exclude(pk__in=Cremation.objects.values("person_id"))
    same_home = adults.filter(household_id=dead.household_id).order_by("birth_date").first()
    return same_home or adults.filter(division_code=dead.division_code).order_by("birth_date", "pk").first()


def _setup(officer: User, county: str) -> tuple[FuneralHome, Cemetery]:
    home = services.home_create(code="BYG330212", name="鄞州区殡仪馆", division_code=county, actor=officer)
    town = f"{officer.jurisdiction[:6]}100000"
    cemetery = services.cemetery_create(
        name="瞻岐镇公益性生态公墓", kind="welfare", division_code=town, approval_no="鄞民〔2019〕12号", actor=officer
    )
    for prefix, count, kind in (("A1", 6, "草坪葬"), ("B1", 4, "树葬"), ("C1", 4, "公墓")):
        services.plots_add(cemetery, prefix=prefix, count=count, kind=kind, actor=officer)
    return home, cemetery


def _burials(officer: User, cemetery: Cemetery) -> list[Person]:
    """Three feed cremations of deceased with a family member: 草坪葬, 海葬 and a grave."""
    done: list[Person] = []
    wanted = [("草坪葬", "A1"), ("海葬", ""), ("公墓", "C1")]
    for c in Cremation.objects.select_related("person").order_by("-cremated_on", "pk"):
        family = _family(c.person)
        if family is None:
            continue
        kind, prefix = wanted[len(done)]
        plot = (
            Plot.objects.filter(cemetery=cemetery, number__startswith=prefix, state="free").order_by("number").first()
        )
        day = min(c.cremated_on + dt.timedelta(days=3), timezone.localdate())
        data = services.BurialData(
            c.person.id_number, kind, day, family.id_number,
            plot=plot if prefix else None, place="" if prefix else "象山港海域（彼岸莲花海葬点）",
        )  # fmt: skip
        services.burial_record(data, actor=officer)
        done.append(family)
        if len(done) == len(wanted):
            break
    return done


def _pay(payees: list[Person], county: str, approver: User) -> None:
    """Bank accounts for the payees, then this month's two funeral payrolls, approved and reconciled."""
    from minzheng.payments.demo import demo_accounts, pay
    from minzheng.payments.models import Entitlement, PayrollRun
    from minzheng.payments.payroll import run_payroll

    demo_accounts(list(Entitlement.objects.filter(payee__in=payees)), approver)
    for programme in ("funeral_basic", "eco_burial"):
        run = run_payroll(programme, first_of(timezone.localdate()), county, actor=None)
        if run.status == PayrollRun.State.DRAFT and run.beneficiaries:
            pay(run, approver)


def _ledgers(officer: User) -> None:
    from decimal import Decimal

    from minzheng.divisions.models import Division

    county = officer.jurisdiction[:6]
    today = timezone.localdate()
    villages = list(Division.objects.filter(level=5, code__startswith=county).order_by("code")[:4])
    for i, v in enumerate(villages):
        services_cleanup.assistant_appoint(
            division_code=v.code, name=f"{'王李张陈'[i]}协理", phone=f"1380574{i:04d}", actor=officer,
            on=today - dt.timedelta(days=200),
        )  # fmt: skip
    campaign = services_cleanup.campaign_create(
        name="青山白化整治（冬季行动）", division_code=county, starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60), actor=officer,
    )  # fmt: skip
    sites = [
        services_cleanup.site_add(campaign, services_cleanup.Site(v.code, f"{v.name}后山坡", 4 + i * 3), actor=officer)
        for i, v in enumerate(villages[:3])
    ]
    services_cleanup.site_done(
        sites[0], action="moved", done_on=today - dt.timedelta(days=20), land_mu=Decimal("0.8"), actor=officer
    )
    services_cleanup.site_done(
        sites[1], action="greened", done_on=today - dt.timedelta(days=5), land_mu=Decimal("0"), actor=officer
    )


def demo_extend(built: Any, step: Any) -> None:
    """Add this app's demo data. `built` is the DemoBuild so far; `step(text)` shows progress."""
    step("殡葬：火化数据关联、生态安葬奖励与惠民殡葬补贴发放、公墓墓位、坟墓整治、殡葬协理员")
    users = {u.username: u for u in User.objects.filter(username__in=("binzang", "xian", "admin"))}
    if not {"binzang", "xian", "admin"} <= set(users) or FuneralHome.objects.exists():
        return
    officer, approver = users["binzang"], users["xian"]
    county = officer.jurisdiction
    localparams.set_local(
        region=county, values=STANDARDS, effective_from=dt.date(2020, 1, 1), reference=REFERENCE,
        maker=users["admin"], checker=approver,
    )  # fmt: skip
    _home, cemetery = _setup(officer, county)
    services_feed.link_feed(getattr(built, "as_of", None) or timezone.localdate())
    payees = _burials(officer, cemetery)
    _pay(payees, county, approver)
    taken = Cremation.objects.filter(ashes="stored").exclude(Q(burial__isnull=False)).first()
    if taken is not None:
        move = services.AshesMove(
            "taken", max(taken.cremated_on, timezone.localdate() - dt.timedelta(days=2)), "", "家属"
        )
        services.ashes_move(taken, move, actor=officer)
    _ledgers(officer)
