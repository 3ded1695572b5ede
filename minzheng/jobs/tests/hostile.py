"""The hostile-file corpus, generated: each builder writes one file and says what the refusal must contain.

Each XLSX is a minimal valid workbook (python-calamine opens the harmless ones); the hostile part is
the sheet XML or a zip member. None is bigger than a few hundred KB on disk.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

_NS = "http://schemas.openxmlformats.org/"
CONTENT_TYPES = (
    f'<?xml version="1.0"?><Types xmlns="{_NS}package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
RELS = (
    f'<?xml version="1.0"?><Relationships xmlns="{_NS}package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_NS}officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0"?><workbook xmlns="{_NS}spreadsheetml/2006/main" '
    f'xmlns:r="{_NS}officeDocument/2006/relationships"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    f'<?xml version="1.0"?><Relationships xmlns="{_NS}package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{_NS}officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
HEADERS = ("姓名", "公民身份号码", "户编号", "与户主关系", "现住址区划代码")


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


HEADER_ROW = '<row r="1">' + "".join(_inline(f"{chr(65 + i)}1", h) for i, h in enumerate(HEADERS)) + "</row>"


def sheet(rows: str, dimension: str | None = None) -> str:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    head = f'<?xml version="1.0"?><worksheet xmlns="{_NS}spreadsheetml/2006/main">'
    return f"{head}{dim}<sheetData>{rows}</sheetData></worksheet>"


def write_xlsx(path: Path, sheet_xml: str, extra: tuple[tuple[str, bytes | str], ...] = ()) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in extra:
            archive.writestr(name, data)
    return path


def sparse(folder: Path) -> Path:
    """The 1.5 KB file of the issue: one cell at XFD1048576, declared so."""
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return write_xlsx(folder / "sparse.xlsx", sheet(HEADER_ROW + far, "A1:XFD1048576"))


def sparse_undeclared(folder: Path) -> Path:
    """The same far cell with an honest-looking dimension: only the used extent gives it away."""
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return write_xlsx(folder / "sparse-undeclared.xlsx", sheet(HEADER_ROW + far, "A1:E2"))


def escaped_position(folder: Path) -> Path:
    """The far cell's position written with character references (&#88; is X), as an XML parser reads it."""
    far = '<row r="&#50;"><c r="&#88;FD&#50;"><v>1</v></c></row>'
    return write_xlsx(folder / "escaped-position.xlsx", sheet(HEADER_ROW + far, "A1:E2"))


def padded_tag(folder: Path) -> Path:
    """The far cell's r= after 3 MB of padding inside its tag, so the tag spans the guard's read chunks."""
    far = f'<row r="2"><c foo="{"x" * (3 << 20)}" r="XFD2"><v>1</v></c></row>'
    return write_xlsx(folder / "padded-tag.xlsx", sheet(HEADER_ROW + far, "A1:E2"))


def wide_row(folder: Path) -> Path:
    """20,000 cells in one row written without r= (calamine counts their positions)."""
    row = "<row>" + "<c><v>1</v></c>" * 20_000 + "</row>"
    return write_xlsx(folder / "wide-row.xlsx", sheet(HEADER_ROW + row))


def huge_rows(folder: Path) -> Path:
    """1,500 real rows: over the row limit the tests set (1,000), as a 3-million-row sheet is over 2,000,000."""
    rows = "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(2, 1_502))
    return write_xlsx(folder / "huge-rows.xlsx", sheet(HEADER_ROW + rows))


def whitespace_bomb(folder: Path) -> Path:
    """sharedStrings.xml with one 40 MB string of spaces: deflates about 1000:1."""
    strings = (
        f'<?xml version="1.0"?><sst xmlns="{_NS}spreadsheetml/2006/main" count="1" uniqueCount="1">'
        f"<si><t>{' ' * (40 << 20)}</t></si></sst>"
    )
    cell = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
    return write_xlsx(folder / "whitespace-bomb.xlsx", sheet(HEADER_ROW + cell), (("xl/sharedStrings.xml", strings),))


def zip_bomb(folder: Path) -> Path:
    """A 100 MB member of zeros in 100 KB: over the total the tests set (64 MB) before its ratio is looked at."""
    return write_xlsx(folder / "zip-bomb.xlsx", sheet(HEADER_ROW), (("xl/media/image1.bin", bytes(100 << 20)),))


def relocated_sheet(folder: Path) -> Path:
    """The far cell in a sheet stored away from xl/worksheets/, where the workbook's relationships point."""
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = folder / "relocated.xlsx"
    types = CONTENT_TYPES.replace("/xl/worksheets/sheet1.xml", "/xl/hidden/data.xml")
    rels = WORKBOOK_RELS.replace("worksheets/sheet1.xml", "hidden/data.xml")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", types)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", rels)
        archive.writestr("xl/hidden/data.xml", sheet(HEADER_ROW + far, "A1:E2"))
    return path


def broken_zip(folder: Path) -> Path:
    whole = write_xlsx(folder / "whole.xlsx", sheet(HEADER_ROW)).read_bytes()
    path = folder / "broken.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    return path


def stray_quote(folder: Path) -> Path:
    path = folder / "stray-quote.csv"
    path.write_text(
        ",".join(HEADERS) + "\n张建国,330212197803154412,H1,户主,330212100201\n"
        '"李四,330212197803154420,H2,户主,330212100201\n王五,330212197803154439,H3,户主,330212100201\n',
        encoding="utf-8",
    )
    return path


def long_field(folder: Path) -> Path:
    path = folder / "long-field.csv"
    path.write_text(",".join(HEADERS) + "\n" + "张" * 200_000 + ",330212197803154412,H1,户主,330212100201\n")
    return path


# builder, the words the Chinese refusal must contain
CORPUS: dict[str, tuple[Callable[[Path], Path], str]] = {
    "sparse": (sparse, "文件声明的表格范围为 A1:XFD1048576，共 16,384 列，超过上限 200 列"),
    "sparse-undeclared": (sparse_undeclared, "文件实际用到的表格范围为 A1:XFD1048576"),
    "escaped-position": (escaped_position, "文件实际用到的表格范围为 A1:XFD2，共 16,384 列"),
    "padded-tag": (padded_tag, "的内容结构异常（单个标签超过 1 MB），已拒收"),
    "wide-row": (wide_row, "文件实际用到的表格范围为 A1:GS2，共 201 列，超过上限 200 列"),
    "huge-rows": (huge_rows, "文件实际用到的表格范围为 A1:E1501，共 1,501 行，超过上限 1,000 行"),
    "whitespace-bomb": (whitespace_bomb, "像是压缩炸弹"),
    "zip-bomb": (zip_bomb, "文件解压后超过 64 MB"),
    "relocated-sheet": (relocated_sheet, "工作表“data”：文件实际用到的表格范围为 A1:XFD1048576"),
    "broken-zip": (broken_zip, "文件不是有效的 Excel 文件（压缩包结构损坏"),
    "stray-quote": (stray_quote, "第 3 行：引号不成对"),
    "long-field": (long_field, "第 2 行：有一个单元格超过 32,767 个字符"),
}
# The tests lower these so the corpus stays small; the defaults are 2,000,000 rows and 2,048 MB.
TEST_LIMITS = {"MINZHENG_SHEET_MAX_ROWS": 1_000, "MINZHENG_FILE_MAX_UNCOMPRESSED_MB": 64}
