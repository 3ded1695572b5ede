"""Read the files offices exchange: CSV (UTF-8 ± BOM, GBK, GB18030) and XLSX/XLS.

Every cell comes back as text, because identity numbers and codes typed as
numbers lose digits or leading zeros otherwise. Rows are streamed so memory
stays flat in file size.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

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
    reader = csv.reader(fh)
    try:
        headers = [h.strip() for h in next(reader)]
    except StopIteration:
        fh.close()
        raise TabularError("文件为空") from None
    except UnicodeDecodeError as exc:
        fh.close()
        raise TabularError("无法识别文件编码（支持 UTF-8、GBK、GB18030）") from exc

    def gen() -> Iterator[list[str]]:
        with fh:
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield _pad([c.strip() for c in row], len(headers))

    return headers, gen(), fh.close


def _excel_rows(path: Path) -> tuple[list[str], Iterator[list[str]], Callable[[], None]]:
    try:
        workbook = CalamineWorkbook.from_path(str(path))
        sheet = workbook.get_sheet_by_index(0)
    except Exception as exc:
        raise TabularError(f"无法读取 Excel 文件：{exc}") from exc
    rows = iter(sheet.iter_rows())
    try:
        headers = [_cell_text(h) for h in next(rows)]
    except StopIteration:
        raise TabularError("文件为空") from None
    while headers and headers[-1] == "":
        headers.pop()

    def gen() -> Iterator[list[str]]:
        for raw in rows:
            row = [_cell_text(c) for c in raw]
            if any(row):
                yield _pad(row, len(headers))

    return headers, gen(), workbook.close


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
