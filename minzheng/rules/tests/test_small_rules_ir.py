"""Each expression kind in plain Python (`small.compile_ir`) against `expr.to_polars`, value by value.

The catalogue may not use every kind or every edge (a half fen, `not in`, an unknown test in
`if`); these run them all over grids of values, nulls included.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import polars as pl
import pytest

from minzheng.rules.engine import units as u
from minzheng.rules.engine.expr import ANY, IR, Columns, to_polars
from minzheng.rules.engine.small import ROWS, Fallback, compile_ir

AS_OF = dt.date(2025, 3, 15)
NUMBERS = [None, -2.5, -0.5, 0.5, 1.5, 2.5, 0.49999999999999994, 1234.5, 0.0, 3.25, -7.75]
INTS = [None, 0, 1, 2, 3, -4, 250]
BOOLS = [None, True, False]
DATES = [None, dt.date(2000, 2, 29), dt.date(2025, 3, 15), dt.date(2025, 3, 16), dt.date(1999, 12, 31)]


def ref(name: str, unit: u.Unit = u.LITERAL) -> IR:
    return IR("ref", unit, ANY, name=name)


def const(value: Any) -> IR:
    return IR("const", u.FLAG if isinstance(value, bool) else u.LITERAL, ANY, value=value)


def same(ir: IR, columns: dict[str, tuple[pl.DataType, list[Any]]]) -> None:
    """Every combination of the columns' values: Python equals Polars, or Python declines.

    In frames of 1, 2, 3 and all the rows: a household's frames are small, and Polars divides
    by a literal differently from 3 rows on (`small._by_scalar`).
    """
    names = list(columns)
    combos = list(itertools.product(*(columns[n][1] for n in names)))
    fn = compile_ir(ir)
    for size in (1, 2, 3, len(combos)):
        for start in range(0, len(combos), size):
            part = combos[start : start + size]
            frame = pl.DataFrame(
                {n: [c[i] for c in part] for i, n in enumerate(names)}, schema={n: columns[n][0] for n in names}
            )
            cols = Columns(AS_OF, {"评估日期": AS_OF})
            # As the plans run a household: no query optimisation.
            plan = frame.lazy().select(to_polars(ir, cols).alias("v"))
            want = plan.collect(optimizations=pl.QueryOptFlags.none()).get_column("v").to_list()
            literals = {"评估日期": AS_OF, ROWS: frame.height}
            for row, expected in zip(frame.to_dicts(), want, strict=True):
                try:
                    got = fn(row, literals)
                except Fallback:
                    continue
                assert got == expected and (got is None) == (expected is None), (row, got, expected)


@pytest.mark.parametrize("fn", ["round_fen", "monthly", "yearly"])
def test_functions_of_one_number(fn: str) -> None:
    same(IR("func", u.LITERAL, ANY, [ref("x")], op=fn), {"x": (pl.Float64(), NUMBERS)})


@pytest.mark.parametrize("op", ["+", "-", "*", "/"])
def test_arithmetic(op: str) -> None:
    same(
        IR("bin", u.LITERAL, ANY, [ref("x"), ref("n")], op=op), {"x": (pl.Float64(), NUMBERS), "n": (pl.Int64(), INTS)}
    )


@pytest.mark.parametrize("op", ["<", "<=", ">", ">=", "==", "!="])
def test_comparisons(op: str) -> None:
    same(IR("cmp", u.FLAG, ANY, [ref("x"), ref("n")], op=op), {"x": (pl.Float64(), NUMBERS), "n": (pl.Int64(), INTS)})


@pytest.mark.parametrize("op", ["in", "not in"])
def test_membership(op: str) -> None:
    same(IR("in", u.FLAG, ANY, [ref("n")], op=op, value=[1, 2, 250]), {"n": (pl.Int64(), INTS)})
    same(
        IR("in", u.FLAG, ANY, [ref("s")], op=op, value=["智力", "精神"]),
        {"s": (pl.String(), [None, "", "智力", "肢体"])},
    )


@pytest.mark.parametrize("op", ["is", "is not"])
def test_null_tests(op: str) -> None:
    same(IR("isnull", u.FLAG, ANY, [ref("n")], op=op), {"n": (pl.Int64(), INTS)})


@pytest.mark.parametrize("kind", ["and", "or"])
def test_three_valued_logic(kind: str) -> None:
    args = [ref("a", u.FLAG), ref("b", u.FLAG), ref("c", u.FLAG)]
    flags = (pl.Boolean(), BOOLS)
    same(IR(kind, u.FLAG, ANY, args), {"a": flags, "b": flags, "c": flags})
    same(IR("not", u.FLAG, ANY, [ref("a", u.FLAG)]), {"a": flags})


def test_conditional_and_extremes() -> None:
    cols: dict[str, tuple[pl.DataType, list[Any]]] = {
        "c": (pl.Boolean(), BOOLS),
        "x": (pl.Float64(), NUMBERS[:6]),
        "n": (pl.Int64(), INTS),
    }
    same(IR("if", u.LITERAL, ANY, [ref("c", u.FLAG), ref("x"), ref("n")]), cols)
    for fn in ("min", "max"):
        same(IR("func", u.LITERAL, ANY, [ref("x"), ref("n"), const(1)], op=fn), cols)


def test_dates() -> None:
    dates = (pl.Date(), DATES)
    same(IR("func", u.LITERAL, ANY, [ref("d", u.Unit(u.DATE))], op="age"), {"d": dates})
    between = IR("func", u.LITERAL, ANY, [ref("d", u.Unit(u.DATE)), ref("e", u.Unit(u.DATE))], op="months_between")
    same(between, {"d": dates, "e": dates})
    same(IR("cmp", u.FLAG, ANY, [ref("d", u.Unit(u.DATE)), ref("评估日期", u.Unit(u.DATE))], op="<"), {"d": dates})
