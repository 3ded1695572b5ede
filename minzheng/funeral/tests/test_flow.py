"""Cremation → burial → the rules engine's two decisions → one-off payments paid once by the payroll;
the cremation feed linked to the records; the death event of the life-event part; plots and ashes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from minzheng.audit.models import AuditEvent
from minzheng.cli import app
from minzheng.core.dates import add_months, first_of
from minzheng.funeral import cli as _cli  # noqa: F401  (registers `minzheng funeral`)
from minzheng.funeral import selectors, services, services_award, services_feed
from minzheng.funeral.models import Award, Cemetery, Cremation, FuneralHome, Plot
from minzheng.lifeevents.models import LifeEvent
from minzheng.payments import services as payments
from minzheng.payments.models import Entitlement, PayrollLine
from minzheng.payments.payroll import run_payroll
from minzheng.registry.models import Person
from minzheng.testing import COUNTY, Cast

TODAY = timezone.localdate()
MONTH = first_of(TODAY)


def ago(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def cremate(
    cast: Cast, dead: Person, family: Person | None, home: FuneralHome | None = None, **extra: object
) -> Cremation:
    data = services.CremationData(
        id_number=dead.id_number, died_on=ago(6), cremated_on=ago(4), home=home,
        family_id_number=family.id_number if family else "", **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    return services.cremation_record(data, actor=cast.funeral_officer)


def bury(cast: Cast, dead: Person, payee: Person, kind: str, plot: Plot | None = None, place: str = "") -> object:
    data = services.BurialData(dead.id_number, kind, ago(1), payee.id_number, plot=plot, place=place)
    return services.burial_record(data, actor=cast.funeral_officer)


def test_lawn_burial_pays_subsidy_and_reward_once_through_the_payroll(
    cast: Cast, standards: None, family: list[Person], home: FuneralHome, cemetery: Cemetery
) -> None:
    dead, widow = family[0], family[1]
    cremation = cremate(cast, dead, widow, home, certificate_no="HH-2026-0001")
    # The cremation starts the 身后一件事 and decides the 惠民殡葬 subsidy (火化 is recorded); the reward waits.
    assert LifeEvent.objects.filter(kind="death", person=dead).count() == 1
    basic = Award.objects.get(person=dead, programme="funeral_basic")
    assert (basic.outcome, basic.amount_fen) == ("granted", 180_000), basic.explanation
    eco = Award.objects.get(person=dead, programme="eco_burial")
    assert eco.outcome == "pending" and "安葬方式" in eco.explanation

    plot = cemetery.plots.order_by("number").first()
    assert plot is not None
    bury(cast, dead, widow, "草坪葬", plot)
    plot.refresh_from_db()
    cremation.refresh_from_db()
    assert (plot.state, cremation.ashes) == ("used", "buried")
    eco.refresh_from_db()
    assert (eco.outcome, eco.amount_fen) == ("granted", 1_500_000)
    assert "草坪葬" in eco.explanation and "民发〔2016〕21号" in eco.explanation
    # One-off: to_month = from_month = this month, paid to the widow.
    ents = Entitlement.objects.filter(person=dead).order_by("programme")
    assert [(e.programme, e.amount_fen, e.from_month, e.to_month, e.payee_id) for e in ents] == [
        ("eco_burial", 1_500_000, MONTH, MONTH, widow.pk),
        ("funeral_basic", 180_000, MONTH, MONTH, widow.pk),
    ]
    # Asking again changes nothing: a paid award is never re-decided, no second payment.
    services_award.decide(dead, actor=cast.funeral_officer)
    assert Entitlement.objects.filter(person=dead).count() == 2

    payments.account_set(
        widow, bank_code="NBCB", bank_name="宁波银行", account_no="6217000011112222", account_name=widow.name,
        reason="测试", actor=cast.county_approver,
    )  # fmt: skip
    run = run_payroll("eco_burial", MONTH, COUNTY, actor=None)
    assert list(PayrollLine.objects.filter(run=run).values_list("amount_fen", "payee_name")) == [(1_500_000, "李秀英")]
    later = run_payroll("eco_burial", add_months(MONTH, 1), COUNTY, actor=None)
    assert not PayrollLine.objects.filter(run=later).exists()  # never paid twice


def test_grave_burial_is_refused_with_the_unmet_condition(
    cast: Cast, standards: None, family: list[Person], cemetery: Cemetery
) -> None:
    grave = Plot.objects.create(cemetery=cemetery, number="G-001", kind="公墓")
    cremate(cast, family[0], family[1])
    bury(cast, family[0], family[1], "公墓", grave)
    eco = Award.objects.get(person=family[0], programme="eco_burial")
    assert (eco.outcome, eco.amount_fen, eco.entitlement) == ("refused", 0, None)
    assert "采用草坪葬或海葬等节地生态安葬" in eco.explanation


def test_without_a_local_standard_nothing_is_paid(cast: Cast, family: list[Person]) -> None:
    cremate(cast, family[0], family[1])
    bury(cast, family[0], family[1], "海葬", place="象山港海域")
    awards = {a.programme: a for a in Award.objects.filter(person=family[0])}
    assert {p: a.outcome for p, a in awards.items()} == {"funeral_basic": "refused", "eco_burial": "refused"}
    assert "当地已设定" in awards["eco_burial"].explanation
    assert not Entitlement.objects.exists()


def test_sea_burial_needs_the_sea_area_and_a_plot_burial_a_free_plot(
    cast: Cast, family: list[Person], cemetery: Cemetery
) -> None:
    with pytest.raises(services.FuneralError, match="海葬须填写海域"):
        bury(cast, family[0], family[1], "海葬")
    with pytest.raises(services.FuneralError, match="须选择公墓墓位"):
        bury(cast, family[0], family[1], "树葬")
    plot = cemetery.plots.first()
    assert plot is not None
    services.plot_set_state(plot, "used", actor=cast.funeral_officer)
    with pytest.raises(services.FuneralError, match="不能安葬"):
        bury(cast, family[0], family[1], "草坪葬", plot)
    with pytest.raises(services.FuneralError, match="不能改为"):
        services.plot_set_state(plot, "free", actor=cast.funeral_officer)  # a used plot leaves by 迁出 only


def test_ashes_moves_and_checks(cast: Cast, family: list[Person]) -> None:
    c = cremate(cast, family[0], family[1])
    with pytest.raises(services.FuneralError, match="领取人"):
        services.ashes_move(c, services.AshesMove("taken", ago(2)), actor=cast.funeral_officer)
    services.ashes_move(c, services.AshesMove("taken", ago(2), handled_by="李秀英"), actor=cast.funeral_officer)
    assert [e.state for e in c.ashes_events.all()] == ["stored", "taken"]
    assert selectors.cremation_of(family[0]) == c and selectors.burial_of(family[0]) is None
    with pytest.raises(services.FuneralError, match="已有火化记录"):
        cremate(cast, family[0], family[1])


def _feed(tmp: Path, rows: list[str], as_of: dt.date) -> None:
    from minzheng.verification.services import feed_ingest

    path = tmp / "cremation.csv"
    path.write_text("公民身份号码,姓名,死亡日期,火化日期\n" + "\n".join(rows) + "\n", encoding="utf-8")
    feed_ingest(actor=None, feed_id="cremation", path=path, as_of=as_of)


def test_cremation_feed_links_records_and_starts_the_death_event_once(
    cast: Cast, family: list[Person], tmp_path: Path
) -> None:
    recorded = cremate(cast, family[0], family[1])
    other = family[1]
    _feed(tmp_path, [
        f"{family[0].id_number},张建国,{ago(6)},{ago(4)}",
        f"{other.id_number},李秀英,{ago(3)},{ago(2)}",
        f"330723194001011236,外县人,{ago(3)},{ago(2)}",
    ], ago(1))  # fmt: skip
    assert services_feed.link_feed(TODAY) == {"seen": 1, "created": 1, "unmatched": 1}
    recorded.refresh_from_db()
    assert recorded.feed_as_of == ago(1) and recorded.source == "home"
    made = Cremation.objects.get(person=other)
    assert (made.source, made.died_on, made.cremated_on) == ("feed", ago(3), ago(2))
    assert LifeEvent.objects.filter(kind="death", person=other).count() == 1
    assert services_feed.link_feed(TODAY) == {"seen": 0, "created": 0, "unmatched": 1}  # run twice: nothing new
    out = CliRunner().invoke(app, ["funeral", "link-feed", "--json"])  # the same, from the command line
    assert out.exit_code == 0 and json.loads(out.stdout) == {"seen": 0, "created": 0, "unmatched": 1}
    assert AuditEvent.objects.filter(object_type="funeral_cremation", action="create").count() == 2
