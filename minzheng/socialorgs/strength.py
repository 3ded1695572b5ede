"""组织力指数: 4 dimensions and 20 rules (data/strength.yaml) written in the rules engine's expression language.

Each rule's condition is parsed by `rules.engine.expr.Parser` (units checked: a count is not compared
with money) and compiled to Polars by `expr.to_polars`, evaluated over one row per organisation with
Kleene logic: a fact nobody could fill leaves the rule 待核对, never 0 points. The engine's policy
catalogue is for persons and households, so the facts of an organisation are declared here (a resolver
over the YAML's `facts`), not in `rules/engine/inputs.py`; the engine itself is unchanged. Explanations
are Chinese sentences built from the same expression tree, showing both sides' values with units.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from minzheng.rules.engine import units as u
from minzheng.rules.engine.expr import ANY, IR, Columns, ExprError, NameInfo, Parser, to_polars

SOURCE = Path(__file__).parent / "data" / "strength.yaml"
_DTYPES = {u.MONEY: pl.Int64(), u.BOOL: pl.Boolean(), u.TEXT: pl.String()}


class StrengthError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    id: str
    label: str
    when: str
    points: int
    ir: IR
    dimension: str


@dataclass(frozen=True)
class Index:
    name: str
    source: str
    facts: dict[str, NameInfo]
    dimensions: list[tuple[str, str, list[Rule]]]  # (id, name, rules)
    scenarios: list[dict[str, Any]]

    @property
    def rules(self) -> list[Rule]:
        return [r for _, _, rules in self.dimensions for r in rules]


@dataclass
class Outcome:
    rule: Rule
    passed: bool | None  # None: 待核对
    text: str


@dataclass
class Result:
    score: int
    by_dimension: list[tuple[str, int, int]]  # (name, points got, points possible)
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def unknown(self) -> list[str]:
        return [o.rule.id for o in self.outcomes if o.passed is None]


def _resolver(facts: dict[str, NameInfo]) -> Parser:
    def no_agg(fn: str, arg: IR | None, source: str) -> NameInfo:
        raise ExprError(f"组织力细则不能使用汇总函数 {fn}()")

    def no_policy(fn: str, pid: str) -> NameInfo:
        raise ExprError(f"组织力细则不能引用政策 {pid}")

    return Parser(facts.get, no_agg, no_policy)


def load(path: Path = SOURCE) -> Index:
    """Parse and check the file: 4 dimensions, 20 rules (5 each), every condition a 是/否 over declared facts."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    facts = {
        name: NameInfo(name, ANY, u.parse_unit(spec["unit"]), spec.get("label") or name)
        for name, spec in raw["facts"].items()
    }
    parser = _resolver(facts)
    dims = []
    for dim in raw["dimensions"]:
        rules = []
        for spec in dim["rules"]:
            try:
                ir = parser.parse(spec["when"])
            except ExprError as exc:
                raise StrengthError(f"{path.name} 细则 {spec['id']}：{exc}") from exc
            if ir.unit.dim != u.BOOL:
                raise StrengthError(f"{path.name} 细则 {spec['id']}：条件应为是/否")
            rules.append(Rule(spec["id"], spec["label"], spec["when"], int(spec["points"]), ir, dim["name"]))
        dims.append((dim["id"], dim["name"], rules))
    index = Index(raw["name"], raw["source"], facts, dims, raw.get("scenarios") or [])
    if len(dims) != 4 or len(index.rules) != 20 or any(len(r) != 5 for _, _, r in dims):
        raise StrengthError(f"{path.name}：应为 4 个维度、每个维度 5 条、共 20 条细则")
    if len({r.id for r in index.rules}) != 20:
        raise StrengthError(f"{path.name}：细则编号重复")
    return index


@cache
def index() -> Index:
    return load()


def frame(idx: Index, rows: list[dict[str, Any]]) -> pl.DataFrame:
    """One row per organisation; money facts are fen. Unknown facts are typed nulls."""
    schema = {name: _DTYPES.get(info.unit.dim, pl.Float64()) for name, info in idx.facts.items()}
    return pl.DataFrame([{k: row.get(k) for k in schema} for row in rows], schema=schema)


def evaluate(idx: Index, rows: list[dict[str, Any]], as_of: dt.date) -> list[Result]:
    """Each organisation's score, per dimension, and every rule's outcome with its Chinese explanation."""
    if not rows:
        return []
    data = frame(idx, rows)
    cols = Columns(as_of, {})
    verdicts = data.select(to_polars(r.ir, cols).alias(r.id) for r in idx.rules).to_dicts()
    values = data.to_dicts()
    results = []
    for verdict, facts in zip(verdicts, values, strict=True):
        outcomes = [Outcome(r, verdict[r.id], explain(r, facts, verdict[r.id], cols)) for r in idx.rules]
        dims = []
        for _, name, rules in idx.dimensions:
            got = sum(r.points for r in rules if verdict[r.id])
            dims.append((name, got, sum(r.points for r in rules)))
        results.append(Result(sum(g for _, g, _ in dims), dims, outcomes))
    return results


# ---- explanations ---------------------------------------------------------------------------------


def _fmt(value: Any, unit: u.Unit) -> str:
    if value is None:
        return "无记录"
    if unit.dim == u.MONEY:
        return f"{value / 100:,.2f} 元"
    if unit.dim == u.BOOL:
        return "是" if value else "否"
    if isinstance(value, float):
        value = f"{value:.2f}".rstrip("0").rstrip(".")
    label = unit.label if unit.dim not in {u.NUM, u.TEXT, u.RATIO} else ""
    return f"{value} {label}".strip()


def _value(ir: IR, facts: dict[str, Any], cols: Columns) -> Any:
    if ir.kind == "const":
        return ir.value
    if ir.kind == "ref":
        return facts.get(ir.name)
    one = pl.DataFrame([facts]) if facts else pl.DataFrame()
    return one.select(to_polars(ir, cols).alias("v")).item()


def _label(ir: IR) -> str:
    info = ir.value if ir.kind == "ref" else None
    return info.label if isinstance(info, NameInfo) else ir.source


def _missing(ir: IR, facts: dict[str, Any]) -> list[str]:
    return sorted(n for n in ir.refs() if facts.get(n) is None)


def _part(ir: IR, facts: dict[str, Any], cols: Columns) -> str:
    if ir.kind == "cmp":
        a, b = ir.args
        va, vb = _value(a, facts, cols), _value(b, facts, cols)
        unit = a.unit if a.unit.dim != u.NUM else b.unit
        if va is None or vb is None:
            return f"{_label(a)} {_fmt(va, unit)}"
        if isinstance(va, str) or isinstance(vb, str):
            return f"{_label(a)}为“{va}”，{'等于' if va == vb else '不是'}“{vb}”"
        rel = "低于" if va < vb else ("等于" if va == vb else "高于")
        right = _fmt(vb, unit) if b.kind == "const" else f"{_label(b)} {_fmt(vb, unit)}"
        return f"{_label(a)} {_fmt(va, unit)}，{rel} {right}"
    if ir.kind == "not":
        return _part(ir.args[0], facts, cols)
    if ir.kind == "ref":
        return f"{_label(ir)}：{_fmt(facts.get(ir.name), ir.unit)}"
    return "；".join(_part(a, facts, cols) for a in ir.args)


def explain(rule: Rule, facts: dict[str, Any], passed: bool | None, cols: Columns) -> str:
    """“全年开展活动不少于12次：未达到（上年度开展活动 5 次，低于 12 次）” and the like."""
    if passed is None:
        missing = "、".join(_fact_label(rule.ir, n) for n in _missing(rule.ir, facts))
        return f"{rule.label}：待核对（缺少{missing or '相关记录'}）"
    verdict = f"符合，得 {rule.points} 分" if passed else "不符合，不得分"
    return f"{rule.label}：{verdict}（{_part(rule.ir, facts, cols)}）"


def _fact_label(ir: IR, name: str) -> str:
    if ir.kind == "ref" and ir.name == name and isinstance(ir.value, NameInfo):
        return ir.value.label
    for a in ir.args:
        found = _fact_label(a, name)
        if found != name:
            return found
    return name
