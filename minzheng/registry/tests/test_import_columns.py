"""Pass 1 by columns (importing/columns.py) gives every row exactly what RowParser.parse gives it.

The column checks accept a row only when parse would accept it with the same values; every other
row goes through parse itself. These tests hold the two side by side on batches that mix clean
rows with every kind of bad or unusual cell, seeded at random positions, so a check that the fast
path judged differently from parse (a value, a reason, or which column fails first) shows up.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

import pytest

from minzheng.core import idnumber
from minzheng.registry.importing.columns import BatchParser
from minzheng.registry.importing.rows import RowError, RowParser, canonical_headers
from minzheng.registry.importing.stage import SEP

COLUMNS = ["姓名", "公民身份号码", "户编号", "与户主关系", "现住址区划代码", "网格", "楼栋", "单元", "房间"]
HEADERS = canonical_headers([*COLUMNS, "联系电话", "人员标签"])
VILLAGES = {"330212100201", "330212100206", "330212001001", "330203100201"}


def _rng(seed: int) -> random.Random:
    return random.Random(seed)  # noqa: S311 - test data, reproducible by seed


def _number(rng: random.Random, born: str = "") -> str:
    born = born or f"{rng.randint(1900, 2020)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"330212{born}{rng.randint(0, 999):03d}"
    return first17 + idnumber.check_digit(first17)


def _clean_row(rng: random.Random, i: int) -> list[str]:
    phone = rng.choice(["", f"138{rng.randint(0, 99_999_999):08d}", f"159{rng.randint(0, 99_999_999):08d}"])
    tags = rng.choice(["", "", "留守儿童", "残疾:肢体二级", "低保;独居老人"])
    relation = rng.choice(["户主", "配偶", "子", "女", "02", "20", "孙子女"])
    division = rng.choice(["330212100201", "330212100206", "330212001001"])
    return ["张三", _number(rng), f"H{i // 3:05d}", relation, division, "第一网格", "3", "1", "201", phone, tags]


_FUTURE = (dt.datetime.now(ZoneInfo("Asia/Shanghai")).date() + dt.timedelta(days=400)).strftime("%Y%m%d")


def _checked(first17: str) -> str:
    """A number with the right check digit, so only what else is odd about it decides."""
    return first17 + idnumber.check_digit(first17)


_X = next(n for n in (_checked(f"33021219800101{i:03d}") for i in range(100)) if n.endswith("X"))
# (column, replacement): cells parse refuses, or accepts only after normalising them.
ODD_CELLS = [
    (0, ""),
    (0, "  "),
    (0, "张 三"),
    (0, "张" * 65),
    (0, "张 " * 64),
    (0, "张\x00三"),
    (1, ""),
    (1, "33021219780315441"),
    (1, "330212197803154413"),  # wrong check digit
    (1, "33021219780315441x"),
    (1, "３３０２１２１９７８０３１５４４１２"),  # full-width digits
    (1, " 330212197803154412 "),
    (1, "330212 19780315 4412"),
    (1, "330212780315441"),  # 15 digits, upgraded
    (1, "33021278031544A"),
    (1, "33021219780230441X"),
    (1, "3302121978023044AX"),
    (1, _checked("33021218700101441")),  # before 1880
    (1, _checked("33021218800101441")),  # 1880 itself is fine
    (1, _checked("33021219000229441")),  # 1900 was not a leap year
    (1, _checked("33021220000229441")),
    (1, _checked("330212" + _FUTURE + "441")),
    (1, _checked("33021219801301441")),
    (1, _X),
    (1, _X.lower()),
    (1, "３"),
    (1, "1" * 40),
    (2, ""),
    (2, "H" * 41),
    (2, "H\x00"),
    (3, ""),
    (3, "舅舅"),
    (3, " 户主 "),
    (3, "99"),
    (3, "户" * 21),
    (4, "330212999999"),
    (4, "330212100000"),
    (4, "3302121002"),
    (4, "330203100201"),  # a village outside the importer's jurisdiction
    (4, "3302121002010"),
    (4, " 330212100201"),
    (5, "网" * 41),
    (6, "楼" * 41),
    (7, "单" * 21),
    (8, "房" * 21),
    (8, "2\x0001"),
    (9, "12345"),
    (9, "0574-88123456"),
    (9, "057488123456"),
    (9, "+8613805741234"),
    (9, "１３８０５７４１２３４"),  # full-width mobile: parse keeps it as typed
    (9, "138 0574 1234"),
    (9, "23805741234"),
    (9, "1" * 21),
    (9, "138057412345"),
    (9, "1380574123"),
    (9, "13805741234\n"),
    (10, "富豪"),
    (10, "残疾:肢体五级"),
    (10, "留守儿童;留守儿童"),
    (10, "留守儿童;" * 40),
    (10, "留守儿童 ; 独居老人"),
]


def _row_path(parser: RowParser, first_no: int, rows: list[list[str]]) -> list[tuple[object, ...]]:
    """What staging held before: parse per row."""
    staged: list[tuple[object, ...]] = []
    for no, cells in enumerate(rows, start=first_no):
        try:
            staged.append((no, SEP.join(cells), None, *parser.parse(cells)))
        except RowError as exc:
            staged.append((no, SEP.join(cells), str(exc), *([None] * 13)))
    return staged


def _parsers(jurisdiction: str = "330212") -> tuple[RowParser, BatchParser]:
    return RowParser(HEADERS, VILLAGES, jurisdiction), BatchParser(RowParser(HEADERS, VILLAGES, jurisdiction))


def test_every_odd_cell_gets_the_row_paths_verdict() -> None:
    rng = _rng(5)
    rows = []
    for i, (column, cell) in enumerate(ODD_CELLS):
        row = _clean_row(rng, i)
        row[column] = cell
        rows.append(row)
    single, batch = _parsers()
    expected = _row_path(single, 2, rows)
    assert batch.stage_rows(2, rows, SEP) == expected
    assert sum(s[2] is None for s in expected) >= 10  # normalised yet accepted cells are in the mix
    assert sum(s[2] is not None for s in expected) >= 30


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_mixed_batches_equal_the_row_path(seed: int) -> None:
    """Clean rows with odd cells (one or two per row) scattered through them, in several batches."""
    rng = _rng(seed)
    rows = [_clean_row(rng, i) for i in range(3_000)]
    for _ in range(600):
        row = rows[rng.randrange(len(rows))]
        for column, cell in rng.sample(ODD_CELLS, rng.choice([1, 1, 2])):
            row[column] = cell
    single, batch = _parsers("" if seed == 3 else "330212")
    expected = _row_path(single, 2, rows)
    got = [s for at in range(0, len(rows), 1_000) for s in batch.stage_rows(2 + at, rows[at : at + 1_000], SEP)]
    assert got == expected
    assert 2_000 < sum(s[2] is None for s in expected) < 3_000


def test_missing_optional_columns_and_a_one_row_batch() -> None:
    headers = canonical_headers(["身份证号", "姓名", "户号", "与户主关系", "区划代码"])
    rng = _rng(9)
    rows = [[_number(rng), "李四", "H1", "户主", "330212100201"], ["bad", "李四", "H1", "户主", "330212100201"]]
    single = RowParser(headers, VILLAGES)
    expected = _row_path(single, 7, rows)
    assert BatchParser(RowParser(headers, VILLAGES)).stage_rows(7, rows, SEP) == expected
    assert BatchParser(RowParser(headers, VILLAGES)).stage_rows(7, rows[:1], SEP) == expected[:1]
    assert BatchParser(RowParser(headers, VILLAGES)).stage_rows(7, [], SEP) == []
