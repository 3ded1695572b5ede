"""Refuse hostile spreadsheet and CSV files before a parser allocates for them (Django-free).

The verification engine (Django-free) and `core.tabular` both call `check_file` before reading.
python-calamine builds a dense cell grid over a sheet's extent: one cell at XFD1048576 in a 1.7 KB
XLSX asks for 16,384 × 1,048,576 cells, hundreds of GiB, and the process aborts. An XLSX is a
zip of XML, so its members can also be zip or whitespace bombs (sharedStrings.xml is held in
memory whole). So, for XLSX/XLSM, from the zip directory and one streaming pass over each
worksheet's XML (nothing is held but a few counters):

- every member's declared and real uncompressed size, the total, and the compression ratio;
- each sheet's declared `<dimension ref=…>` and the row/column extent actually used (`r=`
  attributes, or positions counted when a writer leaves them out), against rows, columns, cells.

XLSB and ODS are zips too and get the zip checks; XLS (BIFF) gets none here: the file-size cap
and the job's memory limit (jobs run heavy work in a child process) bound it. CSV is streamed by
its readers, so it gets the per-line checks in `check_csv_lines` (oversized field, unclosed quote).

Limits come from `active_limits()`: the Django side (`minzheng.jobs.apps`) installs the values of
the MINZHENG_* settings with `configure()`; without Django the defaults below apply.
"""

from __future__ import annotations

import html
import posixpath
import re
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

ZIP_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}
SHEET_XML_SUFFIXES = {".xlsx", ".xlsm"}
EXCEL_MAX_COLUMNS = 16_384  # XFD


class FileRefused(ValueError):
    """The file is refused before anything reads it; the message is Chinese and says why."""


@dataclass(frozen=True)
class Limits:
    """Defaults for a county: the largest county resident file is about a million rows of ~25 columns.

    - max_rows 2,000,000: twice the largest county (and above Excel's own 1,048,576 per sheet).
    - max_columns 200: the resident file has ~25 columns, a department feed at most ~30.
    - max_cells 50,000,000: calamine's grid costs ~32 bytes a cell, so ≤ 1.6 GB at worst.
    - max_uncompressed_bytes 2 GiB: a million rows × 25 cells of sheet XML is ~1 GB; twice that.
    - max_shared_strings_bytes 512 MiB: sharedStrings.xml is held in memory whole.
    - max_ratio 100: real sheet XML deflates 5–20×; bombs of spaces or repeats deflate 1000×.
      Only for members above ratio_floor_bytes (small members such as styles can deflate more).
    - max_cell_chars 32,767: Excel's own limit for one cell; a longer CSV field is a broken file.
    """

    max_rows: int = 2_000_000
    max_columns: int = 200
    max_cells: int = 50_000_000
    max_uncompressed_bytes: int = 2 << 30
    max_shared_strings_bytes: int = 512 << 20
    max_ratio: int = 100
    ratio_floor_bytes: int = 16 << 20
    max_cell_chars: int = 32_767

    def with_(self, **changes: int) -> Limits:
        return replace(self, **changes)


_ACTIVE = Limits()


def configure(limits: Limits) -> None:
    """Install the limits every later check uses (the Django app does this from settings)."""
    global _ACTIVE  # one process-wide configuration, set at start-up and by tests
    _ACTIVE = limits


def active_limits() -> Limits:
    return _ACTIVE


def check_file(path: Path | str, limits: Limits | None = None) -> None:
    """Raise FileRefused if the spreadsheet is hostile or broken; CSV and XLS pass (see module doc)."""
    path = Path(path)
    limits = limits or _ACTIVE
    suffix = path.suffix.lower()
    if suffix not in ZIP_SUFFIXES:
        return
    try:
        with zipfile.ZipFile(path) as archive:
            _check_members(archive, limits)
            if suffix in SHEET_XML_SUFFIXES:
                for name in _sheet_names(archive):
                    _check_sheet(archive, name, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError) as exc:
        raise FileRefused(
            f"文件不是有效的 Excel 文件（压缩包结构损坏：{_zip_reason(exc)}）；请用 Excel 另存后重新上传"
        ) from exc


def _zip_reason(exc: Exception) -> str:
    text = str(exc)
    if "CRC" in text:
        return "校验和不符"
    if "not a zip file" in text.lower() or "File is not a zip file" in text:
        return "不是 zip 格式"
    if "compression method" in text.lower():
        return "不支持的压缩方式"
    return "无法解压"


def _mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB" if size >= 1 << 20 else f"{size:,} 字节"


def _check_members(archive: zipfile.ZipFile, limits: Limits) -> None:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise FileRefused(
                f"文件解压后超过 {_mb(limits.max_uncompressed_bytes)}（压缩炸弹或过大的表格），已拒收；"
                "请拆分成几个较小的文件"
            )
        if info.filename.lower().endswith("sharedstrings.xml") and info.file_size > limits.max_shared_strings_bytes:
            limit = _mb(limits.max_shared_strings_bytes)
            raise FileRefused(f"文件的共享文本部分解压后为 {_mb(info.file_size)}，超过上限 {limit}，已拒收")
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.ratio_floor_bytes and ratio > limits.max_ratio:
            raise FileRefused(
                f"文件中的“{info.filename}”压缩比为 {ratio:,.0f}:1（解压后 {_mb(info.file_size)}），"
                f"超过上限 {limits.max_ratio}:1，像是压缩炸弹，已拒收"
            )


_SHEET_NAME = re.compile(r"^xl/worksheets/[^/]+\.xml$", re.IGNORECASE)
_RELATIONSHIP = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_ATTR = re.compile(rb"\b(Type|Target)\s*=\s*[\"']([^\"']*)[\"']")
RELS_LIMIT = 16 << 20


def _sheet_names(archive: zipfile.ZipFile) -> list[str]:
    """Every worksheet part: the usual folder, and wherever the workbook's relationships point
    (calamine follows them, so a sheet moved to xl/hidden/data.xml is read all the same)."""
    present = {info.filename for info in archive.infolist()}
    names = {name for name in present if _SHEET_NAME.match(name)}
    if "xl/_rels/workbook.xml.rels" in present:
        with archive.open("xl/_rels/workbook.xml.rels") as fh:
            rels = fh.read(RELS_LIMIT)
        for tag in _RELATIONSHIP.findall(rels):
            attrs = {k.decode(): v.decode("utf-8", "replace") for k, v in _ATTR.findall(tag)}
            if attrs.get("Type", "").endswith("/worksheet") and attrs.get("Target"):
                target = attrs["Target"]
                name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(f"xl/{target}")
                names.update(n for n in present if n.lower() == name.lower())
    return sorted(names)


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\b[^>]*?\bref\s*=\s*[\"']([^\"']*)[\"']")
# One alternation keeps tags in document order: rows and cells, with their r= if present.
_TAG = re.compile(rb"<(?:\w+:)?(row|c)(?=[\s/>])([^>]*)>")
_REF = re.compile(rb"""(?<![\w:.-])r\s*=\s*(["'])(.*?)\1""", re.DOTALL)
_REF_VALUE = re.compile(r"^\s*\$?([A-Za-z]*)\$?(\d*)\s*$")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d{1,7})$")
CHUNK = 1 << 20


def column_number(letters: str | bytes) -> int:
    """A → 1, Z → 26, AA → 27, XFD → 16384."""
    text = letters.decode("ascii") if isinstance(letters, bytes) else letters
    number = 0
    for char in text.upper():
        number = number * 26 + (ord(char) - 64)
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


@dataclass
class _Extent:
    rows: int = 0
    columns: int = 0
    row: int = 0  # the current row, for rows and cells written without r=
    column: int = 0


def _check_sheet(archive: zipfile.ZipFile, name: str, limits: Limits) -> None:
    extent = _Extent()
    tail = b""
    first = True
    with archive.open(name) as stream:  # zipfile stops at the declared size and checks the CRC
        while chunk := stream.read(CHUNK):
            data = tail + chunk
            if first:
                _check_dimension(data, name, limits)
                first = False
            cut = data.rfind(b"<")  # a tag cut by the chunk's end is read with the next chunk
            if cut == -1:  # text only (no tag starts here: any open tag is in the carried tail)
                cut = len(data)
            _scan(data[:cut], extent, name, limits)
            tail = data[cut:]
            if len(tail) > CHUNK:  # a tag longer than a megabyte is no spreadsheet
                raise FileRefused(f"工作表“{_sheet_label(name)}”的内容结构异常（单个标签超过 1 MB），已拒收")
        _scan(tail, extent, name, limits)


def _sheet_label(name: str) -> str:
    return Path(name).stem


def _check_dimension(head: bytes, name: str, limits: Limits) -> None:
    match = _DIMENSION.search(head)
    if not match:
        return
    ref = match.group(1).decode("ascii", "replace")
    corners = [_CELL_REF.match(part) for part in ref.split(":")]
    if not all(corners):
        return  # calamine ignores a malformed dimension as well
    rows = max(int(c.group(2)) for c in corners if c)
    columns = max(column_number(c.group(1)) for c in corners if c)
    _refuse_extent(rows, columns, limits, f"文件声明的表格范围为 {ref}", name)


# Excel, WPS, openpyxl and xlsxwriter write r= first: `<row r="7"`, `<c r="B7"`. Counting tags with
# bytes.count and matching only that form keeps the pass at ~1 s per 100,000 rows of 20 cells.
_ROW_FAST = re.compile(rb'<row r="(\d+)"')
_CELL_FAST = re.compile(rb'<c r="([A-Z]{1,3})(\d+)"')
_ODD_TAG = re.compile(rb"<(?:\w+:(?:c|row)[\s/>]|(?:c|row)[\t\r\n])")


def _plain(data: bytes, tag: bytes) -> int:
    return data.count(b"<" + tag + b" ") + data.count(b"<" + tag + b">") + data.count(b"<" + tag + b"/>")


def _scan(data: bytes, extent: _Extent, name: str, limits: Limits) -> None:
    """Fast path when every row and cell says where it is; else tag by tag (`_scan_positions`)."""
    rows = _ROW_FAST.findall(data)
    cells = _CELL_FAST.findall(data)
    if len(rows) != _plain(data, b"row") or len(cells) != _plain(data, b"c") or _ODD_TAG.search(data):
        _scan_positions(data, extent, name, limits)
        return
    if not rows and not cells:
        return
    letters, numbers = zip(*cells, strict=True) if cells else ((), ())
    # Sets first: a chunk has a few thousand distinct row numbers but a hundred thousand cells.
    extent.rows = max(extent.rows, max(map(int, set(rows).union(numbers)), default=0))
    extent.columns = max(extent.columns, max(map(column_number, set(letters)), default=0))
    extent.row = int(rows[-1]) if rows else extent.row
    extent.column = column_number(letters[-1]) if letters else extent.column
    _refuse_extent(extent.rows, extent.columns, limits, "文件实际用到的表格范围", name)


def _scan_positions(data: bytes, extent: _Extent, name: str, limits: Limits) -> None:
    """Tag by tag, counting positions as calamine does for rows and cells without r=."""
    for match in _TAG.finditer(data):
        tag, attrs = match.group(1), match.group(2)
        ref = _ref(attrs, name)
        if tag == b"row":
            extent.row = int(ref.group(2)) if ref and ref.group(2) else extent.row + 1
            extent.column = 0
            if extent.row > extent.rows:
                extent.rows = extent.row
                if extent.rows > limits.max_rows:
                    _refuse_extent(extent.rows, extent.columns, limits, "文件实际用到的表格范围", name)
            continue
        if ref and ref.group(1):
            extent.column = column_number(ref.group(1))
            if ref.group(2):
                extent.row = max(extent.row, int(ref.group(2)))
        else:
            extent.column += 1
        if extent.column > extent.columns or extent.row > extent.rows:
            extent.columns = max(extent.columns, extent.column)
            extent.rows = max(extent.rows, extent.row)
            _refuse_extent(extent.rows, extent.columns, limits, "文件实际用到的表格范围", name)


def _ref(attrs: bytes, name: str) -> re.Match[str] | None:
    """A row's or cell's r= as (letters, digits), character references decoded as an XML parser does.

    A value that is no position at all is refused: guessing where calamine would put it is unsafe.
    """
    found = _REF.search(attrs)
    if not found:
        return None
    raw = found.group(2).decode("utf-8", "replace")
    value = html.unescape(raw) if "&" in raw else raw
    parsed = _REF_VALUE.match(value)
    if parsed is None:
        raise FileRefused(f"工作表“{_sheet_label(name)}”中有无法识别的单元格位置“{raw[:40]}”，已拒收")
    return parsed


def _refuse_extent(rows: int, columns: int, limits: Limits, what: str, name: str) -> None:
    if what.startswith("文件实际"):
        what = f"{what}为 A1:{column_letters(max(columns, 1))}{max(rows, 1)}"
    sheet = f"工作表“{_sheet_label(name)}”：" if name else ""
    if columns > limits.max_columns:
        raise FileRefused(
            f"{sheet}{what}，共 {columns:,} 列，超过上限 {limits.max_columns} 列；"
            "请删除多余的列（或远处误填的单元格）后另存重新上传"
        )
    if rows > limits.max_rows:
        raise FileRefused(f"{sheet}{what}，共 {rows:,} 行，超过上限 {limits.max_rows:,} 行；请拆分文件后重新上传")
    if rows * columns > limits.max_cells:
        raise FileRefused(
            f"{sheet}{what}，共 {rows:,} 行 × {columns:,} 列，超过上限 {limits.max_cells:,} 个单元格；"
            "请删除远处误填的单元格或拆分文件后重新上传"
        )


# --- CSV ---------------------------------------------------------------------------------------
def csv_field_error(line: int, limits: Limits | None = None) -> str:
    limit = (limits or _ACTIVE).max_cell_chars
    return (
        f"第 {line} 行：有一个单元格超过 {limit:,} 个字符（可能是引号不成对，后面的内容都并进了这一格）；"
        "请检查该行的引号后重新上传"
    )


def csv_quote_error(line: int) -> str:
    return f"第 {line} 行：引号不成对（单元格以引号开头却没有结束引号，或引号后紧跟其他字符）；请检查该行后重新上传"


def check_csv_lines(path: Path | str, limits: Limits | None = None) -> None:
    """One byte-level pass for readers that do not check (Polars): oversized fields, unclosed quotes.

    A quote opened on one line may close on a later one (a cell with a line break), but not after
    more than max_cell_chars or at the end of the file: then every later row would be swallowed
    into one cell, silently. Encoding does not matter here: `"`, `,` and `\\n` are single bytes in
    UTF-8 and in GB18030 alike.
    """
    limits = limits or _ACTIVE
    line_no, open_since, open_bytes, tail = 0, 0, 0, b""
    with Path(path).open("rb") as fh:
        while chunk := fh.read(8 << 20):
            lines = (tail + chunk).split(b"\n")
            tail = lines.pop()
            for line in lines:
                line_no += 1
                open_since, open_bytes = _csv_line(line, line_no, open_since, open_bytes, limits)
            if len(tail) > limits.max_cell_chars * 4:
                _csv_line(tail, line_no + 1, open_since, open_bytes, limits)
    if tail:
        line_no += 1
        open_since, open_bytes = _csv_line(tail, line_no, open_since, open_bytes, limits)
    if open_since:
        raise FileRefused(csv_quote_error(open_since))


def _csv_line(line: bytes, line_no: int, open_since: int, open_bytes: int, limits: Limits) -> tuple[int, int]:
    """(the line where an unclosed quote opened or 0, the bytes read inside it) after this line."""
    if len(line) > limits.max_cell_chars:
        longest = max(line.split(b","), key=len)
        if len(longest.decode("utf-8", "ignore") or longest) > limits.max_cell_chars:
            raise FileRefused(csv_field_error(open_since or line_no, limits))
    quotes = line.count(b'"')
    if open_since:
        open_bytes += len(line) + 1
        if open_bytes > limits.max_cell_chars * 4:
            raise FileRefused(csv_field_error(open_since, limits))
        return (0, 0) if quotes % 2 else (open_since, open_bytes)
    if quotes % 2:
        return line_no, len(line) - line.find(b'"')
    return 0, 0
