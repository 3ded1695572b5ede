"""Loading the catalogue: the shipped files load; bad files fail with file, line and a Chinese reason."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from minzheng.rules.engine import Catalogue, CatalogueError, load_catalogue

HEADER = """\
id: {id}
name: 测试政策
department: 民政
legal_basis: [{{文号: 国务院令第649号}}]
entity: {entity}
"""


def _write(tmp_path: Path, body: str, policy_id: str = "t", entity: str = "person") -> Path:
    text = HEADER.format(id=policy_id, entity=entity) + textwrap.dedent(body)
    (tmp_path / f"{policy_id}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def _error(path: Path) -> str:
    with pytest.raises(CatalogueError) as info:
        load_catalogue(path)
    return str(info.value)


def test_shipped_catalogue_loads(catalogue: Catalogue) -> None:
    assert len(catalogue.policies) >= 20
    for key in (
        "dibao.standard",
        "dibao.edge_multiple",
        "dibao.deposit_cap_months",
        "dibao.enterprise_capital_cap",
        "dibao.vehicle_value_cap_months",
        "tekun.basic_living",
        "gaoling.min_age",
        "gaoling.amount",
    ):
        assert key in catalogue.param_keys()
    for policy in catalogue.policies.values():
        assert policy.legal_basis and all(b["文号"] for b in policy.legal_basis)
        assert policy.tests, policy.id


def test_unknown_name(tmp_path: Path) -> None:
    path = _write(tmp_path, "eligibility:\n  all:\n    - {id: income, expr: 人均收入x < 1}\n", "dibao")
    assert _error(path) == "dibao.yaml 第 8 行：未知名称“人均收入x”"


def test_person_value_in_household_policy(tmp_path: Path) -> None:
    path = _write(tmp_path, "eligibility:\n  expr: 年龄 >= 60\n", entity="household")
    assert _error(path) == (
        "t.yaml 第 7 行：政策“测试政策”的条件是户级数值，不能直接使用个人数值“年龄”，"
        "请用 sum/count/any/all/max_of 汇总家庭成员"
    )


def test_household_field_aggregated_as_members(tmp_path: Path) -> None:
    path = _write(tmp_path, "eligibility:\n  expr: any(遭遇急难)\n")
    assert _error(path) == "t.yaml 第 7 行：any() 汇总的是家庭成员，参数“遭遇急难”已是户级数值"


def test_cycle_between_derived_values(tmp_path: Path) -> None:
    body = """\
    derived:
      甲: {expr: 乙 + 1}
      乙: {expr: 甲 + 1}
    eligibility:
      expr: 甲 > 0
    """
    assert _error(_write(tmp_path, body)) == "t.yaml 第 7 行：派生值循环依赖：甲 → 乙 → 甲"


def test_cycle_between_policies(tmp_path: Path) -> None:
    _write(tmp_path, 'eligibility:\n  expr: eligible("b")\n', "a")
    _write(tmp_path, 'eligibility:\n  expr: eligible("a")\n', "b")
    assert _error(tmp_path) == "a.yaml 第 7 行：政策之间循环依赖：a → b → a"


def test_unit_mismatch_month_against_year(tmp_path: Path) -> None:
    body = """\
    params:
      年标准: {key: tekun.basic_living, unit: 元/人/年}
    eligibility:
      expr: 个人收入 < 年标准
    derived:
      个人收入: {expr: 工资性收入 + 其他收入}
    """
    assert _error(_write(tmp_path, body)) == "t.yaml 第 9 行：单位不一致：元/月 与 元/年（“个人收入 < 年标准”）"


def test_money_literal_refused(tmp_path: Path) -> None:
    path = _write(tmp_path, "eligibility:\n  expr: 存款 < 100000\n")
    assert _error(path) == "t.yaml 第 7 行：金额不能直接写数字 100000，请定义参数（单位 元）"


def test_expression_syntax_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "eligibility:\n  expr: 年龄 >= = 60\n")
    assert _error(path) == "t.yaml 第 7 行：表达式语法错误（第 7 个字符附近）：“年龄 >= = 60”"


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = _write(tmp_path, "eligibility:\n  expr: 年龄 >= 60\n    bad: [\n")
    assert _error(path) == "t.yaml 第 8 行：YAML 格式错误：请检查缩进、冒号和引号"


def test_condition_must_be_yes_or_no(tmp_path: Path) -> None:
    path = _write(tmp_path, "eligibility:\n  all:\n    - {id: money, expr: 存款 + 有价证券}\n")
    assert _error(path) == "t.yaml 第 8 行：条件“money”不是是/否判断，而是 元"


def test_unknown_excluding_policy(tmp_path: Path) -> None:
    path = _write(tmp_path, "excluded_by: [tekun]\neligibility:\n  expr: 孤儿\n")
    assert _error(path) == "t.yaml 第 6 行：excluded_by 中的未知政策“tekun”"


def test_unknown_choice_value(tmp_path: Path) -> None:
    path = _write(tmp_path, 'eligibility:\n  expr: 残疾等级 == "五级"\n')
    assert _error(path) == "t.yaml 第 7 行：“残疾等级”没有取值“五级”（可用：无、一级、二级、三级、四级）"


def test_file_name_must_match_id(tmp_path: Path) -> None:
    (tmp_path / "other.yaml").write_text(HEADER.format(id="t", entity="person") + "eligibility: {expr: 孤儿}\n")
    assert _error(tmp_path) == "other.yaml 第 1 行：政策编号“t”应与文件名“other”一致"


def test_parameter_unit_conflict_between_files(tmp_path: Path) -> None:
    _write(tmp_path, "params:\n  标准: {key: x.amount, unit: 元/人/月}\neligibility: {expr: 标准 > 0}\n", "a")
    _write(tmp_path, "params:\n  标准: {key: x.amount, unit: 元/人/年}\neligibility: {expr: 标准 > 0}\n", "b")
    assert _error(tmp_path) == "b.yaml 第 7 行：参数“x.amount”的单位为 元/年，但 a.yaml 第 7 行为 元/月"


def test_declared_inputs_must_match_what_the_rules_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "inputs: [孤儿]\neligibility:\n  expr: 孤儿 and 年龄 < 18\n")
    assert _error(path) == "t.yaml 第 6 行：inputs 缺少本政策用到的输入：出生日期"
    path = _write(tmp_path, "inputs: [孤儿, 存款]\neligibility:\n  expr: 孤儿\n")
    assert _error(path) == "t.yaml 第 6 行：inputs 中的“存款”未被本政策使用"


def test_shipped_policies_declare_their_inputs(catalogue: Catalogue) -> None:
    for policy in catalogue.policies.values():
        assert policy.declared_inputs is not None, policy.id
    assert catalogue.policies["gaoling"].inputs == ["出生日期", "死亡日期"]
