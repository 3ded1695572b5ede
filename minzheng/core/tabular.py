"""Read the files offices exchange: CSV (UTF-8 ± BOM, GBK, GB18030) and XLSX/XLS.

Every cell comes back as text, because identity numbers and codes typed as
numbers lose digits or leading zeros otherwise. Rows are streamed so memory
stays flat in file size.

Hostile or broken files are refused with a Chinese reason before a parser
allocates for them (`core.fileguard`: a spreadsheet's declared and used extent,
zip bombs), and a parser's English error becomes a Chinese one naming the row:
an oversized CSV field, an unclosed quote, a broken zip, calamine's errors.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from minzheng.core import fileguard

EXCEL_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".xlsb", ".ods"}


class TabularError(ValueError):
    """The file as a whole cannot be read; the message is Chinese."""


@dataclass
class Table:
    """Use as a context manager so the file closes even when rows are not exhausted."""

    headers: list[str]
    rows: Iterator[list[str]]  # data rows only, each padded to len(headers)
    encoding: str
    close: Callable[[], None] = lambda: None

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def sniff_encoding(path: Path) -> str:
    """utf-8-sig if the whole file decodes as UTF-8, else gb18030 (a superset of GBK)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return "gb18030"
    return "utf-8-sig"


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _pad(row: list[str], width: int) -> list[str]:
    if len(row) < width:
        return row + [""] * (width - len(row))
    return row[:width]


def _csv_rows(path: Path, encoding: str) -> tuple[list[str], Iterator[list[str]], Callable[[], None]]:
    fh = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed by gen() or Table.close
    # strict: a quote left open would otherwise swallow every later row into one cell, silently.
    reader = csv.reader(fh, strict=True)
    _set_field_limit()
    try:
        headers = [h.strip() for h in _next_record(reader)]
    except StopIteration:
        fh.close()
        raise TabularError("文件为空") from None
    except (UnicodeDecodeError, TabularError):
        fh.close()
        raise

    def gen() -> Iterator[list[str]]:
        with fh:
            while True:
                try:
                    row = _next_record(reader)
                except StopIteration:
                    return
                if any(cell.strip() for cell in row):
                    yield _pad([c.strip() for c in row], len(headers))

    return headers, gen(), fh.close


def _set_field_limit() -> None:
    """Python's csv refuses fields of 131,072+ characters in English; ours is Excel's cell limit."""
    csv.field_size_limit(fileguard.active_limits().max_cell_chars + 1)


def _next_record(reader: Any) -> list[str]:
    """The next record, or a Chinese TabularError naming the line where the broken record starts."""
    start = reader.line_num + 1
    try:
        return next(reader)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise TabularError(fileguard.csv_field_error(start)) from exc
        raise TabularError(fileguard.csv_quote_error(start)) from exc
    except UnicodeDecodeError as exc:
        raise TabularError(f"第 {start} 行附近：无法识别文件编码（支持 UTF-8、GBK、GB18030）") from exc


def _excel_rows(path: Path) -> tuple[list[str], Iterator[list[str]], Callable[[], None]]:
    try:
        fileguard.check_file(path)  # before calamine: it allocates the sheet's whole extent at once
    except fileguard.FileRefused as exc:
        raise TabularError(str(exc)) from exc
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:  # calamine's errors are English and name no row
        raise TabularError("无法读取 Excel 文件（文件已损坏或不是 Excel 格式）；请用 Excel 另存后重新上传") from exc
    rows = iter(sheet.iter_rows())
    try:
        headers = [_cell_text(h) for h in _next_excel_row(rows, 1)]
    except StopIteration:
        raise TabularError("文件为空") from None
    while headers and headers[-1] == "":
        headers.pop()

    def gen() -> Iterator[list[str]]:
        row_no = 1
        while True:
            row_no += 1
            try:
                raw = _next_excel_row(rows, row_no)
            except StopIteration:
                return
            row = [_cell_text(c) for c in raw]
            if any(row):
                yield _pad(row, len(headers))

    return headers, gen(), workbook.close


def _next_excel_row(rows: Iterator[list[Any]], row_no: int) -> list[Any]:
    try:
        return next(rows)
    except StopIteration:
        raise
    except Exception as exc:
        raise TabularError(f"第 {row_no} 行：Excel 文件内容损坏，无法读取；请用 Excel 另存后重新上传") from exc


def open_table(path: Path | str) -> Table:
    path = Path(path)
    if not path.exists():
        raise TabularError(f"文件不存在：{path}")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        headers, rows, close = _excel_rows(path)
        return Table(headers, rows, "xlsx", close)
    encoding = sniff_encoding(path)
    headers, rows, close = _csv_rows(path, encoding)
    return Table(headers, rows, encoding, close)


def missing_headers(headers: list[str], required: list[str]) -> list[str]:
    present = set(headers)
    return [h for h in required if h not in present]
