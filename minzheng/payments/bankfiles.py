"""Bank disbursement files and return files, in formats declared as data (data/banks/*.yaml).

A disbursement file carries control totals (count, sum) in its header and trailer and our line id
as each row's reference, which the bank echoes in its return file. The file is a pure function of
the run's lines (no timestamp), so regenerating it gives the same bytes and the same sha256.
Written streaming: a county's million lines never sit in memory as objects.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import IO, Any

import yaml
from django.conf import settings
from django.db.models import Count, Sum

from minzheng.core.sheets import csv_line
from minzheng.payments.models import PayrollLine, PayrollRun
from minzheng.payments.programmes import programme

BANKS_DIR = Path(__file__).with_name("data") / "banks"
ROW_FIELDS = (
    "pk",
    "payee_name",
    "payee_id_number",
    "account_no",
    "account_name",
    "bank_code",
    "bank_name",
    "amount_fen",
    "period",
    "division_code",
    "members",
)


class BankFileError(ValueError):
    """A file that cannot be written or read in its declared format; the message is Chinese."""


@dataclass(frozen=True)
class BankFormat:
    id: str
    name: str
    kind: str  # csv | fixed
    encoding: str
    extension: str
    columns: list[dict[str, Any]]
    newline: str = "\r\n"
    delimiter: str = ","
    header: list[Any] = field(default_factory=list)
    trailer: list[Any] = field(default_factory=list)
    column_titles: bool = False
    returns: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Written:
    name: str
    count: int
    total_fen: int
    sha256: str


@cache
def formats() -> dict[str, BankFormat]:
    out = {}
    for path in sorted(BANKS_DIR.glob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        raw["returns"] = raw.pop("return", {})
        fmt = BankFormat(**raw)
        if fmt.kind not in ("csv", "fixed"):
            raise BankFileError(f"{path.name}：kind 应为 csv 或 fixed")
        out[fmt.id] = fmt
    return out


def bank_format(bank: str | None) -> BankFormat:
    """The named format, else the installation's (setting PAYROLL_BANK_FORMAT / env), else default."""
    name = bank or getattr(settings, "PAYROLL_BANK_FORMAT", "") or os.environ.get("MINZHENG_PAYROLL_BANK_FORMAT")
    try:
        return formats()[name or "default"]
    except KeyError:
        raise BankFileError(f"没有代发文件格式“{name}”（见 payments/data/banks）") from None


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def file_name(run: PayrollRun, fmt: BankFormat) -> str:
    return f"代发_{run.programme}_{run.region}_{run.month:%Y%m}_{run.seq}_{fmt.id}.{fmt.extension}"


def _lines(run: PayrollRun) -> Any:
    return PayrollLine.objects.filter(run=run).exclude(status="cancelled")


def write(run: PayrollRun, fmt: BankFormat, target: IO[bytes]) -> Written:
    """Write the run's disbursement file into `target`; count, total and sha256 of what was written."""
    agg = _lines(run).aggregate(n=Count("id"), total=Sum("amount_fen"))
    count, total = agg["n"], agg["total"] or 0
    prog = programme(run.programme)
    values = {
        "batch": f"{run.programme}-{run.month:%Y%m}-{run.region}-{run.seq}",
        "count": count,
        "total_fen": total,
        "total_yuan": yuan(total),
        "programme": run.programme,
        "programme_name": prog.name,
        "month": f"{run.month:%Y%m}",
        "region": run.region,
    }
    out = _Hashing(target)
    for template in fmt.header:
        out.write(_template_row(fmt, template, values))
    if fmt.column_titles:
        out.write(_encode(fmt, _csv_line(fmt, [c.get("title", c["field"]) for c in fmt.columns]), "表头"))
    rows = _lines(run).order_by("pk").values_list(*ROW_FIELDS).iterator(chunk_size=5000)
    for row in rows:
        record = dict(zip(ROW_FIELDS, row, strict=True))
        record.update(
            ref=record["pk"],
            amount_yuan=yuan(record["amount_fen"]),
            period=f"{record['period']:%Y%m}",
            programme_name=prog.name,
        )
        out.write(_row(fmt, record))
    for template in fmt.trailer:
        out.write(_template_row(fmt, template, values))
    return Written(file_name(run, fmt), count, total, out.digest.hexdigest())


class _Hashing:
    def __init__(self, target: IO[bytes]) -> None:
        self.target, self.digest = target, hashlib.sha256()

    def write(self, data: bytes) -> None:
        self.digest.update(data)
        self.target.write(data)


def _template_row(fmt: BankFormat, template: Any, values: dict[str, Any]) -> bytes:
    if fmt.kind == "csv":
        return _encode(fmt, _csv_line(fmt, [str(cell).format(**values) for cell in template]), "表头")
    return _encode(fmt, str(template).format(**values) + fmt.newline, "表头")


def _csv_line(fmt: BankFormat, cells: list[Any]) -> str:
    return csv_line(cells, delimiter=fmt.delimiter, lineterminator=fmt.newline)


def _encode(fmt: BankFormat, text: str, where: str) -> bytes:
    try:
        return text.encode(fmt.encoding)
    except UnicodeEncodeError as exc:
        raise BankFileError(f"{where}：字符“{exc.object[exc.start : exc.end]}”无法用 {fmt.encoding} 编码") from None


def _row(fmt: BankFormat, record: dict[str, Any]) -> bytes:
    where = f"明细 {record['ref']}（{record['payee_name']}）"
    if fmt.kind == "csv":
        return _encode(fmt, _csv_line(fmt, [record[c["field"]] for c in fmt.columns]), where)
    parts = []
    for col in fmt.columns:
        raw = _encode(fmt, str(record[col["field"]]), where)
        width, pad = int(col["width"]), str(col.get("pad", " ")).encode()
        if len(raw) > width:
            raise BankFileError(f"{where}：{col['field']} 超过 {width} 字节，不能截断")
        parts.append(raw.rjust(width, pad) if col.get("align") == "right" else raw.ljust(width, pad))
    return b"".join(parts) + fmt.newline.encode()


# --- return files -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReturnRow:
    row: int  # 1-based line number in the file
    ref: str
    status: str  # paid | failed | the bank's unknown code as given
    serial: str
    reason: str


def parse_return(fmt: BankFormat, content: bytes) -> list[ReturnRow]:
    """Rows of a return file; header/trailer rows skipped. Undecodable content is refused whole."""
    spec = fmt.returns
    if not spec:
        raise BankFileError(f"代发文件格式“{fmt.name}”未声明回盘格式")
    try:
        text = content.decode(fmt.encoding)
    except UnicodeDecodeError:
        raise BankFileError(f"回盘文件不是 {fmt.encoding} 编码，请确认银行格式") from None
    text = text.removeprefix("\ufeff")
    out = []
    if fmt.kind == "csv":
        for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=fmt.delimiter), start=1):
            if not any(c.strip() for c in cells) or cells[0].strip() in spec.get("skip_first_cells", ()):
                continue
            out.append(_return_row(spec, number, lambda i, cells=cells: cells[i] if i < len(cells) else ""))
        return out
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith(tuple(spec.get("skip_prefixes", ()))):
            continue
        raw = line.encode(fmt.encoding)
        out.append(_return_row(spec, number, lambda s, raw=raw: raw[s[0] : s[1]].decode(fmt.encoding, "replace")))
    return out


def _return_row(spec: dict[str, Any], number: int, cell: Any) -> ReturnRow:
    cols = spec["columns"]
    code = cell(cols["status"]).strip()
    status = "paid" if code in map(str, spec["paid"]) else "failed" if code in map(str, spec["failed"]) else code
    ref, serial, reason = (cell(cols[k]).strip() for k in ("ref", "serial", "reason"))
    return ReturnRow(number, ref, status, serial, reason)
