"""GB/T 42195-2022: domain scores, every band boundary, every level-change reason, refusals, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minzheng.cli import app
from minzheng.eldercare import cli as _eldercare_cli  # noqa: F401 - registers `assess`
from minzheng.eldercare.assessment import AssessmentInputError, assess, assess_input, standard
from minzheng.eldercare.legacy import mzt039_level, table

FULL = dict(standard().maxima)


def items_with_total(total: int) -> dict[str, int]:
    """Take points off items in the standard's order until the total is reached."""
    items = dict(FULL)
    missing = 90 - total
    for name in items:
        take = min(items[name], missing)
        items[name] -= take
        missing -= take
    assert sum(items.values()) == total
    return items


def test_the_standard_has_26_items_in_four_domains_summing_to_90() -> None:
    std = standard()
    assert len(std.maxima) == 26
    assert {d: sum(items.values()) for d, items in std.domains.items()} == {
        "自理能力": 32,
        "基础运动能力": 15,
        "精神状态": 28,
        "感知觉与社会参与": 15,
    }
    assert std.maxima["上下楼梯"] == 3 and std.maxima["意识水平"] == 2 and std.maxima["攻击行为"] == 1


def test_domain_scores_and_total() -> None:
    items = dict(FULL, 进食=1, 上下楼梯=0, 记忆=2, 视力=1)
    result = assess(items)
    assert result.domains == {"自理能力": 29, "基础运动能力": 12, "精神状态": 26, "感知觉与社会参与": 14}
    assert result.total == 81


@pytest.mark.parametrize(
    ("total", "level"),
    [(90, 0), (89, 1), (66, 1), (65, 2), (46, 2), (45, 3), (30, 3), (29, 4), (0, 4)],
)
def test_each_band_boundary(total: int, level: int) -> None:
    result = assess(items_with_total(total))
    assert (result.total, result.initial_level, result.final_level, result.reasons) == (total, level, level, [])


def test_coma_is_complete_loss_whatever_the_score() -> None:
    result = assess(FULL, coma=True)
    assert (result.initial_level, result.final_level) == (0, 4)
    assert result.reasons == ["处于昏迷状态，直接评定为能力完全丧失（完全失能）"]


def test_dementia_raises_one_level() -> None:
    result = assess(items_with_total(70), diagnoses=["F03.9"])
    assert (result.initial_level, result.final_level) == (1, 2)
    assert result.reasons == ["确诊为痴呆（F03.9，F00–F03），在原有能力级别上提高一个级别"]


def test_other_mental_disorder_raises_one_level() -> None:
    result = assess(items_with_total(50), diagnoses=["f20", "I10"])
    assert (result.initial_level, result.final_level) == (2, 3)
    assert result.reasons == ["诊断为其他精神和行为障碍（F20，F04–F99），在原有能力级别上提高一个级别"]


def test_non_mental_diagnoses_change_nothing() -> None:
    assert assess(items_with_total(70), diagnoses=["I10", "E11.9", "G30"]).final_level == 1


def test_two_risk_events_in_total_raise_one_level_one_does_not() -> None:
    one = assess(items_with_total(70), risk_events_30d={"跌倒": 1})
    assert (one.final_level, one.reasons) == (1, [])
    # Two different kinds, one each: the total counts (not the number of kinds with ≥2).
    two = assess(items_with_total(70), risk_events_30d={"跌倒": 1, "噎食": 1, "走失": 0})
    assert two.final_level == 2
    assert two.reasons == [
        "近30天内发生照护风险事件共 2 次（跌倒 1 次、噎食 1 次），达到 2 次及以上，在原有能力级别上提高一个级别"
    ]


def test_both_raise_once_and_record_every_reason() -> None:
    result = assess(items_with_total(70), diagnoses=["F01"], risk_events_30d={"跌倒": 3})
    assert (result.initial_level, result.final_level) == (1, 2)
    assert len(result.reasons) == 3
    assert result.reasons[0].startswith("确诊为痴呆（F01")
    assert result.reasons[1].startswith("近30天内发生照护风险事件共 3 次")
    assert result.reasons[2] == "以上情形同时存在时只提高一个级别"


def test_cap_at_complete_loss() -> None:
    result = assess(items_with_total(20), diagnoses=["F00"])
    assert (result.initial_level, result.final_level) == (4, 4)
    assert result.reasons[-1] == "已是能力完全丧失（完全失能），不再提高"


def test_out_of_range_unknown_and_missing_items_are_refused_by_name() -> None:
    items = dict(FULL, 上下楼梯=4, 进食=-1)
    del items["视力"]
    items["吃饭"] = 3
    with pytest.raises(AssessmentInputError) as err:
        assess(items)
    assert err.value.problems == [
        "未知评估项目：吃饭（GB/T 42195-2022 附录B 无此项）",
        "缺少评估项目：视力",
        "评估项目「进食」得分 -1 超出范围 0–4",
        "评估项目「上下楼梯」得分 4 超出范围 0–3",
    ]


def test_non_integer_scores_unknown_events_and_bad_codes_are_refused() -> None:
    with pytest.raises(AssessmentInputError) as err:
        assess(dict(FULL, 记忆=2.5), diagnoses=["痴呆"], risk_events_30d={"摔跤": 2, "跌倒": -1})
    assert err.value.problems == [
        "评估项目「记忆」的得分必须是整数，收到 2.5",
        "未知照护风险事件：摔跤（应为 跌倒、噎食、走失、自杀、自伤、其他）",
        "照护风险事件「跌倒」的次数必须是非负整数，收到 -1",
        "无法识别的 ICD-10 编码：痴呆",
    ]


def test_assess_input_refuses_unknown_fields() -> None:
    with pytest.raises(AssessmentInputError, match="未知字段：score"):
        assess_input({"items": FULL, "score": 1})


def _run(tmp_path: Path, payload: object, *args: str):  # type: ignore[no-untyped-def]
    path = tmp_path / "in.json"
    path.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    return CliRunner().invoke(app, ["assess", "gbt42195", "--input", str(path), *args])


def test_cli_json_has_the_issue_shape(tmp_path: Path) -> None:
    payload = {
        "items": items_with_total(70),
        "coma": False,
        "diagnoses": ["F02"],
        "risk_events_30d": {"跌倒": 0, "噎食": 0, "走失": 0, "自杀、自伤": 0, "其他": 0},
    }
    out = _run(tmp_path, payload, "--json")
    assert out.exit_code == 0, out.output
    answer = json.loads(out.output)
    assert set(answer["domains"]) == {"自理能力", "基础运动能力", "精神状态", "感知觉与社会参与"}
    assert answer["total"] == 70 and answer["initial_level"] == 1
    assert answer["final_level"] == 2 and answer["final_level_name"] == "中度失能"
    assert answer["reasons"] == ["确诊为痴呆（F02，F00–F03），在原有能力级别上提高一个级别"]


def test_cli_refuses_with_the_items_named(tmp_path: Path) -> None:
    items = dict(FULL)
    del items["如厕"]
    out = _run(tmp_path, {"items": items}, "--json")
    assert out.exit_code == 1
    assert "缺少评估项目：如厕" in out.output


def test_cli_text_output(tmp_path: Path) -> None:
    out = _run(tmp_path, {"items": FULL, "coma": True})
    assert out.exit_code == 0
    assert "最终等级 4（完全失能）" in out.output
    assert "依据：处于昏迷状态" in out.output


def test_mzt039_table_is_explicit_with_gaps_for_review() -> None:
    rows = table()
    assert len(rows) == 256
    gaps = [k for k, v in rows.items() if v.needs_review]
    assert len(gaps) == 9
    assert (0, 0, 0, 3) in gaps and (2, 0, 0, 0) in gaps and (2, 1, 1, 1) in gaps
    assert mzt039_level(0, 0, 0, 0).level == 0
    assert mzt039_level(3, 0, 0, 0).level == 3
    # 60 overlaps (ADL 1) take the more severe level and say so.
    overlap = mzt039_level(1, 0, 3, 0)
    assert overlap.level == 2 and "取较重等级" in overlap.note
    with pytest.raises(ValueError, match="日常生活活动分级 4"):
        mzt039_level(4, 0, 0, 0)


def test_cli_mzt039_lookup() -> None:
    runner = CliRunner()
    gap = runner.invoke(app, ["assess", "mzt039", "2", "0", "0", "0", "--json"])
    assert json.loads(gap.output) == {"level": None, "needs_review": True, "note": "无对应条款，需人工复核"}
    assert "初步等级 3" in runner.invoke(app, ["assess", "mzt039", "3", "1", "1", "1"]).output
    refused = runner.invoke(app, ["assess", "mzt039", "5", "0", "0", "0"])
    assert refused.exit_code == 1 and "日常生活活动分级 5" in refused.output
