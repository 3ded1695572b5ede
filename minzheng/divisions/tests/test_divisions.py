from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from minzheng.core.tabular import TabularError
from minzheng.divisions import codes
from minzheng.divisions.models import Division
from minzheng.divisions.selectors import division_full_name
from minzheng.divisions.services import divisions_import, divisions_load_builtin


@pytest.mark.parametrize(
    ("code", "level", "parent"),
    [
        ("330000000000", codes.PROVINCE, None),
        ("330200000000", codes.CITY, "330000000000"),
        ("330212000000", codes.COUNTY, "330200000000"),
        ("330212100000", codes.TOWN, "330212000000"),
        ("330212100201", codes.VILLAGE, "330212100000"),
    ],
)
def test_level_and_parent_from_code(code: str, level: int, parent: str | None) -> None:
    assert codes.level_of(code) == level
    assert codes.parent_of(code) == parent


def test_normalize_pads_county_code_and_rejects_junk() -> None:
    assert codes.normalize("330212") == "330212000000"
    with pytest.raises(codes.DivisionCodeError) as info:
        codes.normalize("33021X")
    assert str(info.value) == "区划代码“33021X”应为 12 位数字"


def test_builtin_has_real_villages_and_is_idempotent(db: None) -> None:
    first = divisions_load_builtin()
    assert first.created > 30000
    assert division_full_name("330212100201") == "浙江省宁波市鄞州区瞻岐镇合一村"
    again = divisions_load_builtin()
    assert (again.created, again.updated) == (0, 0)


def _csv(tmp_path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path = tmp_path / "区划.csv"
    path.write_text(text, encoding=encoding)
    return path


def test_import_csv_gbk_derives_level_and_parent(db: None, tmp_path: Path) -> None:
    path = _csv(tmp_path, "区划代码,名称\n330212100201,合一村\n330212100000,瞻岐镇\n", encoding="gbk")
    result = divisions_import(path=path, actor=None)
    assert (result.rows, result.created, result.errors) == (2, 2, [])
    village = Division.objects.get(code="330212100201")
    assert (village.level, village.parent_id) == (codes.VILLAGE, "330212100000")


def test_import_xlsx_renames(db: None, tmp_path: Path) -> None:
    divisions_import(path=_csv(tmp_path, "区划代码,名称\n330212100201,合一村\n"), actor=None)
    wb = openpyxl.Workbook()
    wb.active.append(["区划代码", "名称"])
    wb.active.append(["330212100201", "合一新村"])
    path = tmp_path / "区划.xlsx"
    wb.save(path)
    result = divisions_import(path=path, actor=None)
    assert (result.created, result.updated) == (0, 1)
    assert Division.objects.get(code="330212100201").name == "合一新村"


def test_bad_row_fails_whole_file(db: None, tmp_path: Path) -> None:
    path = _csv(tmp_path, "区划代码,名称\n330212100201,合一村\n12AB,坏行\n330212100206,\n")
    result = divisions_import(path=path, actor=None)
    assert result.errors == ["第 3 行：区划代码“12AB”应为 12 位数字", "第 4 行：名称为空"]
    assert not Division.objects.exists()


def test_missing_header(db: None, tmp_path: Path) -> None:
    with pytest.raises(TabularError) as info:
        divisions_import(path=_csv(tmp_path, "代码,名称\n330212100201,合一村\n"), actor=None)
    assert str(info.value) == "缺少必填列：区划代码"
