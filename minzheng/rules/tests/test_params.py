"""Parameters: resolution by region level and date, both file formats, export round-trip, maker-checker."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from minzheng.audit.models import AuditEvent
from minzheng.cli import app
from minzheng.rules.models import Parameter, ParameterChange
from minzheng.rules.paramfile import ParamFileError, dump_minzheng, dump_openfisca, parse_file
from minzheng.rules.selectors import param_overlay, param_records, param_resolve
from minzheng.rules.services import (
    RulesError,
    param_change_approve,
    param_change_propose,
    param_change_reject,
    params_import,
)

D = dt.date
MINZHENG = """\
dibao.standard:
  description: 最低生活保障标准
  unit: 元/人/月
  values:
    - {region: "", from: 2020-01-01, value: 700, reference: "全国示例"}
    - {region: "33", from: 2021-01-01, value: 900, reference: "浙江省 2021"}
    - {region: "3302", from: 2021-07-01, value: 1000, reference: "宁波市 2021"}
    - {region: "330212", from: 2021-07-01, value: 1050, reference: "鄞州区 2021"}
    - {region: "330212", from: 2022-07-01, value: 1181, reference: "鄞州区 2022"}
    - {region: "330212100", from: 2030-01-01, value: 1500, reference: "未来值"}
dibao.edge_multiple:
  description: 低保边缘倍数
  unit: 倍
  values:
    - {region: "", from: 2021-01-01, value: 1.5, reference: "民发〔2021〕57号"}
    - {region: "33", from: 2021-01-01, value: 2.0, reference: "浙江省"}
"""

OPENFISCA = """\
gaoling:
  amount:
    description: 高龄津贴
    metadata:
      unit: 元/人/月
      reference: 示例文件
    national:
      values:
        2019-01-01:
          value: 50
    "330212":
      values:
        2023-01-01: {value: 100.50, metadata: {reference: 鄞州区 2023}}
        2020-01-01: {value: 80}
  min_age:
    description: 高龄津贴起始年龄
    metadata: {unit: 岁}
    values:
      2019-01-01: {value: 80}
"""


def write(tmp_path: Path, text: str, name: str = "params.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def imported(db: None, tmp_path: Path) -> None:
    params_import(actor=None, path=write(tmp_path, MINZHENG))


def value(key: str, region: str, on: dt.date) -> tuple[str, str, dt.date] | None:
    found = param_resolve(key, region, on)
    return (str(found.value), found.region_code, found.effective_from) if found else None


def test_fallback_by_level_and_date(imported: None) -> None:
    village, town = "330212100201", "330212100"
    assert value("dibao.standard", village, D(2022, 7, 1)) == ("1181", "330212", D(2022, 7, 1))
    assert value("dibao.standard", village, D(2022, 6, 30)) == ("1050", "330212", D(2021, 7, 1))
    # The town's value is only in the future: it does not hide the county's value in force.
    assert value("dibao.standard", town, D(2025, 1, 1)) == ("1181", "330212", D(2022, 7, 1))
    assert value("dibao.standard", town, D(2030, 1, 1)) == ("1500", "330212100", D(2030, 1, 1))
    assert value("dibao.standard", "330203", D(2022, 1, 1)) == ("1000", "3302", D(2021, 7, 1))  # another county
    assert value("dibao.standard", "330100", D(2022, 1, 1)) == ("900", "33", D(2021, 1, 1))  # 杭州 (padded)
    assert value("dibao.standard", "110101", D(2022, 1, 1)) == ("700", "", D(2020, 1, 1))
    assert value("dibao.standard", "330212", D(2019, 12, 31)) is None
    assert value("no.such_key", "330212", D(2022, 1, 1)) is None
    assert value("dibao.edge_multiple", village, D(2022, 1, 1)) == ("2.0", "33", D(2021, 1, 1))
    assert value("dibao.edge_multiple", "110101", D(2022, 1, 1)) == ("1.5", "", D(2021, 1, 1))


def test_db_source_reads_a_region_chain_in_one_query(imported: None, django_assert_num_queries: object) -> None:
    """A household's check asks every key for one region: one query, not one per key (issue 16),
    and each answer equals the per-key resolution (fallback by level and date included)."""
    from minzheng.rules.params_db import DbParamSource, resolve

    source = DbParamSource()
    cases = [
        (key, region, on)
        for key in ("dibao.standard", "dibao.edge_multiple", "no.such_key")
        for region in ("330212100201", "330212100")
        for on in (D(2019, 12, 31), D(2022, 6, 30), D(2030, 1, 1))
    ]
    with django_assert_num_queries(2):  # type: ignore[operator]  # the two region chains
        got = [source.resolve(*case) for case in cases]
    assert got == [resolve(*case) for case in cases]
    assert got[0] is None and got[4] is not None and got[5] is not None
    assert (got[5].value, got[5].region_code) == (1500, "330212100")  # the town's own value in force in 2030


def test_values_are_exact_decimals(imported: None) -> None:
    row = Parameter.objects.get(key="dibao.edge_multiple", region_code="")
    assert (row.value, row.value_type) == ("1.5", "decimal")
    assert Parameter.objects.get(
        key="dibao.standard", region_code="330212", effective_from=D(2022, 7, 1)
    ).value_type == ("integer")
    assert param_resolve("dibao.edge_multiple", "", D(2022, 1, 1)).value == Decimal("1.5")  # type: ignore[union-attr]


def test_reimport_changes_nothing_and_audits(db: None, tmp_path: Path) -> None:
    path = write(tmp_path, MINZHENG)
    first = params_import(actor=None, path=path)
    again = params_import(actor=None, path=path)
    assert (first.created, first.updated, first.unchanged) == (8, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 8)
    events = AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT, object_type="parameter")
    assert events.count() == 2 and events.first().data["rows"] == 8  # type: ignore[union-attr]


def test_openfisca_import(db: None, tmp_path: Path) -> None:
    result = params_import(actor=None, path=write(tmp_path, OPENFISCA))
    assert (result.rows, result.keys) == (4, ["gaoling.amount", "gaoling.min_age"])
    assert value("gaoling.amount", "330212100201", D(2024, 1, 1)) == ("100.50", "330212", D(2023, 1, 1))
    assert value("gaoling.amount", "330212100201", D(2022, 1, 1)) == ("80", "330212", D(2020, 1, 1))
    assert value("gaoling.amount", "330203", D(2024, 1, 1)) == ("50", "", D(2019, 1, 1))
    row = Parameter.objects.get(key="gaoling.amount", region_code="330212", effective_from=D(2023, 1, 1))
    assert (row.reference, row.unit, row.description) == ("鄞州区 2023", "元/人/月", "高龄津贴")
    assert Parameter.objects.get(
        key="gaoling.amount", region_code="330212", effective_from=D(2020, 1, 1)
    ).reference == ("示例文件")


@pytest.mark.parametrize("dump", [dump_minzheng, dump_openfisca])
def test_export_round_trip(imported: None, tmp_path: Path, dump: object) -> None:
    params_import(actor=None, path=write(tmp_path, OPENFISCA, "of.yaml"))
    records = param_records()
    text = dump(records)  # type: ignore[operator]
    again = parse_file(write(tmp_path, text, "export.yaml"))
    assert sorted(again, key=repr) == sorted(records, key=repr)
    assert params_import(actor=None, path=tmp_path / "export.yaml").unchanged == len(records)


def test_bad_file_refused_whole(db: None, tmp_path: Path) -> None:
    bad = MINZHENG.replace("value: 1181", "value: 一千").replace('region: "33",', 'region: "3",')
    with pytest.raises(ParamFileError) as caught:
        params_import(actor=None, path=write(tmp_path, bad))
    assert "dibao.standard 第 5 个取值：取值“一千”不是数字" in caught.value.errors
    assert any("区划代码“3”应为" in e for e in caught.value.errors)
    assert Parameter.objects.count() == 0


def test_cli_import_show_export(db: None, tmp_path: Path) -> None:
    from minzheng import cli_extra  # noqa: F401

    runner = CliRunner()
    out = runner.invoke(app, ["params", "import", str(write(tmp_path, MINZHENG)), "--json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["created"] == 8
    out = runner.invoke(
        app, ["params", "show", "dibao.standard", "--region", "330212100201", "--date", "2022-08-01", "--json"]
    )
    assert json.loads(out.stdout) | {} == {
        "key": "dibao.standard",
        "region": "330212100201",
        "date": "2022-08-01",
        "value": "1181",
        "unit": "元/人/月",
        "from_region": "330212",
        "effective_from": "2022-07-01",
        "reference": "鄞州区 2022",
    }
    out = runner.invoke(app, ["params", "show", "dibao.standard", "--region", "330212", "--date", "2019-01-01"])
    assert out.exit_code == 1 and "没有生效的取值" in out.stderr
    out = runner.invoke(app, ["params", "export", "--format", "openfisca"])
    assert out.exit_code == 0 and "'330212':" in out.stdout and "national:" in out.stdout


def change_data(**extra: object) -> dict[str, object]:
    return {
        "key": "dibao.standard",
        "region_code": "330212",
        "effective_from": D(2023, 7, 1),
        "value": "1240",
        "reference": "甬民发〔2023〕1号",
        "reason": "年度调整",
        **extra,
    }


def test_maker_checker(imported: None, cast: object) -> None:
    maker, checker = cast.county_approver, cast.sysadmin  # type: ignore[attr-defined]
    change = param_change_propose(actor=maker, data=change_data())
    assert (change.unit, change.description) == ("元/人/月", "最低生活保障标准")  # taken from the key
    assert value("dibao.standard", "330212", D(2023, 8, 1)) == ("1181", "330212", D(2022, 7, 1))  # not yet
    with pytest.raises(RulesError, match="审核人不能是提出人"):
        param_change_approve(actor=maker, change=change)
    param_change_approve(actor=checker, change=change, note="同意")
    assert value("dibao.standard", "330212", D(2023, 8, 1)) == ("1240", "330212", D(2023, 7, 1))
    row = Parameter.objects.get(key="dibao.standard", region_code="330212", effective_from=D(2023, 7, 1))
    assert (row.recorded_by, row.approved_by) == (maker, checker)
    with pytest.raises(RulesError, match="“已生效”，不能再审核"):
        param_change_approve(actor=checker, change=change)
    events = AuditEvent.objects.filter(object_type="parameter_change").order_by("id")
    actions = list(events.exclude(action="transition").values_list("action", "actor_username"))
    assert actions == [("create", maker.username), ("update", checker.username)]
    # The workflow kernel's typed events: the proposal's entry into 待审核, then the checker's step.
    moves = [(e.data["from"], e.data["to"], e.actor_username) for e in events.filter(action="transition")]
    assert moves == [("", "pending", maker.username), ("pending", "approved", checker.username)]


def test_reject_and_validation(imported: None, cast: object) -> None:
    maker, checker = cast.county_approver, cast.sysadmin  # type: ignore[attr-defined]
    change = param_change_propose(actor=maker, data=change_data(value="9999"))
    with pytest.raises(RulesError, match="驳回须写明理由"):
        param_change_reject(actor=checker, change=change, note=" ")
    param_change_reject(actor=checker, change=change, note="数字有误")
    assert ParameterChange.objects.get(pk=change.pk).status == "rejected"
    assert not Parameter.objects.filter(value="9999").exists()
    with pytest.raises(RulesError, match="依据"):
        param_change_propose(actor=maker, data=change_data(reference=""))
    with pytest.raises(RulesError, match="取值"):
        param_change_propose(actor=maker, data=change_data(value="abc"))
    with pytest.raises(RulesError, match="无需调整"):
        param_change_propose(
            actor=maker, data=change_data(effective_from=D(2022, 7, 1), value="1181", reference="鄞州区 2022")
        )


def test_overlay_scales_one_region_from_a_date(imported: None) -> None:
    overlay = param_overlay(key="dibao.standard", region_code="330212", from_date=D(2023, 1, 1), scale="1.05")
    assert overlay.resolve("dibao.standard", "330212100201", D(2023, 2, 1)).value == Decimal("1240.05")  # type: ignore[union-attr]
    assert overlay.resolve("dibao.standard", "330212100201", D(2022, 12, 1)).value == Decimal("1181")  # type: ignore[union-attr]
    assert overlay.resolve("dibao.standard", "330203", D(2023, 2, 1)).value == Decimal("1000")  # type: ignore[union-attr]
    assert overlay.resolve("dibao.edge_multiple", "330212", D(2023, 2, 1)).value == Decimal("2.0")  # type: ignore[union-attr]


def test_padded_region_codes_are_stored_by_their_level(db: None, tmp_path: Path) -> None:
    text = """\
dibao.standard:
  unit: 元/人/月
  values:
    - {region: "330400", from: 2018-11-01, value: 810, reference: "嘉兴市"}
    - {region: "330212000000", from: 2022-07-01, value: 1181, reference: "鄞州区"}
"""
    params_import(actor=None, path=write(tmp_path, text))
    assert sorted(Parameter.objects.values_list("region_code", flat=True)) == ["330212", "3304"]
    assert value("dibao.standard", "330411002001", D(2025, 1, 1)) == ("810", "3304", D(2018, 11, 1))


@pytest.mark.parametrize(
    "shipped",
    [
        "rules/data/params_default.yaml",
        "eldercare/data/params.yaml",
        "meals/data/params.yaml",
        "cases/data/params.yaml",
    ],
)
def test_shipped_parameter_files_round_trip_through_openfisca(db: None, tmp_path: Path, shipped: str) -> None:
    path = Path(__file__).resolve().parents[2] / shipped
    if not path.exists():
        pytest.skip(f"{shipped} not shipped")
    params_import(actor=None, path=path)
    records = param_records()
    exported = write(tmp_path, dump_openfisca(records), "openfisca.yaml")
    assert sorted(parse_file(exported), key=repr) == sorted(records, key=repr)


def test_changes_stay_inside_the_jurisdiction(imported: None, cast: object) -> None:
    maker = cast.county_approver  # type: ignore[attr-defined]  # 鄞州区 330212
    with pytest.raises(RulesError, match="超出您的管辖范围"):
        param_change_propose(actor=maker, data=change_data(region_code="33"))
    with pytest.raises(RulesError, match="全国 超出您的管辖范围"):
        param_change_propose(actor=maker, data=change_data(region_code=""))
    town = param_change_propose(actor=maker, data=change_data(region_code="330212100"))
    assert town.region_code == "330212100"
    assert ParameterChange.objects.count() == 1


def test_openfisca_parameter_file_and_directory(db: None, tmp_path: Path) -> None:
    """OpenFisca's own layout: one node per file, keyed by its path (country-template style)."""
    tree = tmp_path / "parameters"
    (tree / "dibao").mkdir(parents=True)
    (tree / "dibao" / "index.yaml").write_text("description: 最低生活保障\n", encoding="utf-8")
    (tree / "dibao" / "standard.yaml").write_text(
        "description: 最低生活保障标准\nmetadata:\n  unit: 元/人/月\n  reference:\n    - title: 鄞州区 2022\n"
        "      href: https://example.org/yz2022\n'330212':\n  values:\n    2022-07-01:\n      value: 1181\n",
        encoding="utf-8",
    )
    (tree / "gaoling").mkdir()
    (tree / "gaoling" / "min_age.yaml").write_text("values:\n  2019-01-01:\n    value: 80\n", encoding="utf-8")
    result = params_import(actor=None, path=tree)
    assert (result.rows, result.keys) == (2, ["dibao.standard", "gaoling.min_age"])
    assert value("dibao.standard", "330212100201", D(2023, 1, 1)) == ("1181", "330212", D(2022, 7, 1))
    row = Parameter.objects.get(key="dibao.standard")
    assert row.reference == "鄞州区 2022 https://example.org/yz2022" and row.unit == "元/人/月"
    single = write(tmp_path, "description: 高龄津贴\nvalues:\n  2020-01-01: {value: 100}\n", "gaoling.amount.yaml")
    assert params_import(actor=None, path=single).keys == ["gaoling.amount"]


def test_shipped_files_load_together_with_one_home_per_key(tmp_path: Path) -> None:
    """The policies read the apps' keys (eldercare.hours.*, meals.*): the in-memory defaults hold all three files."""
    from minzheng.rules.engine import DEFAULT_PARAMS, YamlParamSource, shipped_param_files

    homes = {"/".join(p.parts[-3:]) for p in DEFAULT_PARAMS}
    assert shipped_param_files() == DEFAULT_PARAMS
    assert homes == {
        "rules/data/params_default.yaml",
        "eldercare/data/params.yaml",
        "meals/data/params.yaml",
        "cases/data/params.yaml",
        "payments/data/params.yaml",
        "childvisits/data/params.yaml",
        "rescue/data/params.yaml",
        "volunteers/data/params.yaml",
        "institutions/data/params.yaml",
        "disaster/data/params.yaml",
        "socialorgs/data/params.yaml",
    }
    source = YamlParamSource.from_files(DEFAULT_PARAMS)
    on = dt.date(2025, 1, 1)
    assert source("eldercare.hours.tekun.3", "330212001001", on).value == 60
    assert source("homecare.elderly_age", "330212001001", on).value == 80
    assert source("meals.subsidy.per_day", "371103001001", on).value == 5
    assert source("cases.dibao.total_working_days", "330411002001", on).value == 12  # 嘉兴 shortened it
    twice = tmp_path / "twice.yaml"
    twice.write_text(
        'meals.min_age:\n  unit: 岁\n  values:\n    - {region: "", from: 2020-01-01, value: 65}\n', "utf-8"
    )
    with pytest.raises(ValueError, match=r"参数“meals\.min_age”已在 meals/data/params\.yaml 中定义"):
        YamlParamSource.from_files((*DEFAULT_PARAMS, twice))
