"""Row-level validation of the 居民信息导入 template (DATA_CONTRACTS §1).

Each check returns a Chinese reason that starts with the column name, so a
caseworker reading the rejects file knows which cell to fix. Checks run in
column order and the first failure is the row's reason.

`RowParser` is built once per file. Relation, address and tag cells repeat
across a million rows (a county has a few hundred villages), so their verdicts
are cached per distinct value, as are birth dates; the caches are bounded, so
memory stays flat even for a file of all-distinct bad values.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import NamedTuple
from zoneinfo import ZoneInfo

from minzheng.core import idnumber
from minzheng.divisions import codes
from minzheng.registry import vocab

REQUIRED = ["姓名", "公民身份号码", "户编号", "与户主关系", "现住址区划代码"]
OPTIONAL = ["网格", "楼栋", "单元", "房间", "联系电话", "人员标签"]
# Headers people actually write for the same columns.
ALIASES = {
    "身份证号": "公民身份号码",
    "身份证号码": "公民身份号码",
    "身份号码": "公民身份号码",
    "户号": "户编号",
    "与户主关系代码": "与户主关系",
    "区划代码": "现住址区划代码",
    "现住址区划": "现住址区划代码",
    "电话": "联系电话",
    "手机": "联系电话",
    "手机号": "联系电话",
    "手机号码": "联系电话",
    "标签": "人员标签",
}
# The rule: a mobile is 11 digits starting with 1; a landline is 0 + area code + 7–8 digits.
_MOBILE = re.compile(r"^1\d{10}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
_PLAIN18 = re.compile(r"^[0-9]{17}[0-9X]$")
# Column limits: the registry's column widths (models.py), checked per row so a long cell is a
# rejected row naming the column, never a database error (PostgreSQL) or a stored 5 MB name (SQLite).
LIMITS = {"姓名": 64, "户编号": 40, "与户主关系": 20, "现住址区划代码": 20, "网格": 40, "楼栋": 40, "单元": 20}
LIMITS |= {"房间": 20, "联系电话": 20, "人员标签": 200}
_CACHE_LIMIT = 20_000  # distinct values remembered per column: bounds memory whatever the file holds
_BIRTHS_LIMIT = 60_000  # every date from 1880 to today fits (about 53,000)


class RowError(ValueError):
    pass


class ResidentRow(NamedTuple):
    """One valid row, normalised (a tuple: it goes to the staging table as it is)."""

    name: str
    id_number: str
    sex: str
    birth_date: str  # ISO date
    household_no: str
    relation: str
    division: str
    grid: str
    building: str
    unit: str
    room: str
    phone: str
    tags_text: str


def canonical_headers(headers: list[str]) -> list[str]:
    return [ALIASES.get(h.strip(), h.strip()) for h in headers]


def _required(value: str, column: str, limit: int) -> str:
    if not value:
        raise RowError(f"{column}：为空")
    if len(value) > limit:
        raise RowError(f"{column}：超过 {limit} 个字")
    return value


def _short(value: str, column: str, limit: int) -> str:
    if len(value) > limit:
        raise RowError(f"{column}：超过 {limit} 个字")
    return value


def phone_parse(raw: str) -> str:
    if not raw:
        return ""
    phone = idnumber.clean(raw).replace("+86", "")
    if phone and not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        raise RowError(f"联系电话：“{raw}”不是 11 位手机号或带区号的固定电话")
    return phone


def phone_value(raw: str) -> str:
    """The stored phone for a cell: a mobile as typed (the common case, no cleaning), else phone_parse."""
    return raw if _MOBILE.match(raw) else phone_parse(raw)


def division_parse(raw: str, villages: set[str], jurisdiction: str = "") -> str:
    try:
        code = codes.normalize(raw)
    except codes.DivisionCodeError as exc:
        raise RowError(f"现住址区划代码：{exc}") from exc
    if code not in villages:
        if codes.level_of(code) != codes.VILLAGE:
            raise RowError(f"现住址区划代码：{code} 不是村（社区）级区划")
        raise RowError(f"现住址区划代码：区划 {code} 不存在")
    if not code.startswith(jurisdiction):
        raise RowError(f"现住址区划代码：{code} 不在您的管辖范围内")
    return code


def relation_parse(raw: str) -> str:
    try:
        return vocab.relation_parse(_required(raw, "与户主关系", 20))
    except RowError:
        raise
    except ValueError as exc:
        raise RowError(f"与户主关系：{exc}") from exc


def tags_normalise(raw: str) -> str:
    try:
        return vocab.tags_text(vocab.tags_parse(raw)) if raw else ""
    except ValueError as exc:
        raise RowError(f"人员标签：{exc}") from exc


class _Cached:
    """A parser's verdict per distinct value: (value, None) or (None, the reason it was refused)."""

    def __init__(self, parse: Callable[[str], str]) -> None:
        self.parse = parse
        self.seen: dict[str, tuple[str | None, str | None]] = {}

    def __call__(self, raw: str) -> str:
        verdict = self.seen.get(raw)
        if verdict is None:
            try:
                verdict = (self.parse(raw), None)
            except RowError as exc:
                verdict = (None, str(exc))  # the text, not the exception: no traceback kept alive
            if len(self.seen) < _CACHE_LIMIT:
                self.seen[raw] = verdict
        value, reason = verdict
        if reason is not None:
            raise RowError(reason)
        return value  # type: ignore[return-value]


class RowParser:
    """Validates the rows of one file, given its canonical headers."""

    def __init__(self, headers: list[str], villages: set[str], jurisdiction: str = "") -> None:
        where = {h: i for i, h in enumerate(headers)}  # a repeated header: the last one counts
        self.headers = headers
        # Raw cells may carry spaces that normalising removes: twice the limit, then the exact check below.
        loose = ("姓名", "人员标签")
        self.limits = [(where[h], n, 2 * n if h in loose else n) for h, n in LIMITS.items() if h in where]
        self.required = [where[h] for h in REQUIRED]
        self.optional = [where.get(h) for h in OPTIONAL]
        # Birth dates are Beijing dates; 'future' is judged in China's time zone, once per file.
        self.today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
        self.births: dict[str, str] = {}
        self.relation = _Cached(relation_parse)
        self.division = _Cached(lambda raw: division_parse(raw, villages, jurisdiction))
        self.tags = _Cached(tags_normalise)

    def _check_cells(self, cells: list[str]) -> None:
        """NUL (PostgreSQL refuses it in text) and over-long cells, before any parsing or caching."""
        if "\x00" in "".join(cells):
            column = next(i for i, c in enumerate(cells) if "\x00" in c)
            raise RowError(f"{self._header(column)}：含有空字符（NUL），请删除该字符后重新导入")
        for column, limit, most in self.limits:
            if len(cells[column]) > most:
                raise RowError(f"{self._header(column)}：超过 {limit} 个字（共 {len(cells[column])} 个字）")

    def _header(self, column: int) -> str:
        return self.headers[column] if column < len(self.headers) and self.headers[column] else f"第 {column + 1} 列"

    def parse(self, cells: list[str]) -> ResidentRow:
        """Validate one row; raise RowError naming the first bad column."""
        self._check_cells(cells)
        name_i, id_i, hh_i, rel_i, div_i = self.required
        name = _required(cells[name_i].replace(" ", ""), "姓名", 64)
        number, sex, born = self._id_number(cells[id_i])
        household_no = _required(cells[hh_i], "户编号", 40)
        relation = self.relation(cells[rel_i])
        division = self.division(cells[div_i])
        grid, building, unit, room, phone, tags = (cells[i] if i is not None else "" for i in self.optional)
        tags = _short(self.tags(tags), "人员标签", LIMITS["人员标签"])
        grid, building = _short(grid, "网格", 40), _short(building, "楼栋", 40)
        unit, room = _short(unit, "单元", 20), _short(room, "房间", 20)
        phone = phone_value(phone)
        return ResidentRow(
            name, number, sex, born, household_no, relation, division, grid, building, unit, room, phone, tags
        )

    def _id_number(self, raw: str) -> tuple[str, str, str]:
        """(number, sex, ISO birth date). Clean numbers whose birth date was seen take a short cut."""
        born = self.births.get(raw[6:14]) if _PLAIN18.match(raw) else None
        if born is None or idnumber.check_digit(raw[:17]) != raw[17]:
            try:
                parsed = idnumber.parse(raw, today=self.today)
            except idnumber.IdNumberError as exc:
                raise RowError(f"公民身份号码：{exc}") from exc
            born = parsed.birth_date.isoformat()
            if len(self.births) < _BIRTHS_LIMIT:
                self.births[parsed.number[6:14]] = born
            return parsed.number, parsed.sex, born
        return raw, "M" if int(raw[16]) % 2 else "F", born
