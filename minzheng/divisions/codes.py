"""统计用区划代码: 12 digits = province 2, city 2, county 2, town 3, village 3.

Level and parent are derived from the code alone, so an imported table needs
only 区划代码 and 名称. A 6-digit county code is padded to 12.
"""

from __future__ import annotations

import re
from pathlib import Path

# The shipped NBS 2023 table (see data/README.md); Django-free so generators can read it.
BUILTIN = Path(__file__).parent / "data" / "divisions_nbs2023.csv.gz"

PROVINCE, CITY, COUNTY, TOWN, VILLAGE = 1, 2, 3, 4, 5
LEVEL_NAMES = {PROVINCE: "省", CITY: "市", COUNTY: "县", TOWN: "乡镇（街道）", VILLAGE: "村（社区）"}
_SLICES = ((2, PROVINCE), (4, CITY), (6, COUNTY), (9, TOWN), (12, VILLAGE))
_WIDTH = {lvl: w for w, lvl in _SLICES}
_DIGITS = re.compile(r"^\d+$")


class DivisionCodeError(ValueError):
    pass


def normalize(raw: object) -> str:
    code = str(raw or "").strip()
    if code.endswith(".0"):  # a spreadsheet number cell
        code = code[:-2]
    if not _DIGITS.match(code) or len(code) not in (2, 4, 6, 9, 12):
        raise DivisionCodeError(f"区划代码“{raw}”应为 12 位数字")
    return code.ljust(12, "0")


def level_of(code: str) -> int:
    for width, level in _SLICES:
        if set(code[width:]) <= {"0"}:
            return level
    return VILLAGE


def significant(code: str) -> str:
    """The meaningful prefix: '330212000000' → '330212'. Used as a jurisdiction."""
    width = _WIDTH[level_of(code)]
    return code[:width]


def parent_of(code: str) -> str | None:
    level = level_of(code)
    if level == PROVINCE:
        return None
    width = _WIDTH[level - 1]
    return code[:width].ljust(12, "0")
