"""Issue 9 items 6 and 7 in the app: a screening is not a decision, unknown is not zero, missing parameters.

Registry households with the shipped parameters and real feed snapshots (verification ingest).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minzheng.cli import app
from minzheng.registry.models import Household
from minzheng.rules.eligibility import household_result
from minzheng.rules.models import EligibilitySummary, Parameter, WorklistItem
from minzheng.rules.tests.helpers_r2 import AS_OF, family, ingest, run_batch, world_fixture  # noqa: F401
from minzheng.testing import VILLAGE_A


def _policy(result: dict[str, object], policy_id: str, person: str | None = None) -> dict[str, object]:
    return next(
        p
        for p in result["policies"]  # type: ignore[attr-defined]
        if p["policy_id"] == policy_id and (person is None or p["person"] == person)
    )


@pytest.fixture(name="income_feed")
def income_feed_fixture(world: dict[str, Household], tmp_path: Path) -> dict[str, Household]:
    """This installation receives a pension feed; a household created today appears in no feed."""
    elder = family("HQ-010", VILLAGE_A, [("孙有", "19560101", "户主", "")])
    ingest(
        "pension",
        tmp_path,
        "公民身份号码,姓名,险种,月发放金额,发放年月",
        [f"{elder.members.get().id_number},孙有,城乡居民养老保险,3000,2026-0{m}" for m in (4, 5, 6)],
    )
    new = family("HQ-099", VILLAGE_A, [("吴新", "19850505", "户主", "")])
    return {**world, "elder": elder, "new": new}


def test_new_household_in_no_feed_is_not_eligible_but_undecided(income_feed: dict[str, Household]) -> None:
    """Before: "最低生活保障：符合，1,181.00 元/月 未享受" and on the 应享未享 list."""
    result = household_result(income_feed["new"], AS_OF)
    dibao = _policy(result, "dibao")
    assert dibao["eligible"] is None and dibao["status"] == "待核对" and dibao["basis"] == "screening"
    assert "工资性收入" in dibao["missing"] and dibao["amount_fen"] == 0
    run_batch()
    listed = WorklistItem.objects.filter(household=income_feed["new"], policy_id="dibao")
    assert not listed.exists()
    summary = EligibilitySummary.objects.get(policy_id="dibao", run__region_code="330212")
    assert summary.undecided >= 1
    from minzheng import cli_extra  # noqa: F401

    out = CliRunner().invoke(app, ["eligibility", "batch", "--as-of", "2026-07-01", "--region", "330212100", "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["undecided"] >= 1  # 待核对 decisions are counted, not listed


def test_without_income_feeds_dibao_is_a_screening(world: dict[str, Household]) -> None:
    """No income feed ever received: the screening stands (可能符合), with what a caseworker must confirm."""
    dibao = _policy(household_result(world["poor"], AS_OF), "dibao")
    assert dibao["eligible"] is True and dibao["status"] == "可能符合（预判）" and dibao["missing"] == []
    assert [c.split("（")[0] for c in dibao["to_confirm"]] == ["入户调查", "授权核对"]  # type: ignore[attr-defined]
    run_batch()
    item = WorklistItem.objects.get(household=world["poor"], policy_id="dibao", kind="missing")
    assert "预判" in item.reason and "入户调查" in item.reason


def test_received_feed_without_snapshot_for_the_date_blocks(world: dict[str, Household], tmp_path: Path) -> None:
    """A deposit feed delivered only after the as-of date: deposits are unknown on that date, and named."""
    from minzheng.rules.inputs_db import feed_store_root
    from minzheng.verification.engine.ingest import ingest_file
    from minzheng.verification.engine.store import FeedStore

    path = tmp_path / "deposit.csv"
    path.write_text(
        "身份号码,姓名,机构名称,余额,查询日期\n110101199001011237,某人,银行,1.00,2026-08-01\n", encoding="utf-8"
    )
    later = dt.date(2026, 8, 1)
    ingest_file("deposit", path, later, FeedStore(feed_store_root()), today=later)
    dibao = _policy(household_result(world["poor"], AS_OF), "dibao")
    assert dibao["eligible"] is None
    assert any(m.startswith("存款（") and "2026-07-01 及以前无数据" in m for m in dibao["missing"])  # type: ignore[attr-defined]
    # On a date the snapshot covers, deposits are known again.
    assert _policy(household_result(world["poor"], later), "dibao")["eligible"] is True


def test_input_no_source_fills_is_named(world: dict[str, Household]) -> None:
    """医疗自付费用 comes from no source of this installation: 医疗救助 is 待核对, never decided on 0."""
    yiliao = _policy(household_result(world["poor"], AS_OF), "yiliao", "张建国")
    assert yiliao["eligible"] is None and yiliao["missing"] == ["医疗自付费用"]


def test_cli_json_says_basis_and_missing(income_feed: dict[str, Household]) -> None:
    from minzheng import cli_extra  # noqa: F401

    out = CliRunner().invoke(app, ["eligibility", "household", "HQ-099", "--as-of", "2026-07-01", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    dibao = next(p for p in data["policies"] if p["policy_id"] == "dibao")
    assert dibao["eligible"] is None and dibao["basis"] == "screening" and "工资性收入" in dibao["missing"]
    assert all({"basis", "missing", "eligible"} <= set(p) for p in data["policies"])
    text = CliRunner().invoke(app, ["eligibility", "household", "HQ-099", "--as-of", "2026-07-01"])
    assert text.exit_code == 0 and "最低生活保障：待核对，缺少工资性收入" in text.stdout
    assert "符合，1,181.00" not in text.stdout


def test_missing_parameter_leaves_others_decided(world: dict[str, Household]) -> None:
    """Item 7. Before: ParamMissing for the whole household (a traceback in the CLI)."""
    from minzheng import cli_extra  # noqa: F401

    Parameter.objects.filter(key="dibao.standard").delete()
    result = household_result(world["poor"], AS_OF)
    dibao = _policy(result, "dibao")
    assert dibao["eligible"] is None and any("dibao.standard" in m for m in dibao["missing"])  # type: ignore[attr-defined]
    assert _policy(result, "left_behind_child_care", "张小明")["eligible"] is True
    out = CliRunner().invoke(app, ["eligibility", "household", "HQ-001", "--as-of", "2026-07-01"])
    assert out.exit_code == 0 and "Traceback" not in out.output and "dibao.standard" in out.stdout


def test_cli_date_out_of_range_is_refused() -> None:
    from minzheng import cli_extra  # noqa: F401

    out = CliRunner().invoke(app, ["eligibility", "household", "HQ-001", "--as-of", "0001-01-01"])
    assert out.exit_code == 1 and "超出可处理的范围" in out.stderr


def test_migrate_loads_every_shipped_parameter_file(cast: object) -> None:
    """Item 7. Before: a fresh install had no parameters until a manual `params import`."""
    from minzheng.rules.engine import shipped_param_files
    from minzheng.rules.paramfile import parse_file

    out = CliRunner().invoke(app, ["migrate"])
    assert out.exit_code == 0, out.output
    for path in shipped_param_files():
        keys = {r.key for r in parse_file(path)}
        assert set(Parameter.objects.filter(key__in=keys).values_list("key", flat=True)) == keys, path
    count = Parameter.objects.count()
    # A value the installation changed is kept; a second migrate adds nothing.
    Parameter.objects.filter(key="dibao.standard", region_code="330212").update(value="1300")
    again = CliRunner().invoke(app, ["migrate"])
    assert again.exit_code == 0 and "新增 0）" in again.stdout
    assert Parameter.objects.count() == count
    assert (
        Parameter.objects.get(key="dibao.standard", region_code="330212", effective_from="2022-07-01").value == "1300"
    )
    # A fresh install decides with what the README shows.
    poor = family("HQ-001", VILLAGE_A, [("张建国", "19780315", "户主", ""), ("李秀英", "19800422", "配偶", "")])
    assert _policy(household_result(poor, AS_OF), "dibao")["eligible"] is True
