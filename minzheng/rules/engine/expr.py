"""The expression language: a whitelisted subset of Python expressions, parsed with `ast`.

`家庭月人均收入 < 当地低保标准 and not 财政供养` parses to a small typed IR (unit and entity level
on every node) which compiles to one Polars expression. Names are resolved by the catalogue;
aggregations over household members (`sum`, `count`, `any`, `all`, `max_of`, `min_of`) become
household-level nodes of their own so the evaluator can compute them in one group-by.
"""

from __future__ import annotations

import ast
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from minzheng.rules.engine import units as u
from minzheng.rules.engine.units import Unit, UnitError

PERSON, HOUSEHOLD, ANY = "person", "household", "any"
AGGREGATES = {"sum", "count", "any", "all", "max_of", "min_of"}
FUNCTIONS = {"min", "max", "round_fen", "monthly", "yearly", "months_between", "age", "eligible", "amount"}


class ExprError(ValueError):
    """A Chinese message; the catalogue adds the file and line."""

    def __init__(self, message: str, line_offset: int = 0) -> None:
        super().__init__(message)
        self.line_offset = line_offset


@dataclass(frozen=True, slots=True)
class NameInfo:
    name: str  # node name (column in the evaluation frames)
    level: str
    unit: Unit
    label: str
    choices: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class IR:
    kind: str  # const ref bin cmp in isnull and or not if func
    unit: Unit
    level: str
    args: list[IR] = field(default_factory=list)
    op: str = ""
    value: Any = None
    name: str = ""  # ref: node name
    source: str = ""  # the source text of this sub-expression (for explanations)

    def refs(self) -> set[str]:
        found = {self.name} if self.kind == "ref" else set()
        for a in self.args:
            found |= a.refs()
        return found


Resolver = Callable[[str], NameInfo | None]
AggDeclarer = Callable[[str, IR | None, str], NameInfo]  # (fn, arg, source) → the aggregate node


def _level(*levels: str) -> str:
    if PERSON in levels:
        return PERSON
    if HOUSEHOLD in levels:
        return HOUSEHOLD
    return ANY


class Parser:
    def __init__(self, resolve: Resolver, declare_agg: AggDeclarer, policy_ref: Callable[[str, str], NameInfo]) -> None:
        self._resolve, self._declare_agg, self._policy_ref = resolve, declare_agg, policy_ref
        self._text = ""

    def parse(self, text: str) -> IR:
        self._text = str(text)
        try:
            tree = ast.parse(self._text.strip(), mode="eval")
        except SyntaxError as exc:
            where = f"第 {exc.offset} 个字符附近" if exc.offset else "某处"
            raise ExprError(f"表达式语法错误（{where}）：“{self._text.strip()}”", (exc.lineno or 1) - 1) from exc
        return self._node(tree.body)

    def _src(self, node: ast.AST) -> str:
        return ast.get_source_segment(self._text.strip(), node) or ""

    def _node(self, node: ast.AST) -> IR:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise ExprError(f"表达式中不允许使用“{self._src(node) or type(node).__name__}”")
        ir: IR = method(node)
        ir.source = ir.source or self._src(node)
        return ir

    def _Constant(self, node: ast.Constant) -> IR:  # noqa: N802
        v = node.value
        if isinstance(v, bool):
            return IR("const", u.FLAG, ANY, value=v)
        if isinstance(v, int | float):
            return IR("const", u.LITERAL, ANY, value=v)
        if isinstance(v, str):
            return IR("const", Unit(u.TEXT), ANY, value=v)
        if v is None:
            return IR("const", u.LITERAL, ANY, value=None)
        raise ExprError(f"不支持的常量“{self._src(node)}”")

    def _Name(self, node: ast.Name) -> IR:  # noqa: N802
        info = self._resolve(node.id)
        if info is None:
            raise ExprError(f"未知名称“{node.id}”")
        ir = IR("ref", info.unit, info.level, name=info.name, value=info)
        return ir

    def _UnaryOp(self, node: ast.UnaryOp) -> IR:  # noqa: N802
        arg = self._node(node.operand)
        if isinstance(node.op, ast.Not):
            self._need_bool(arg)
            return IR("not", u.FLAG, arg.level, [arg])
        if isinstance(node.op, ast.USub):
            return IR("bin", arg.unit, arg.level, [IR("const", u.LITERAL, ANY, value=0), arg], op="-")
        raise ExprError(f"不允许的运算“{self._src(node)}”")

    def _BinOp(self, node: ast.BinOp) -> IR:  # noqa: N802
        a, b = self._node(node.left), self._node(node.right)
        ops = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
        op = ops.get(type(node.op))
        if op is None:
            raise ExprError(f"不允许的运算“{self._src(node)}”（只可用 + - * /）")
        try:
            if op in "+-":
                self._no_bare_money(a, b)
                unit = u.combine_add(a.unit, b.unit)
            elif op == "*":
                unit = u.combine_mul(a.unit, b.unit)
            else:
                unit = u.combine_div(a.unit, b.unit)
        except UnitError as exc:
            raise ExprError(f"{exc}（“{self._src(node)}”）") from exc
        return IR("bin", unit, _level(a.level, b.level), [a, b], op=op)

    def _BoolOp(self, node: ast.BoolOp) -> IR:  # noqa: N802
        items = [self._node(v) for v in node.values]
        for item in items:
            self._need_bool(item)
        kind = "and" if isinstance(node.op, ast.And) else "or"
        return IR(kind, u.FLAG, _level(*(i.level for i in items)), items)

    def _Compare(self, node: ast.Compare) -> IR:  # noqa: N802
        left = node.left
        parts: list[IR] = []
        for op, right in zip(node.ops, node.comparators, strict=True):
            parts.append(self._compare_one(left, op, right))
            left = right
        if len(parts) == 1:
            return parts[0]
        return IR("and", u.FLAG, _level(*(p.level for p in parts)), parts)

    def _compare_one(self, left_node: ast.expr, op: ast.cmpop, right_node: ast.expr) -> IR:
        a = self._node(left_node)
        if isinstance(op, ast.In | ast.NotIn):
            return self._in(a, right_node, negate=isinstance(op, ast.NotIn))
        if isinstance(op, ast.Is | ast.IsNot):
            if not (isinstance(right_node, ast.Constant) and right_node.value is None):
                raise ExprError("“is” 只能与 None 比较")
            return IR("isnull", u.FLAG, a.level, [a], op="is" if isinstance(op, ast.Is) else "is not")
        b = self._node(right_node)
        symbols = {ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "==", ast.NotEq: "!="}
        sym = symbols[type(op)]
        a, b = self._map_choice(a, b), self._map_choice(b, a)
        self._no_bare_money(a, b)
        if not a.unit.same_kind(b.unit):
            text = self._src(left_node) + " " + sym + " " + self._src(right_node)
            raise ExprError(f"单位不一致：{a.unit.text()} 与 {b.unit.text()}（“{text}”）")
        return IR("cmp", u.FLAG, _level(a.level, b.level), [a, b], op=sym)

    def _in(self, a: IR, right: ast.expr, negate: bool) -> IR:
        if not isinstance(right, ast.Tuple | ast.List) or not all(isinstance(e, ast.Constant) for e in right.elts):
            raise ExprError("“in” 的右边应为常量列表，如 (1, 2)")
        values = [self._choice_value(a, e.value) for e in right.elts]  # type: ignore[attr-defined]
        return IR("in", u.FLAG, a.level, [a], value=values, op="not in" if negate else "in")

    def _IfExp(self, node: ast.IfExp) -> IR:  # noqa: N802
        cond, a, b = self._node(node.test), self._node(node.body), self._node(node.orelse)
        self._need_bool(cond)
        try:
            unit = u.combine_add(a.unit, b.unit)
        except UnitError as exc:
            raise ExprError(f"{exc}（“{self._src(node)}”）") from exc
        return IR("if", unit, _level(cond.level, a.level, b.level), [cond, a, b])

    def _Call(self, node: ast.Call) -> IR:  # noqa: N802
        if not isinstance(node.func, ast.Name) or node.keywords:
            raise ExprError(f"不允许的函数调用“{self._src(node)}”")
        fn = node.func.id
        if fn in AGGREGATES:
            return self._aggregate(fn, node)
        if fn not in FUNCTIONS:
            raise ExprError(f"未知函数“{fn}”（可用：{'、'.join(sorted(FUNCTIONS | AGGREGATES))}）")
        if fn in {"eligible", "amount"}:
            if (
                len(node.args) != 1
                or not isinstance(node.args[0], ast.Constant)
                or not isinstance(node.args[0].value, str)
            ):
                raise ExprError(f'{fn}() 需要一个政策编号，如 {fn}("dibao")')
            info = self._policy_ref(fn, node.args[0].value)
            return IR("ref", info.unit, info.level, name=info.name, value=info)
        args = [self._node(a) for a in node.args]
        return self._function(fn, args, node)

    def _function(self, fn: str, args: list[IR], node: ast.Call) -> IR:
        level = _level(*(a.level for a in args))
        if fn in {"min", "max"}:
            if len(args) < 2:
                raise ExprError(f"{fn}() 至少需要两个参数")
            unit = args[0].unit
            for a in args[1:]:
                try:
                    self._no_bare_money(args[0], a)
                    unit = u.combine_add(unit, a.unit)
                except UnitError as exc:
                    raise ExprError(f"{exc}（“{self._src(node)}”）") from exc
            return IR("func", unit, level, args, op=fn)
        if len(args) != {"months_between": 2}.get(fn, 1):
            raise ExprError(f"{fn}() 的参数个数不对")
        if fn == "round_fen":
            return IR("func", args[0].unit, level, args, op=fn)
        if fn in {"monthly", "yearly"}:
            want, to = ("年", "月") if fn == "monthly" else ("月", "年")
            if args[0].unit.dim != u.MONEY or args[0].unit.per != want:
                raise ExprError(f"{fn}() 需要 元/{want} 的金额，得到 {args[0].unit.text()}")
            return IR("func", Unit(u.MONEY, to, "元"), level, args, op=fn)
        if fn == "months_between":
            if any(a.unit.dim != u.DATE for a in args):
                raise ExprError("months_between() 需要两个日期")
            return IR("func", Unit("月", None, "个月"), level, args, op=fn)
        if args[0].unit.dim != u.DATE:
            raise ExprError("age() 需要一个日期")
        return IR("func", Unit("岁", None, "岁"), level, args, op=fn)

    def _aggregate(self, fn: str, node: ast.Call) -> IR:
        if len(node.args) > 1 or (fn != "count" and not node.args):
            raise ExprError(f"{fn}() 需要一个参数（家庭成员的数值或条件）")
        arg = self._node(node.args[0]) if node.args else None
        if arg is not None and arg.level == HOUSEHOLD:
            raise ExprError(f"{fn}() 汇总的是家庭成员，参数“{self._src(node.args[0])}”已是户级数值")
        if fn in {"count", "any", "all"} and arg is not None:
            self._need_bool(arg)
        elif arg is not None and arg.unit.dim in {u.BOOL, u.TEXT}:
            raise ExprError(f"{fn}() 需要数值，得到“{self._src(node.args[0])}”")
        info = self._declare_agg(fn, arg, self._src(node))
        return IR("ref", info.unit, info.level, name=info.name, value=info)

    def _need_bool(self, ir: IR) -> None:
        if ir.unit.dim != u.BOOL:
            raise ExprError(f"“{ir.source}”不是条件（是/否），而是 {ir.unit.text()}")

    def _no_bare_money(self, a: IR, b: IR) -> None:
        for x, y in ((a, b), (b, a)):
            bare = x.kind == "const" and x.value not in (0, None) and x.unit.dim == u.NUM
            if bare and y.unit.dim == u.MONEY:
                raise ExprError(f"金额不能直接写数字 {x.value}，请定义参数（单位 元）")

    def _map_choice(self, ir: IR, other: IR) -> IR:
        if ir.kind == "const" and other.kind == "ref":
            mapped = self._choice_value(other, ir.value)
            if mapped is not ir.value:
                unit = other.unit if isinstance(mapped, int) else Unit(u.TEXT)
                return IR("const", unit, ANY, value=mapped, source=ir.source)
        return ir

    def _choice_value(self, ref: IR, value: Any) -> Any:
        info = ref.value if ref.kind == "ref" else None
        if isinstance(info, NameInfo) and info.choices and isinstance(value, str):
            if value not in info.choices:
                raise ExprError(f"“{info.label}”没有取值“{value}”（可用：{'、'.join(info.choices)}）")
            return info.choices[value]
        return value


# ---- compilation to Polars -------------------------------------------------------------------


class Columns:
    """How a compiled expression reaches values: a node's column, or a parameter literal."""

    def __init__(
        self, as_of: dt.date, literals: dict[str, Any], null_types: dict[str, pl.DataType] | None = None
    ) -> None:
        self.as_of = as_of
        self.literals = literals
        self.null_types = null_types or {}  # a parameter with no value here is a typed null

    def ref(self, name: str) -> pl.Expr:
        if name in self.literals:
            value = self.literals[name]
            return pl.lit(value, dtype=self.null_types.get(name, pl.Float64())) if value is None else pl.lit(value)
        return pl.col(name)


def to_polars(ir: IR, cols: Columns) -> pl.Expr:
    k = ir.kind
    if k == "const":
        return pl.lit(ir.value)
    if k == "ref":
        return cols.ref(ir.name)
    args = [to_polars(a, cols) for a in ir.args]
    if k == "bin":
        a, b = args
        return {"+": a + b, "-": a - b, "*": a * b, "/": a / b}[ir.op]
    if k == "cmp":
        a, b = args
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[ir.op]
    if k == "in":
        hit = args[0].is_in(list(ir.value))
        return ~hit if ir.op == "not in" else hit
    if k == "isnull":
        return args[0].is_null() if ir.op == "is" else args[0].is_not_null()
    # Three-valued (Kleene) logic: null is "unknown"; `False and unknown` is False, `True or
    # unknown` is True, anything else over an unknown stays unknown (never read as False or 0).
    if k in {"and", "or"}:
        out = args[0]
        for a in args[1:]:
            out = (out & a) if k == "and" else (out | a)
        return out
    if k == "not":
        return ~args[0]
    if k == "if":  # an unknown test gives an unknown value (neither branch)
        return pl.when(args[0]).then(args[1]).when(~args[0]).then(args[2])
    return _function(ir, args, cols)


def _function(ir: IR, args: list[pl.Expr], cols: Columns) -> pl.Expr:
    fn = ir.op
    if fn in {"min", "max"}:  # min/max_horizontal skip nulls; an unknown argument makes the result unknown
        picked = pl.min_horizontal(*args) if fn == "min" else pl.max_horizontal(*args)
        return pl.when(pl.any_horizontal([a.is_null() for a in args])).then(None).otherwise(picked)
    if fn == "round_fen":
        return round_fen(args[0])
    if fn == "monthly":
        return args[0] / 12
    if fn == "yearly":
        return args[0] * 12
    if fn == "months_between":
        from minzheng.rules.engine.inputs import months_between_expr

        return months_between_expr(args[0], args[1])
    from minzheng.rules.engine.inputs import age_expr

    return age_expr(args[0], cols.as_of)


def round_fen(expr: pl.Expr) -> pl.Expr:
    """Half away from zero to whole fen (never banker's rounding: a resident's 0.5 分 rounds up)."""
    return expr.cast(pl.Float64).round(0, mode="half_away_from_zero").cast(pl.Int64)


def aggregate_expr(fn: str, column: str | None) -> pl.Expr:
    """The group-by aggregate behind sum/count/any/all/max_of/min_of over one household's members."""
    if column is None:
        return pl.len().cast(pl.Int64)
    c = pl.col(column)
    if fn == "any":  # Kleene: one True member decides; otherwise an unknown member leaves it unknown
        return c.any(ignore_nulls=False)
    if fn == "all":
        return c.all(ignore_nulls=False)
    value = {"sum": c.sum(), "count": c.sum().cast(pl.Int64), "max_of": c.max(), "min_of": c.min()}[fn]
    return pl.when(c.null_count() == 0).then(value)  # one unknown member: the household's value is unknown


def aggregate_default(fn: str) -> Any:
    """The value for a household with no member rows."""
    return {"sum": 0, "count": 0, "any": False, "all": True}.get(fn)
