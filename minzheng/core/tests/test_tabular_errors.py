"""core.tabular: a parser's English errors become Chinese ones naming the row; good files still read."""

from __future__ import annotations

from pathlib import Path

import pytest

from minzheng.core.tabular import TabularError, open_table


def _read(path: Path) -> list[list[str]]:
    with open_table(path) as table:
        return list(table.rows)


def test_quoted_commas_quotes_and_line_breaks_still_read(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text('姓名,住址\n张三,"幸福路 1 号,2 幢"\n李四,"他说""好"""\n王五,"第一行\n第二行"\n', encoding="gbk")
    assert _read(path) == [["张三", "幸福路 1 号,2 幢"], ["李四", '他说"好"'], ["王五", "第一行\n第二行"]]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('姓名,住址\n张三,"幸福路"1 号\n', "第 2 行：引号不成对"),
        ('姓名,住址\n张三,幸福路\n李四,"幸福路\n王五,幸福路\n', "第 3 行：引号不成对"),
        ("姓名,住址\n张三,幸福路\n李四," + "路" * 40_000 + "\n", "第 3 行：有一个单元格超过 32,767 个字符"),
    ],
)
def test_broken_csv_is_refused_naming_the_row(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(TabularError, match=message):
        _read(path)


def test_not_a_zip_named_xlsx_is_refused_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("姓名,住址\n", encoding="utf-8")
    with pytest.raises(TabularError, match="文件不是有效的 Excel 文件（压缩包结构损坏：不是 zip 格式）"):
        open_table(path)
