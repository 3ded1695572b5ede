"""core.sheets: the one XLSX/CSV writer keeps formula payloads inert and numbers numeric."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest
from openpyxl.utils.escape import unescape

from minzheng.core.sheets import Cell, Sheet, safe_cell, safe_frame, write_csv, write_frame_csv, write_xlsx

# What a resident's name, an address or a department's feed cell may carry (OWASP CSV injection).
# The apps' export tests plant FORMULAS through their real services and check with the helpers below.
FORMULAS = ['=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\tX", "\rX"]
PAYLOADS = [*FORMULAS, "-5"]


def assert_inert_xlsx(cell: Any, payload: str) -> None:
    """A string cell (never a formula) holding the payload behind an apostrophe."""
    # XlsxWriter stores a CR as _x000D_, which Excel (not openpyxl) turns back into the character.
    assert cell.data_type == "s", (cell.coordinate, cell.value)
    assert unescape(cell.value) == "'" + payload, (cell.coordinate, cell.value)


def assert_number(cell: Any, value: float) -> None:
    assert cell.data_type == "n" and cell.value == value, (cell.coordinate, cell.value)


HARMLESS = ["张三", "http://example.org", "3302**********4412", "'已有撇号", " =1", "a=b"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_safe_cell_prefixes_formula_text(payload: str) -> None:
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", [*HARMLESS, -5, -2.5, 0, None])
def test_safe_cell_leaves_other_text_and_numbers(value: object) -> None:
    assert safe_cell(value) == value


@pytest.mark.parametrize("payload", PAYLOADS)
def test_xlsx_writes_payloads_as_prefixed_string_cells(tmp_path: Path, payload: str) -> None:
    path = tmp_path / "x.xlsx"
    rows = [[payload, -5, -1.25, Cell(payload, bold=True)], ["http://example.org", 3, None, ""]]
    assert write_xlsx(path, [Sheet("表", ["甲", "乙", "丙", "丁"], rows, formats={2: "0.00"})]) == 2
    ws = openpyxl.load_workbook(path)["表"]
    for cell in (ws["A2"], ws["D2"]):
        assert_inert_xlsx(cell, payload)
    assert (ws["B2"].data_type, ws["B2"].value, ws["C2"].value, ws["C2"].number_format) == ("n", -5, -1.25, "0.00")
    assert ws["A3"].hyperlink is None and ws["A3"].value == "http://example.org"


def test_xlsx_tuple_sheets_and_stream(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    write_xlsx(buffer, [("一", ["=A"], [["@x", 1]]), ("二", [], [])])
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    assert book.sheetnames == ["一", "二"]
    assert [c.value for c in book["一"][1]] == ["'=A", None] and [c.value for c in book["一"][2]] == ["'@x", 1]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_csv_prefixes_payloads_keeps_numbers_and_bom(tmp_path: Path, payload: str) -> None:
    path = tmp_path / "x.csv"
    write_csv(path, ["行号", payload], [[2, payload, -5, "张三"]])
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows == [["行号", "'" + payload], ["2", "'" + payload, "-5", "张三"]]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_polars_frame_prefixes_string_columns_only(tmp_path: Path, payload: str) -> None:
    frame = pl.DataFrame({"行号": [2, 3], payload: [payload, None], "金额": [-5, 7], "姓名": ["张三", payload]})
    safe = safe_frame(frame)
    assert safe.columns == ["行号", "'" + payload, "金额", "姓名"]
    assert safe["'" + payload].to_list() == ["'" + payload, None] and safe["金额"].to_list() == [-5, 7]
    path = tmp_path / "rejects.csv"
    write_frame_csv(frame, path)
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))
    assert rows[1] == ["2", "'" + payload, "-5", "张三"] and rows[2] == ["3", "", "7", "'" + payload]


def test_sheets_imports_no_django() -> None:
    """The Django-free engines write their rejects through it (see ARCHITECTURE.md)."""
    code = "import sys, minzheng.core.sheets; sys.exit('django' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


WRITERS = (
    "import xlsxwriter",
    "xlsxwriter.Workbook(",
    "csv.writer(",
    "csv.DictWriter(",
    ".write_csv(",
    ".write_excel(",
    "openpyxl.Workbook(",
)
# The demo writes what departments and villages would hand us (input files), not exports of ours.
NOT_EXPORTS = ("core/sheets.py", "/tests/", "demo/")


def test_every_export_goes_through_the_one_writer() -> None:
    root = Path(__file__).resolve().parents[2]
    found = [
        f"{path.relative_to(root)}: {needle}"
        for path in root.rglob("*.py")
        if not any(part in path.relative_to(root).as_posix() for part in NOT_EXPORTS)
        for needle in WRITERS
        if needle in path.read_text(encoding="utf-8")
    ]
    assert found == [], "write XLSX/CSV through minzheng.core.sheets"
