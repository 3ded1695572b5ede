"""统一社会信用代码 (GB 32100-2015) of an organisation registered by 民政.

python-stdnum's `cn.uscc` checks the length, the alphabet and the mod-31 check character; it does not
know what positions 1–8 mean. For our register we add (research/reference-governance-maps.md §3):
position 1 is 5 (登记管理部门: 民政), position 2 matches the legal form (1 社会团体, 2 社会服务机构,
3 基金会), positions 3–8 are the registering authority's county code. The GB 11714 check digit of the
主体标识码 (position 17) is only a warning: 民政's `MJ` codes have not been tested against it.
"""

from __future__ import annotations

from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength, ValidationError

from minzheng.socialorgs.models import KIND_DIGIT, Kind

_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_GB11714_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


class CreditCodeError(ValueError):
    """A Chinese message naming the field 统一社会信用代码 and what is wrong."""


def normalise(raw: str) -> str:
    return uscc.compact(raw or "")


def check(raw: str, *, kind: str, county: str = "") -> str:
    """The code, compacted and upper-cased, or CreditCodeError saying which rule it breaks."""
    code = normalise(raw)
    try:
        uscc.validate(code)
    except InvalidLength:
        raise CreditCodeError(f"统一社会信用代码“{raw}”应为 18 位") from None
    except InvalidChecksum:
        raise CreditCodeError(f"统一社会信用代码“{raw}”校验位错误（第 18 位）") from None
    except (InvalidFormat, InvalidComponent, ValidationError):
        raise CreditCodeError(f"统一社会信用代码“{raw}”含有不允许的字符（不使用 I、O、Z、S、V）") from None
    if code[0] != "5":
        raise CreditCodeError(f"统一社会信用代码“{code}”第 1 位应为 5（民政部门登记），现为 {code[0]}")
    want = KIND_DIGIT.get(Kind(kind))
    if want and code[1] != want:
        label = Kind(kind).label
        raise CreditCodeError(f"统一社会信用代码“{code}”第 2 位应为 {want}（{label}），现为 {code[1]}")
    if county and code[2:8] != county[:6]:
        raise CreditCodeError(f"统一社会信用代码“{code}”第 3–8 位应为登记机关区划 {county[:6]}，现为 {code[2:8]}")
    return code


def gb11714_ok(code: str) -> bool:
    """Whether position 17 is the GB 11714 check character of positions 9–16 (a warning only)."""
    body, check_char = code[8:16], code[16]
    try:
        total = sum(_GB11714_ALPHABET.index(c) * w for c, w in zip(body, _GB11714_WEIGHTS, strict=True))
    except ValueError:
        return False
    value = 11 - total % 11
    expected = {10: "X", 11: "0"}.get(value, str(value))
    return check_char == expected


def make(kind: str, county: str, serial: int) -> str:
    """A well-formed demo/test code: 5, the kind digit, the county, MJ + a 7-digit serial, the check."""
    body = f"5{KIND_DIGIT[Kind(kind)]}{county[:6]}MJ{serial:07d}"
    return body + uscc.calc_check_digit(body)
