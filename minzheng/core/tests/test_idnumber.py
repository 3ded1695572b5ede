from __future__ import annotations

import datetime as dt

import pytest

from minzheng.core import idnumber
from minzheng.core.masking import mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("raw", "number"),
    [
        ("11010519491231002X", "11010519491231002X"),
        ("11010519491231002x", "11010519491231002X"),
        ("110105491231002", "11010519491231002X"),  # 15 → 18
        ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width
        (" 1101 0519 4912 3100 2X ", "11010519491231002X"),
        ("'11010519491231002X", "11010519491231002X"),  # Excel text-cell apostrophe
    ],
)
def test_normalises(raw: str, number: str) -> None:
    parsed = idnumber.parse(raw)
    assert parsed.number == number
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("110105194912310021", "校验位错误（应为 X）"),
        ("110105194902300023", "出生日期 19490230 不存在"),
        ("1101051949123100", "应为 18 位，实际 16 位"),
        ("11010519491231002Y", "含有非法字符"),
        ("", "为空"),
    ],
)
def test_rejects_with_reason(raw: str, reason: str) -> None:
    with pytest.raises(idnumber.IdNumberError) as info:
        idnumber.parse(raw)
    assert str(info.value) == reason


def test_future_birth_date_is_rejected() -> None:
    first17 = "33021220990101001"
    with pytest.raises(idnumber.IdNumberError) as info:
        idnumber.parse(first17 + idnumber.check_digit(first17), today=dt.date(2026, 11, 22))
    assert str(info.value) == "出生日期 2099-01-01 晚于今天"


def test_unknown_address_code_is_not_a_reason() -> None:
    first17 = "99999919800101001"  # no such county, ever
    assert idnumber.is_valid(first17 + idnumber.check_digit(first17))


def test_masks() -> None:
    assert mask_id_number("330212197803154412") == "3302**********4412"
    assert mask_phone("13805741234") == "138****1234"
    assert mask_phone("0574-8812345") == "0574******45"
    assert mask_phone("") == ""
