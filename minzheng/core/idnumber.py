"""公民身份号码 (GB 11643-1999): normalise, validate, derive sex and birth date.

Rules from DATA_CONTRACTS: 18 digits with a MOD 11-2 check digit (x or X),
old 15-digit numbers upgraded to 18, full-width digits and stray spaces
normalised. A wrong check digit, an impossible birth date or one in the future
is rejected, never guessed. The address code (first six digits) is the county
at the time of issue and is never a reason to reject.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PLAIN18 = re.compile(r"^[0-9]{17}[0-9X]$")  # not \d: it matches full-width digits too
_SPACES = re.compile(r"[\s\u3000\u00a0'\"`‘’“”]+")


class IdNumberError(ValueError):
    """Carries a Chinese reason fit to show to the person who typed the number."""


@dataclass(frozen=True, slots=True)
class IdNumber:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"


def check_digit(first17: str) -> str:
    total = sum(map(operator.mul, map(int, first17), _WEIGHTS))
    return _CHECK[total % 11]


def clean(raw: object) -> str:
    """Full-width to half-width, spaces and quote marks removed, x upper-cased."""
    text = unicodedata.normalize("NFKC", str(raw or ""))
    return _SPACES.sub("", text).upper()


def _birth(digits: str, today: dt.date) -> dt.date:
    try:
        born = dt.date(int(digits[0:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise IdNumberError(f"出生日期 {digits[0:8]} 不存在") from exc
    if born > today:
        raise IdNumberError(f"出生日期 {born.isoformat()} 晚于今天")
    if born.year < 1880:
        raise IdNumberError(f"出生日期 {born.isoformat()} 不合理")
    return born


def parse(raw: object, *, today: dt.date | None = None) -> IdNumber:
    """Return the normalised 18-digit number with its derived facts, or raise."""
    # Birth dates are Beijing dates; 'future' is judged in China's time zone.
    today = today or dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    # Fast path for the common case (already clean); imports parse millions of these.
    text = raw if isinstance(raw, str) and _PLAIN18.match(raw) else clean(raw)
    if not text:
        raise IdNumberError("为空")
    if len(text) == 15:
        if not text.isdigit():
            raise IdNumberError("15 位号码只能由数字组成")
        # Old numbers carry a 2-digit year, all 19xx (issued 1984–1999).
        first17 = text[:6] + "19" + text[6:]
        born = _birth(first17[6:14], today)
        return IdNumber(first17 + check_digit(first17), born, _sex(first17))
    if len(text) != 18:
        raise IdNumberError(f"应为 18 位，实际 {len(text)} 位")
    if not text[:17].isdigit() or not (text[17].isdigit() or text[17] == "X"):
        raise IdNumberError("含有非法字符")
    born = _birth(text[6:14], today)
    expected = check_digit(text[:17])
    if text[17] != expected:
        raise IdNumberError(f"校验位错误（应为 {expected}）")
    return IdNumber(text, born, _sex(text))


def _sex(first17: str) -> str:
    return "M" if int(first17[16]) % 2 == 1 else "F"


def is_valid(raw: object) -> bool:
    try:
        parse(raw)
    except IdNumberError:
        return False
    return True
