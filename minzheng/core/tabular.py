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
import io
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


class _Range(io.RawIOBase):
    """The bytes start ≤ offset < stop of an open binary file: a CSV reader sees only its part."""

    def __init__(self, fh: Any, start: int, stop: int | None) -> None:
        fh.seek(start)
        self.fh = fh
        self.left = stop - start if stop is not None else None

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer)
        if self.left is not None:
            view = view[: max(0, self.left)]
        got = self.fh.readinto(view) if len(view) else 0
        if self.left is not None:
            self.left -= got
        return got

    def close(self) -> None:
        self.fh.close()
        super().close()


def _open_text(path: Path, encoding: str, start: int, stop: int | None) -> Any:
    if start == 0 and stop is None:
        return open(path, encoding=encoding, newline="")  # closed by the caller
    raw = _Range(open(path, "rb"), start, stop)  # noqa: SIM115 - closed with the wrapper
    return io.TextIOWrapper(io.BufferedReader(raw, 1 << 16), encoding=encoding, newline="")


def _csv_rows(
    path: Path, encoding: str, stop: int | None = None
) -> tuple[list[str], Iterator[list[str]], Callable[[], None]]:
    fh = _open_text(path, encoding, 0, stop)
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
    return headers, _records(reader, fh, len(headers)), fh.close


def _records(reader: Any, fh: Any, width: int) -> Iterator[list[str]]:
    """Data rows: cells stripped, blank rows skipped, each padded or cut to `width`."""
    with fh:
        while True:
            try:
                row = _next_record(reader)
            except StopIteration:
                return
            row = [c.strip() for c in row]
            if any(row):
                yield _pad(row, width)


def csv_piece(path: Path | str, encoding: str, start: int, stop: int, width: int) -> Iterator[list[str]]:
    """The data rows of the bytes start ≤ offset < stop of a CSV file, as `open_table` gives them.

    For reading one file in pieces (start just after a line break). A piece that does not start at
    a record's start ends inside a quoted cell, which raises TabularError like any broken quote; its
    line numbers count from the piece's start, so callers re-read the file whole to name the line.
    """
    if encoding == "utf-8-sig" and start > 0:
        encoding = "utf-8"  # the mark is only at the file's start
    fh = _open_text(Path(path), encoding, start, stop)
    _set_field_limit()
    return _records(csv.reader(fh, strict=True), fh, width)


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


def open_table(path: Path | str, stop: int | None = None) -> Table:
    """The file's table; `stop` (CSV only): read only the bytes before that offset (see csv_piece)."""
    path = Path(path)
    if not path.exists():
        raise TabularError(f"文件不存在：{path}")
    if path.suffix.lower() in EXCEL_SUFFIXES:
        headers, rows, close = _excel_rows(path)
        return Table(headers, rows, "xlsx", close)
    encoding = sniff_encoding(path)
    headers, rows, close = _csv_rows(path, encoding, stop)
    return Table(headers, rows, encoding, close)


def missing_headers(headers: list[str], required: list[str]) -> list[str]:
    present = set(headers)
    return [h for h in required if h not in present]
