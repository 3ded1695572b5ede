"""组织力指数: the file's shape (4 dimensions, 20 rules), its scenarios, unknown facts as 待核对, and the index
computed from an organisation's records."""

from __future__ import annotations

from pathlib import Path

import pytest

from minzheng.rules.engine import units as u
from minzheng.socialorgs import services_reports as reports
from minzheng.socialorgs import services_supervise as supervise
from minzheng.socialorgs import strength, strength_facts
from minzheng.socialorgs.models import Organisation
from minzheng.socialorgs.tests.conftest import LAST_YEAR, REPORT, TODAY, ago, make_org
from minzheng.testing import Cast


def _fen(idx: strength.Index, facts: dict) -> dict:
    return {k: v * 100 if v is not None and idx.facts[k].unit.dim == u.MONEY else v for k, v in facts.items()}


def test_four_dimensions_twenty_rules() -> None:
    idx = strength.load()
    assert [name for _, name, _ in idx.dimensions] == ["活跃度", "规范化", "覆盖率", "影响力"]
    assert len(idx.rules) == 20 and sum(r.points for r in idx.rules) == 100


@pytest.mark.parametrize("scenario", strength.load().scenarios, ids=lambda s: s["name"])
def test_scenarios(scenario: dict) -> None:
    idx = strength.index()
    result = strength.evaluate(idx, [_fen(idx, scenario["facts"])], TODAY)[0]
    assert result.score == scenario["score"]
    assert result.unknown == scenario["unknown"]
    assert all(o.text.startswith(o.rule.label) for o in result.outcomes)


def test_explanations_name_values_and_missing_facts() -> None:
    idx = strength.index()
    facts = _fen(idx, strength.load().scenarios[2]["facts"]) | {"服务人次": None}
    by_id = {o.rule.id: o for o in strength.evaluate(idx, [facts], TODAY)[0].outcomes}
    assert by_id["a1"].text == "全年开展活动不少于12次：不符合，不得分（上年度开展活动 5 次，低于 12 次）"
    assert (
        by_id["a3"].passed is None and by_id["a3"].text == "全年服务对象不少于500人次：待核对（缺少上年度服务对象人次）"
    )
    assert "上年度支出 10,000.00 元" in by_id["a5"].text
    assert by_id["b2"].text.startswith("上年度年报审查合格：不符合") and "“基本合格”" in by_id["b2"].text


def test_a_rule_comparing_money_with_a_count_is_refused(tmp_path: Path) -> None:
    text = strength.SOURCE.read_text(encoding="utf-8").replace(
        "when: 全年活动次数 >= 12", "when: 全年活动次数 >= 本年收入", 1
    )
    bad = tmp_path / "strength.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(strength.StrengthError, match=r"a1.*单位不一致"):
        strength.load(bad)


def test_index_from_records(cast: Cast, org: Organisation) -> None:
    """An organisation with an accepted on-time report, a 5A rating and six years registered."""
    old = make_org(cast, "六年协会", 70, days_ago=6 * 365)
    due_ok = ago(1) if TODAY.month > 6 else None
    report = reports.report_save(old, LAST_YEAR, REPORT, actor=cast.socialorg_officer, on=due_ok)
    reports.report_submit(report, actor=cast.socialorg_officer, on=due_ok)
    reports.report_accept(report, result="pass", actor=cast.socialorg_officer)
    supervise.rating_record(old, score=960, rated_on=TODAY, actor=cast.socialorg_officer)
    (_, fresh), (_, rated) = strength_facts.scores(
        Organisation.objects.filter(pk__in=[org.pk, old.pk]).order_by("pk"), TODAY
    )
    # No report from `org`: its report facts are 待核对, and 年报按时报送 is "no" once the due date has passed.
    assert {"a1", "a3", "c1"} <= set(fresh.unknown)
    assert rated.unknown == []
    on_time = {o.rule.id: o.passed for o in rated.outcomes}["b1"]
    expected = 6 + 4 + 5 + 5 + 5 + (6 if on_time else 0) + 5 + 4 + 5 + 5 + 8 + 5 + 4 + 0 + 4 + 8 + 4 + 0 + 0 + 4
    assert rated.score == expected
