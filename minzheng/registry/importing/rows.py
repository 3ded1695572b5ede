"""Row-level validation of the 居民信息导入 template (DATA_CONTRACTS §1).

Each check returns a Chinese reason that starts with the column name, so a
caseworker reading the rejects file knows which cell to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")


class RowError(ValueError):
    pass


@dataclass(slots=True)
class ResidentRow:
    """One valid row, normalised."""

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


def _division(raw: str, villages: set[str]) -> str:
    try:
        code = codes.normalize(raw)
    except codes.DivisionCodeError as exc:
        raise RowError(f"现住址区划代码：{exc}") from exc
    if code not in villages:
        if codes.level_of(code) != codes.VILLAGE:
            raise RowError(f"现住址区划代码：{code} 不是村（社区）级区划")
        raise RowError(f"现住址区划代码：区划 {code} 不存在")
    return code


def phone_parse(raw: str) -> str:
    if not raw:
        return ""
    phone = idnumber.clean(raw).replace("+86", "")
    if phone and not (_MOBILE.match(phone) or _LANDLINE.match(phone)):
        raise RowError(f"联系电话：“{raw}”不是 11 位手机号或带区号的固定电话")
    return phone


def _short(value: str, column: str, limit: int) -> str:
    if len(value) > limit:
        raise RowError(f"{column}：超过 {limit} 个字")
    return value


def parse_row(cells: dict[str, str], villages: set[str], jurisdiction: str = "") -> ResidentRow:
    """Validate one row; raise RowError naming the first bad column. `jurisdiction`: the importer's prefix."""
    name = _required(cells["姓名"].replace(" ", ""), "姓名", 64)
    try:
        parsed = idnumber.parse(cells["公民身份号码"])
    except idnumber.IdNumberError as exc:
        raise RowError(f"公民身份号码：{exc}") from exc
    household_no = _required(cells["户编号"], "户编号", 40)
    try:
        relation = vocab.relation_parse(_required(cells["与户主关系"], "与户主关系", 20))
    except ValueError as exc:
        raise RowError(f"与户主关系：{exc}") from exc
    division = _division(cells["现住址区划代码"], villages)
    if not division.startswith(jurisdiction):
        raise RowError(f"现住址区划代码：{division} 不在您的管辖范围内")
    raw_tags = cells.get("人员标签", "")
    try:
        tags = vocab.tags_text(vocab.tags_parse(raw_tags)) if raw_tags else ""
    except ValueError as exc:
        raise RowError(f"人员标签：{exc}") from exc
    return ResidentRow(
        name=name,
        id_number=parsed.number,
        sex=parsed.sex,
        birth_date=parsed.birth_date.isoformat(),
        household_no=household_no,
        relation=relation,
        division=division,
        grid=_short(cells.get("网格", ""), "网格", 40),
        building=_short(cells.get("楼栋", ""), "楼栋", 40),
        unit=_short(cells.get("单元", ""), "单元", 20),
        room=_short(cells.get("房间", ""), "房间", 20),
        phone=phone_parse(cells.get("联系电话", "")),
        tags_text=tags,
    )
