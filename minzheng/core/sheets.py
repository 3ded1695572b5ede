"""The one writer of every XLSX and CSV the platform produces, safe against formula injection.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or CR is taken as a formula (or DDE
payload) by Excel, WPS and LibreOffice when the file is opened, or when an XLSX is re-saved as CSV
and reopened. A resident's name or address, or a department's feed cell, is typed by someone we do
not control, so every *string* written here is neutralised by a leading apostrophe (OWASP's advice
for CSV). In XLSX text is always written as a string cell (never through XlsxWriter's guessing
``write``, which turns ``=...`` into a formula and ``http://...`` into a link) and is prefixed as
well, so it stays inert when someone saves the sheet as CSV. Numbers stay numbers: -5 is a number,
the string "-5" typed into a form or a feed is text and gets the prefix.

Django-free on purpose: the verification and rules engines write their rejects files through it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import xlsxwriter

if TYPE_CHECKING:
    import polars as pl

# What spreadsheet programs read as the start of a formula (OWASP CSV injection).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_TRIGGER_PATTERN = r"^[=+\-@\t\r]"
QUOTE = "'"

# XlsxWriter must never guess a cell's type from its text.
_BOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}


def safe_text(text: str) -> str:
    """`text` with a leading apostrophe when it would start a formula."""
    return QUOTE + text if text.startswith(TRIGGERS) else text


def safe_cell(value: Any) -> Any:
    """A cell value ready for a sheet: numbers and None pass, everything else becomes safe text."""
    if value is None or _is_number(value):
        return value
    return safe_text(_text(value))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


# --- XLSX -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """A value with its own look (a bold total, a money format); plain values need no wrapper."""

    value: Any
    bold: bool = False
    num_format: str | None = None


@dataclass
class Sheet:
    """One worksheet: optional bold lines above the bold header, then the rows.

    `formats` gives a column's number format for its data cells (``"0.00"`` for 元, ``"@"`` so
    Excel keeps typed digits as text); `widths` are ``(first_col, last_col, width)``.
    """

    title: str
    header: Sequence[Any] = ()
    rows: Iterable[Sequence[Any]] = ()
    above: Sequence[Sequence[Any]] = ()
    formats: Mapping[int, str] = field(default_factory=dict)
    widths: Sequence[tuple[int, int, float]] = ()


NONE: Mapping[int, str] = {}
SheetLike = Sheet | tuple[str, Sequence[Any], Iterable[Sequence[Any]]]


class _Formats:
    """XlsxWriter formats are workbook objects: make each (bold, num_format) pair once."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self.made: dict[tuple[bool, str | None], Any] = {}

    def get(self, bold: bool, num_format: str | None) -> Any:
        if not bold and not num_format:
            return None
        key = (bold, num_format)
        if key not in self.made:
            spec: dict[str, Any] = {"bold": True} if bold else {}
            if num_format:
                spec["num_format"] = num_format
            self.made[key] = self.book.add_format(spec)
        return self.made[key]


def write_xlsx(target: str | Path | IO[bytes], sheets: Iterable[SheetLike]) -> int:
    """Write the sheets to a path or a binary stream; returns the number of data rows written."""
    options = dict(_BOOK_OPTIONS)
    if not isinstance(target, str | Path):
        options["in_memory"] = True
    written = 0
    with xlsxwriter.Workbook(target, options) as book:
        formats = _Formats(book)
        for sheet in sheets:
            written += _write_sheet(book, formats, sheet if isinstance(sheet, Sheet) else Sheet(*sheet))
    return written


def xlsx_bytes(sheets: Iterable[SheetLike]) -> bytes:
    import io

    buffer = io.BytesIO()
    write_xlsx(buffer, sheets)
    return buffer.getvalue()


def _write_sheet(book: Any, formats: _Formats, sheet: Sheet) -> int:
    ws = book.add_worksheet(sheet.title)
    r = 0
    for line in sheet.above:
        _write_row(ws, formats, r, line, bold=True)
        r += 1
    if sheet.header:
        _write_row(ws, formats, r, sheet.header, bold=True)
        r += 1
    first_data = r
    for row in sheet.rows:
        _write_row(ws, formats, r, row, column_formats=sheet.formats)
        r += 1
    for first, last, width in sheet.widths:
        ws.set_column(first, last, width)
    return r - first_data


def _write_row(
    ws: Any,
    formats: _Formats,
    r: int,
    row: Sequence[Any],
    *,
    bold: bool = False,
    column_formats: Mapping[int, str] = NONE,
) -> None:
    for c, value in enumerate(row):
        cell = value if isinstance(value, Cell) else Cell(value, bold)
        fmt = formats.get(cell.bold or bold, cell.num_format or column_formats.get(c))
        _write_cell(ws, r, c, safe_cell(cell.value), fmt)


def _write_cell(ws: Any, r: int, c: int, value: Any, fmt: Any) -> None:
    if value is None or value == "":
        if fmt is not None:
            ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, value, fmt)
    else:
        ws.write_number(r, c, value, fmt)


# --- CSV ------------------------------------------------------------------------------------------


def write_csv(
    target: str | Path | IO[str],
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    *,
    bom: bool = True,
    lineterminator: str = "\r\n",
) -> int:
    """Write a CSV (UTF-8, with the BOM Excel needs to read it as UTF-8); returns the data rows written.

    A path is opened here; an open text stream is written as it is (its encoding is the caller's).
    """
    if isinstance(target, str | Path):
        with open(target, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as fh:
            return _write_csv_rows(fh, header, rows, lineterminator)
    return _write_csv_rows(target, header, rows, lineterminator)


def csv_line(cells: Sequence[Any], *, delimiter: str = ",", lineterminator: str = "\r\n") -> str:
    """One CSV record as text, for formats read by machines that are written line by line (bank
    代发 files, whose encoding and delimiter are the bank's); cells neutralised like every other CSV."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator=lineterminator).writerow([safe_cell(v) for v in cells])
    return buffer.getvalue()


def _write_csv_rows(fh: IO[str], header: Sequence[Any], rows: Iterable[Sequence[Any]], lineterminator: str) -> int:
    writer = csv.writer(fh, lineterminator=lineterminator)
    writer.writerow([safe_cell(v) for v in header])
    count = 0
    for row in rows:
        writer.writerow([safe_cell(v) for v in row])
        count += 1
    return count


# --- Polars (the engines' vectorised rejects writers) ---------------------------------------------


def safe_expr(column: str | pl.Expr) -> pl.Expr:
    """`safe_text` as one vectorised Polars expression over a String column (nulls stay null)."""
    import polars as pl

    col = pl.col(column) if isinstance(column, str) else column
    return pl.when(col.str.contains(_TRIGGER_PATTERN)).then(pl.lit(QUOTE) + col).otherwise(col)


def safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Every String column and every column name made safe; numeric columns untouched."""
    import polars as pl

    strings = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    if strings:
        frame = frame.with_columns(safe_expr(name).alias(name) for name in strings)
    renames = {name: safe_text(name) for name in frame.columns if safe_text(name) != name}
    return frame.rename(renames) if renames else frame


def write_frame_csv(frame: pl.DataFrame, target: str | Path) -> None:
    """A Polars frame as a safe CSV with the BOM Excel needs."""
    safe_frame(frame).write_csv(target, include_bom=True)
