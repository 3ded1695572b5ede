"""What-if: a parameter overlay; households gaining and losing each policy and the monthly cost, exactly."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minzheng.cli import app
from minzheng.registry.models import Household
from minzheng.rules.models import Parameter
from minzheng.rules.tests.helpers_r2 import AS_OF, family, ingest, with_car_fixture, world_fixture  # noqa: F401
from minzheng.rules.whatif import whatif_run
from minzheng.testing import VILLAGE_A


@pytest.fixture(name="near_line")
def near_line_fixture(with_car: dict[str, Household], tmp_path: Path) -> dict[str, Household]:
    """A single person whose pension averages 1200.00 元/月: above 1181, below 1181 × 1.05 = 1240.05."""
    near = family("HQ-004", VILLAGE_A, [("周近", "19760101", "户主", "")])
    person = near.members.get()
    ingest(
        "pension",
        tmp_path,
        "公民身份号码,姓名,险种,月发放金额,发放年月",
        [f"{person.id_number},周近,城乡居民养老保险,1200,2026-0{m}" for m in (4, 5, 6)],
    )
    return {**with_car, "near": near}


def dibao(result: object) -> object:
    return next(c for c in result.policies if c.policy_id == "dibao")  # type: ignore[attr-defined]


def test_raise_standard_five_percent(near_line: dict[str, Household]) -> None:
    result = whatif_run(
        key="dibao.standard", region_code="330212", from_date=dt.date(2026, 1, 1), scale=Decimal("1.05"), as_of=AS_OF
    )
    d = dibao(result)
    # Issue 9 item 6 (was: HQ-001 and HQ-003 counted with a zero income, 4724.00 → 5000.25 元): this
    # installation receives an income feed (pension) and no income feed mentions their members, so
    # their income is unknown and 低保 is 待核对 before and after. HQ-004's 1200 is above the line
    # before, and 1240.05 − 1200.00 = 40.05 元 after.
    assert (d.eligible_before, d.eligible_after, d.gaining, d.losing) == (0, 1, 1, 0)
    assert (d.cost_before_fen, d.cost_after_fen, d.cost_change_fen) == (0, 4005, 4005)
    assert {
        "household_no": "HQ-004",
        "policy_id": "dibao",
        "name": "最低生活保障",
        "amount_fen_before": 0,
        "amount_fen_after": 4005,
    } in result.gaining_households
    assert result.monthly_cost_change_fen == sum(
        c.cost_change_fen for c in result.policies if c.period == "月"
    ) + round(sum(Decimal(c.cost_change_fen) / 12 for c in result.policies if c.period == "年"))
    assert Parameter.objects.get(key="dibao.standard", region_code="330212").value == "1181"  # nothing changed


def test_lower_standard_and_other_region(with_car: dict[str, Household]) -> None:
    lower = whatif_run(
        key="dibao.standard", region_code="330212", from_date=dt.date(2026, 1, 1), scale=Decimal("0.95"), as_of=AS_OF
    )
    d = dibao(lower)
    # No income feed received (only vehicles): incomes are "none found", a known zero.
    # 1181 × 0.95 = 1121.95: HQ-001 and HQ-003 still qualify with no income (nobody loses).
    assert (d.gaining, d.losing, d.cost_change_fen) == (0, 0, (112195 - 118100) * 4)
    later = whatif_run(
        key="dibao.standard", region_code="330212", from_date=dt.date(2026, 8, 1), scale=Decimal("2"), as_of=AS_OF
    )
    assert dibao(later).cost_change_fen == 0  # the overlay starts after the as-of date


def test_cli_whatif_json(near_line: dict[str, Household]) -> None:
    from minzheng import cli_extra  # noqa: F401

    args = ["eligibility", "whatif", "--param", "dibao.standard", "--region", "330212", "--from", "2026-01-01"]
    out = CliRunner().invoke(app, [*args, "--scale", "1.05", "--as-of", "2026-07-01", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    d = next(p for p in data["policies"] if p["policy_id"] == "dibao")
    assert (d["gaining"], d["losing"], d["cost_change_fen"]) == (1, 0, 4005)  # see test_raise_standard_five_percent
    assert data["households"] == 4 and isinstance(data["monthly_cost_change_fen"], int)
    bad = CliRunner().invoke(app, [*args, "--scale", "abc", "--as-of", "2026-07-01"])
    assert bad.exit_code == 1 and "--scale 应为数字" in bad.stderr
