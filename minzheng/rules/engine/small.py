"""One household's rules in plain Python: the values `evaluate_frames` gives, without Polars plans.

A household is a handful of rows; the Polars plans cost ~22 collects per household whatever its
size (docs/notes/s19_rules.md). This evaluates the same plan (stages, broadcasts, member
aggregates, layers, quantities) over Python dicts, one closure per node built once per catalogue.

Exactness: every node column gets the Polars dtype the frames gave it, recorded the first time the
Polars path ran with the same parameter value types (`remember`); until then, and wherever Python
arithmetic could differ from Polars', `rows` returns None and the caller runs the Polars plans:
- a float sum over more than two non-zero members (Polars sums floats in another order),
- a division by zero, a non-finite float, an integer beyond 2^31 (Polars' Int32 literals wrap),
  an Int8 value out of its range, arithmetic on dates or booleans,
- more than 8 regions, a null region, repeated household ids, a person without household.
The equality is held by `tests/test_small_rules.py` on random households and the edge cases.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import Any

import polars as pl

from minzheng.rules.engine.catalogue import Catalogue, Node, Policy
from minzheng.rules.engine.expr import IR
from minzheng.rules.engine.plan import _find_condition, _in_force, exclusion_column

Row = dict[str, Any]
Fn = Callable[[Row, Row], Any]  # (row, literals) → value
_LIMIT = 2**31
_NARROW = {"Int8": 127, "UInt8": 255, "Int16": 32767}


class Fallback(Exception):
    """Python cannot be sure to give the Polars value: the caller runs the plans."""


# ---- dtypes recorded from the Polars path ----------------------------------------------------------


def schema_key(literals: dict[str, Any], varying: Iterable[str]) -> tuple[Any, ...]:
    """What fixes the frames' dtypes: each literal parameter's Python type, the varying parameters."""
    return (tuple(sorted((k, type(v).__name__) for k, v in literals.items())), tuple(sorted(varying)))


def _kind(dtype: pl.DataType) -> str:
    name = type(dtype).__name__
    if name in _NARROW:
        return name
    if dtype.is_float():
        return "f"
    if dtype.is_integer():
        return "i"
    return "b" if name == "Boolean" else ""


def remember(catalogue: Catalogue, key: tuple[Any, ...], part: str, schema: dict[str, Any]) -> None:
    """The Polars path's column dtypes (part: "p", "h" or "x" for explanation values)."""
    store: dict[Any, dict[str, dict[str, str]]] = catalogue.cache.setdefault("small:schemas", {})
    if len(store) >= 256:  # bounded: one entry per combination of parameter value types
        store.clear()
    store.setdefault(key, {})[part] = {c: _kind(t) for c, t in schema.items()}


def _known(catalogue: Catalogue, key: tuple[Any, ...], parts: str) -> dict[str, dict[str, str]] | None:
    found = catalogue.cache.get("small:schemas", {}).get(key)
    return found if found is not None and all(p in found for p in parts) else None


def _coerce(value: Any, kind: str) -> Any:
    if value is None or not kind:
        return value
    if kind == "f":
        if type(value) is bool or isinstance(value, dt.date | str):
            raise Fallback
        return float(value)
    if kind == "b":
        if type(value) is not bool:
            raise Fallback
        return value
    if type(value) is not int:  # an integer column: Python must have an int as well
        raise Fallback
    if kind != "i" and abs(value) > _NARROW[kind]:
        raise Fallback
    return value


# ---- closures ---------------------------------------------------------------------------------------


def _and(values: Iterable[Any]) -> bool | None:
    unknown = False
    for v in values:
        if v is False:
            return False
        if v is None:
            unknown = True
    return None if unknown else True


def _or(values: Iterable[Any]) -> bool | None:
    unknown = False
    for v in values:
        if v is True:
            return True
        if v is None:
            unknown = True
    return None if unknown else False


def _number(value: Any) -> Any:
    """Arithmetic operands: numbers only, checked the way Polars would keep them."""
    if type(value) is bool or isinstance(value, dt.date | str):
        raise Fallback
    return value


def _checked(value: Any, scalar: bool = True) -> Any:
    """A finite float; an integer Polars holds the same: literals alone are Int32 (they wrap),
    a column makes it Int64; beyond 2^53 a float would round it."""
    if isinstance(value, float):
        if not math.isfinite(value):
            raise Fallback
    elif abs(value) >= (_LIMIT if scalar else 2**53):
        raise Fallback
    return value


def round_fen(value: Any) -> int | None:
    """Polars' `round(0, half_away_from_zero)` on Float64, then Int64."""
    if value is None:
        return None
    x = float(_number(value))
    if not math.isfinite(x) or abs(x) >= _LIMIT:
        raise Fallback
    t = math.trunc(x)
    if abs(x - t) >= 0.5:  # exact: a float minus its integer part
        t += 1 if x > 0 else -1
    return int(t)


def age(birth: dt.date | None, as_of: dt.date) -> int | None:
    if birth is None:
        return None
    return as_of.year - birth.year - ((birth.month, birth.day) > (as_of.month, as_of.day))


def months_between(start: dt.date | None, end: dt.date | None) -> int | None:
    if start is None or end is None:
        return None
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


_CMP: dict[str, Callable[[Any, Any], bool]] = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
}
_BIN: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
}


def compile_ir(ir: IR, narrow: frozenset[str] = frozenset()) -> Fn:
    """IR → a function of (row, literals), with `to_polars`' semantics (Kleene logic, nulls)."""
    k = ir.kind
    if k == "const":
        value = ir.value
        return lambda r, lit: value
    if k == "ref":
        name = ir.name
        return lambda r, lit: r[name] if name in r else lit[name]
    args = [compile_ir(a, narrow) for a in ir.args]
    if k == "bin":
        return _bin(ir, args, narrow)
    if k == "cmp":
        a, b = args
        op = _CMP[ir.op]

        def cmp(r: Row, lit: Row) -> Any:
            x, y = a(r, lit), b(r, lit)
            if x is None or y is None:
                return None
            if (isinstance(x, float) and math.isnan(x)) or (isinstance(y, float) and math.isnan(y)):
                raise Fallback
            return op(x, y)

        return cmp
    if k == "in":
        (a,) = args
        values, negate = list(ir.value), ir.op == "not in"

        def member(r: Row, lit: Row) -> Any:
            x = a(r, lit)
            if x is None:
                return None
            if type(x) is bool or any(type(v) is bool for v in values):
                raise Fallback  # Python's True == 1; Polars compares types
            return (x in values) != negate

        return member
    if k == "isnull":
        (a,) = args
        want = ir.op == "is"
        return lambda r, lit: (a(r, lit) is None) == want
    if k in {"and", "or"}:
        combine = _and if k == "and" else _or
        return lambda r, lit: combine(f(r, lit) for f in args)
    if k == "not":
        (a,) = args

        def negate_(r: Row, lit: Row) -> Any:
            x = a(r, lit)
            return None if x is None else not x

        return negate_
    if k == "if":
        c, then, other = args

        def branch(r: Row, lit: Row) -> Any:
            x = c(r, lit)
            return None if x is None else (then(r, lit) if x else other(r, lit))

        return branch
    return _func(ir, args)


ROWS = "__rows"  # in the literals: the height of the frame the plans would compute this row in


def _by_scalar(numerator: set[str], denominator: set[str], r: Row, lit: Row) -> bool:
    """A column divided by one value (a literal) in a frame of 3 rows or more.

    Polars then multiplies by the reciprocal in its vectorised kernel (not for every position
    of a 3-row frame), one binary digit away from a division now and then: the plans decide.
    """
    if lit.get(ROWS, 1) < 3 or any(n in r for n in denominator):
        return False
    return any(n in r for n in numerator)


def _bin(ir: IR, args: list[Fn], narrow: frozenset[str]) -> Fn:
    a, b = args
    op = _BIN[ir.op]
    # An Int8 column with a literal stays Int8 in Polars (and wraps): out of range, Polars decides.
    small = any(x.kind == "ref" and x.name in narrow for x in ir.args)
    top, bottom = ir.args[0].refs(), ir.args[1].refs()
    reads = top | bottom

    def run(r: Row, lit: Row) -> Any:
        x, y = a(r, lit), b(r, lit)
        if x is None or y is None:
            return None
        x, y = _number(x), _number(y)
        if ir.op == "/" and (y == 0 or _by_scalar(top, bottom, r, lit)):
            raise Fallback
        out = _checked(op(x, y), not any(n in r for n in reads))
        if small and isinstance(out, int) and not -128 <= out <= 127:
            raise Fallback
        return out

    return run


def _func(ir: IR, args: list[Fn]) -> Fn:
    fn = ir.op
    if fn in {"min", "max"}:
        pick = min if fn == "min" else max

        def extreme(r: Row, lit: Row) -> Any:
            values: list[Any] = [f(r, lit) for f in args]
            if any(v is None for v in values):
                return None
            values = [_number(v) for v in values]
            if any(isinstance(v, float) and math.isnan(v) for v in values):
                raise Fallback
            return pick(values)

        return extreme
    (first, *rest) = args
    if fn == "round_fen":
        return lambda r, lit: round_fen(first(r, lit))
    if fn in {"monthly", "yearly"}:
        top = ir.args[0].refs()

        def scale(r: Row, lit: Row) -> Any:
            x = first(r, lit)
            if x is None:
                return None
            if fn == "monthly" and _by_scalar(top, set(), r, lit):
                raise Fallback
            scalar = not any(n in r for n in top)
            return _checked(_number(x) / 12 if fn == "monthly" else _number(x) * 12, scalar)

        return scale
    if fn == "months_between":
        second = rest[0]
        return lambda r, lit: months_between(first(r, lit), second(r, lit))
    return lambda r, lit: age(first(r, lit), lit["评估日期"])


# ---- nodes ------------------------------------------------------------------------------------------


def _node_fn(catalogue: Catalogue, node: Node, narrow: frozenset[str]) -> Fn:
    kind = node.kind
    if node.name == "年龄":
        return lambda r, lit: age(r["birth_date"], lit["评估日期"])
    if kind in {"derived", "aggarg"}:
        assert node.ir is not None
        return compile_ir(node.ir, narrow)
    policy = catalogue.policies[node.policy] if node.policy else None
    if kind == "cond":
        assert policy is not None
        return _condition(policy, node.name, narrow)
    if kind == "raw":
        assert policy is not None and policy.eligibility is not None
        elig = policy.eligibility.node
        return lambda r, lit: _and((r[elig], _in_force(policy, lit["评估日期"])))
    if kind == "excl":
        assert policy is not None
        pairs = [(o, exclusion_column(catalogue, policy, o)) for o in policy.excluded_by]

        def excluded(r: Row, lit: Row) -> Any:
            return next((o for o, col in pairs if r[col] is True), None)

        return excluded
    if kind == "eligible":
        assert policy is not None
        raw = f"{policy.id}.raw"
        others = [exclusion_column(catalogue, policy, o) for o in policy.excluded_by]
        if not others:
            return lambda r, lit: r[raw]

        def eligible(r: Row, lit: Row) -> Any:
            hit = _or(r[c] for c in others)
            return _and((r[raw], None if hit is None else not hit))

        return eligible
    if kind == "amount":
        assert policy is not None
        return _amount(policy, narrow)
    raise Fallback  # a node kind this path does not know


def node_fn(catalogue: Catalogue, name: str, narrow: frozenset[str]) -> Fn:
    """The closure computing one node, for one catalogue."""
    return _node_fn(catalogue, catalogue.nodes[name], narrow)


def quantity_fn(policy: Policy, narrow: frozenset[str]) -> Fn:
    """A service policy's quantity (hours), computed after everything else as in the plans."""
    return _quantity(policy, narrow)


def _condition(policy: Policy, name: str, narrow: frozenset[str]) -> Fn:
    cond = _find_condition(policy, name)
    if cond.kind == "leaf":
        assert cond.ir is not None
        return compile_ir(cond.ir, narrow)
    children = [c.node for c in cond.children]
    if cond.kind == "not":
        child = children[0]
        return lambda r, lit: None if r[child] is None else not r[child]
    combine = _and if cond.kind == "all" else _or
    return lambda r, lit: combine(r[c] for c in children)


def _horizontal(pick: Callable[..., Any], *values: Any) -> Any:
    """min/max_horizontal: nulls are skipped; all null gives null."""
    known: list[Any] = [v for v in values if v is not None]
    return pick(known) if known else None


def _amount(policy: Policy, narrow: frozenset[str]) -> Fn:
    amount = policy.amount
    assert amount is not None
    parts = {k: compile_ir(v, narrow) for k, v in amount.parts.items()}
    eligible_node, mode = policy.eligible_node, amount.round
    reads = {n for v in amount.parts.values() for n in v.refs()}

    def money(r: Row, lit: Row) -> Any:
        # Computed for every row, as Polars does: a value it could not cast fails there too.
        value = _float(parts["expr"](r, lit))
        if "cap" in parts:
            value = _horizontal(min, value, parts["cap"](r, lit))
        if "floor" in parts:
            value = _horizontal(max, value, parts["floor"](r, lit))
        if amount.quantity_node:
            value = _float(parts["value"](r, lit))
        value = float(_horizontal(max, value, 0.0))
        if mode != "fen" and _by_scalar(reads, set(), r, lit):
            raise Fallback  # `value / 100`
        if mode == "yuan":
            out = (round_fen(value / 100) or 0) * 100
        elif mode == "yuan_up":
            out = int(_checked(math.ceil(_checked(value / 100)) * 100))
        else:
            out = round_fen(value) or 0
        return out if r[eligible_node] is True else 0

    return money


def _quantity(policy: Policy, narrow: frozenset[str]) -> Fn:
    amount = policy.amount
    assert amount is not None
    expr = compile_ir(amount.parts["expr"], narrow)
    cap = compile_ir(amount.parts["cap"], narrow) if "cap" in amount.parts else None
    eligible_node = policy.eligible_node

    def hours(r: Row, lit: Row) -> Any:
        value = expr(r, lit)
        if cap is not None:
            value = _horizontal(min, value, cap(r, lit))
        out = round_fen(value)
        return out if r[eligible_node] is True else 0

    return hours


def _float(value: Any) -> float | None:
    return None if value is None else float(_checked(_number(value)))
