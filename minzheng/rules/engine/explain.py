"""Decisions explained in Chinese, generated from each condition's expression tree.

"家庭月人均收入 1500.00 元，高于当地低保标准 1181.00 元（鄞州区，2022-07-01 起）": both sides'
values with their units, the relation that actually holds, and every parameter behind the
condition with the region whose value applied and the date it took effect. Rendered only for
rows someone looks at (one household), never for the whole batch.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

import polars as pl

from minzheng.rules.engine import one
from minzheng.rules.engine import units as u
from minzheng.rules.engine.catalogue import Catalogue, Condition, Policy
from minzheng.rules.engine.evaluate import (
    Decision,
    decision_rows,
    unknown_members,
)
from minzheng.rules.engine.expr import HOUSEHOLD, IR, PERSON, Columns, to_polars
from minzheng.rules.engine.inputs import FIELDS_BY_COLUMN
from minzheng.rules.engine.params import ParamSource, match_regions
from minzheng.rules.engine.plan import _in_force, unit_dtype
from minzheng.rules.engine.small import remember
from minzheng.rules.engine.small_run import side_values, value_of
from minzheng.rules.engine.unknown import input_label, param_label, sources_of

RegionName = Callable[[str], str] | Mapping[str, str]
_GRADED = {"disability_grade", "incapacity_level"}
_OPS = {"+": "＋", "-": "－", "*": "×", "/": "÷"}


def explain(
    catalogue: Catalogue,
    persons: Any,
    households: Any,
    as_of: dt.date,
    params: ParamSource,
    region_name: RegionName | None = None,
) -> list[Decision]:
    """`evaluate_household` plus, per decision, `[{condition, passed, text}]` in Chinese."""
    prep = one.prepare(catalogue, persons, households, as_of, params)
    literals = prep.params.literals
    nulls = {n: unit_dtype(catalogue.nodes[n].unit) for n, v in literals.items() if v is None}
    cols = Columns(as_of, {**literals, "评估日期": as_of}, nulls)
    sides = _python_sides(catalogue, prep, as_of)
    if sides is None:  # the Polars plans: dtypes not yet recorded, or a value Python cannot be sure of
        p, h = one.plan_frames(catalogue, prep, as_of)
        sides = _side_values(catalogue, p, h, cols, prep.key)
    rows = decision_rows(catalogue, sides[PERSON], sides[HOUSEHOLD], literals)
    out = one.decisions(catalogue, rows)
    shared = _Shared(catalogue, as_of, {(r["region_code"], r["key"]): _dated(r) for r in prep.table_rows}, cols)
    shared.region_name = _namer(region_name)
    shared.unknown_members = unknown_members(sides[PERSON])
    rows_p = {r["person_id"]: r for r in sides[PERSON]}
    rows_h = {r["household_id"]: r for r in sides[HOUSEHOLD]}
    for d in out:
        policy = catalogue.policies[d.policy_id]
        row = rows_p[d.person_id] if policy.entity == PERSON else rows_h[d.household_id]
        d.explanation = _Context(shared, policy, row).explain(d)
    return out


def _side_irs(catalogue: Catalogue, level: str) -> list[IR]:
    """Every sub-expression an explanation shows that is not already a column or a constant."""
    found: list[IR] = []

    def visit(ir: IR) -> None:
        if ir.kind in {"cmp", "in", "isnull"}:
            found.extend(a for a in ir.args if a.kind not in {"ref", "const"})
        for a in ir.args:
            if a.kind in {"cmp", "and", "or", "not", "in", "isnull"}:
                visit(a)

    for policy in catalogue.policies.values():
        if policy.entity != level:
            continue
        stack = [policy.eligibility]
        while stack:
            cond = stack.pop()
            assert cond is not None
            stack.extend(cond.children)
            if cond.ir is not None:
                visit(cond.ir)
    return found


def _dated(row: dict[str, Any]) -> dict[str, Any]:
    """A parameters-table row as the table holds it (its Date column drops a time of day)."""
    when = row["effective_from"]
    return {**row, "effective_from": when.date()} if isinstance(when, dt.datetime) else row


def _irs(catalogue: Catalogue, level: str) -> list[IR]:
    irs = catalogue.cache.get(("sides", level))
    if irs is None:
        irs = catalogue.cache[("sides", level)] = _side_irs(catalogue, level)
    return irs


def _python_sides(catalogue: Catalogue, prep: one.Prepared, as_of: dt.date) -> dict[str, list[dict[str, Any]]] | None:
    found = one.evaluated_rows(catalogue, prep, as_of, explanations=True)
    if found is None:
        return None
    sides = {PERSON: found[0], HOUSEHOLD: found[1]}
    irs = {level: _irs(catalogue, level) for level in sides}
    return sides if side_values(catalogue, sides, irs, as_of, prep.params.literals, prep.key) else None


def _side_values(
    catalogue: Catalogue, p: pl.DataFrame, h: pl.DataFrame, cols: Columns, key: tuple[Any, ...]
) -> dict[str, list[dict[str, Any]]]:
    """All rows as dicts, plus the explanation's sub-expression values (one select per frame)."""
    out: dict[str, list[dict[str, Any]]] = {}
    dtypes: dict[str, Any] = {}
    for level, frame in ((PERSON, p), (HOUSEHOLD, h)):
        irs = _irs(catalogue, level)
        # with_columns, not select: a value of parameters alone (all literals) is one row in a
        # select, and must stand beside every row of the frame.
        names = [f"__x{id(ir)}" for ir in irs]
        exprs = [to_polars(ir, cols).alias(n) for ir, n in zip(irs, names, strict=True)]
        # Unoptimised, as the plans run a household (the Python path mirrors that).
        plan = frame.lazy().with_columns(exprs).select(names)
        extra = plan.collect(optimizations=pl.QueryOptFlags.none()) if irs else None
        rows = frame.to_dicts()
        if extra is not None:
            dtypes |= dict(extra.schema)
            for row, more in zip(rows, extra.to_dicts(), strict=True):
                row.update(more)
        out[level] = rows
    remember(catalogue, key, "x", dtypes)  # the Python path coerces its values to these dtypes
    return out


class _Shared:
    """What every decision's explanation of one household needs: parameters and their sources."""

    def __init__(
        self, catalogue: Catalogue, as_of: dt.date, provenance: dict[tuple[str, str], dict[str, Any]], cols: Columns
    ) -> None:
        self.catalogue, self.as_of, self.provenance, self.cols = catalogue, as_of, provenance, cols
        self.available = {region for region, _ in provenance}
        self.region_name: Callable[[str], str] = str
        self.unknown_members: dict[str, set[str]] = {}  # household id → person inputs unknown for a member
        self._regions: dict[str, str] = {}
        # (table region, expression) → its "（鄞州区，2022-07-01 起）": the same for every member
        self.sources: dict[tuple[str, int], str] = {}

    def table_region(self, region: str) -> str:
        if region not in self._regions:
            self._regions[region] = match_regions(self.available, [region]).get(region, "")
        return self._regions[region]


def _namer(region_name: RegionName | None) -> Callable[[str], str]:
    def name(code: str) -> str:
        if not code:
            return "全国"
        if region_name is None:
            return code
        if callable(region_name):
            return region_name(code) or code
        return region_name.get(code, code)

    return name


class _Context:
    def __init__(self, shared: _Shared, policy: Policy, row: dict[str, Any]) -> None:
        self.catalogue, self.policy, self.row = shared.catalogue, policy, row
        self.as_of, self.provenance, self.region_name = shared.as_of, shared.provenance, shared.region_name
        self.table_region = shared.table_region(row["region_code"])
        self.cols = shared.cols
        self.unknown_members = shared.unknown_members
        self.sources_memo = shared.sources

    # ---- entries -------------------------------------------------------------------------------
    def explain(self, d: Decision) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        if not _in_force(self.policy, self.as_of):
            entries.append(self._entry("effective", False, self._force_text()))
        assert self.policy.eligibility is not None
        self._walk(self.policy.eligibility, False, entries)
        if d.excluded_by:
            other = self.catalogue.policies[d.excluded_by]
            text = f"同时符合{other.name}条件，按规定不再重复享受{self.policy.name}"
            entries.append(self._entry("excluded_by", False, text))
        if self.policy.amount is not None and d.eligible:
            entries.append(self._entry("amount", True, self._amount_text(d)))
        return entries

    def _entry(self, condition: str, passed: bool | None, text: str) -> dict[str, Any]:
        return {"condition": condition, "passed": passed, "text": text}

    def _force_text(self) -> str:
        p = self.policy
        span = f"{p.effective_from.isoformat() if p.effective_from else ''} 起" + (
            f"至 {p.effective_to.isoformat()}" if p.effective_to else ""
        )
        return f"{p.name}自 {span}施行，评估日期 {self.as_of.isoformat()} 不在施行期内"

    def _walk(self, cond: Condition, negated: bool, entries: list[dict[str, Any]]) -> None:
        if cond.kind == "not":
            self._walk(cond.children[0], not negated, entries)
            return
        if cond.kind in {"all", "any"}:
            for child in cond.children:
                self._walk(child, negated, entries)
            return
        value = self.row[cond.node]
        assert cond.ir is not None
        if value is None:  # unknown: neither met nor unmet; say what is missing
            entries.append(self._entry(cond.id, None, self._unknown_text(cond)))
            return
        entries.append(self._entry(cond.id, bool(value) != negated, self._leaf_text(cond)))

    def _unknown_text(self, cond: Condition) -> str:
        found = sources_of(self.catalogue, self.policy, cond.id, cond.node)
        unknown = self.unknown_members.get(self.row["household_id"], set())
        names = [input_label(c) for c in found.inputs if self.row.get(c, 0) is None or c in unknown]
        names += [param_label(self.catalogue, k) for k in found.params if self._param_value(k) is None]
        names = names or [input_label(c) for c in found.inputs]
        return f"{cond.label or cond.id}：待核对" + (f"（缺少{'、'.join(names)}）" if names else "")

    # ---- texts -----------------------------------------------------------------------------------
    def _leaf_text(self, cond: Condition) -> str:
        ir = cond.ir
        assert ir is not None
        if ir.kind == "cmp":
            text = self._compare_text(ir, cond.lhs_label, cond.rhs_label)
        elif ir.kind in {"in", "isnull"}:
            text = self._member_text(ir)
        else:
            parts = [self._compare_text(c) for c in _comparisons(ir)][:4]
            verdict = "是" if self.row[cond.node] else "否"
            text = f"{cond.label}：{verdict}" + (f"（{'；'.join(parts)}）" if parts else "")
        return text + self._sources(ir)

    def _compare_text(self, ir: IR, lhs: str = "", rhs: str = "") -> str:
        a, b = ir.args
        va, vb = self._value(a), self._value(b)
        la, lb = lhs or self._label(a), rhs or self._label(b)
        if a.kind == "ref" and a.name in _GRADED and b.kind == "const" and va is not None:
            return self._grade_text(ir.op, a, va, vb)
        if b.kind == "const" and vb == 0 and ir.op == ">" and a.unit.dim == u.MONEY and self._params_only(a):
            # "当地已设定…标准": a locally set amount, not a condition the resident fails
            return f"{la} {self._fmt(va, a.unit, a)}" if va and va > 0 else f"当地尚未设定{la}，本地暂未开展此项补贴"
        if a.unit.dim in {u.TEXT, u.BOOL} or b.unit.dim in {u.TEXT, u.BOOL} or va is None or vb is None:
            same = va == vb
            return f"{la} 为 {self._fmt(va, a.unit, a)}，{'等于' if same else '不等于'}{lb} {self._fmt(vb, b.unit, b)}"
        rel = "低于" if va < vb else ("等于" if va == vb else "高于")
        unit_b = b.unit if b.unit.dim != u.NUM else a.unit
        unit_a = a.unit if a.unit.dim != u.NUM else b.unit
        left = f"{la} {self._fmt(va, unit_a, a)}"
        right = f" {self._fmt(vb, unit_b, b)}" if b.kind == "const" else f"{lb} {self._fmt(vb, unit_b, b)}"
        return f"{left}，{rel}{right}"

    def _param_value(self, key: str) -> Any:
        name = f"param:{key}"
        return self.row[name] if name in self.row else self.cols.literals.get(name)

    def _grade_text(self, op: str, a: IR, va: Any, vb: Any) -> str:
        """Grades in words: 残疾等级 一级 is the most severe, 失能等级 完全失能 the most severe."""
        field = FIELDS_BY_COLUMN[a.name]
        names = {v: k for k, v in reversed(field.choices.items())}
        if not va:
            return f"未评定{field.label}" if a.name == "disability_grade" else f"{field.label}为{names.get(0, '无')}"
        text = f"{field.label}为{names.get(va, va)}"
        # disability: a smaller number is more severe; incapacity: a larger one
        short = va > vb if a.name == "disability_grade" else va < vb
        wanted = {"<", "<=", "=="} if a.name == "disability_grade" else {">", ">=", "=="}
        if op in wanted and short and vb in names:
            text += f"，未达到{names[vb]}"
        return text

    def _params_only(self, ir: IR) -> bool:
        """The value depends on parameters alone (no person or household input)."""
        stack, seen = list(ir.refs()), set()
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            node = self.catalogue.nodes.get(name)
            if node is None or node.kind in {"input", "builtin"}:
                return False
            stack.extend(node.deps)
        return bool(seen)

    def _member_text(self, ir: IR) -> str:
        a = ir.args[0]
        value = self._value(a)
        label = self._label(a)
        if ir.kind == "isnull":
            return f"{label}：{'无' if value is None else self._fmt(value, a.unit, a)}"
        values = "、".join(self._fmt(v, a.unit, a) for v in ir.value)
        inside = value in ir.value
        return f"{label} 为 {self._fmt(value, a.unit, a)}，{'属于' if inside else '不属于'} {values}"

    def _amount_text(self, d: Decision) -> str:
        amount = self.policy.amount
        assert amount is not None
        formula = self._render(amount.parts["expr"])
        per = {"月": "/月", "年": "/年", "次": ""}[self.policy.period]
        if amount.quantity_node:
            head = f"{self.policy.name}：{formula} = {d.quantity} {amount.quantity_unit}"
            return head + (f"，折合 {d.amount_fen / 100:.2f} 元{per}" if d.amount_fen else "")
        notes = [f"上限 {self._render(amount.parts['cap'])}" for _ in [0] if "cap" in amount.parts]
        tail = f"（{'；'.join(notes)}）" if notes else ""
        return f"{self.policy.name}金额：{formula} = {d.amount_fen / 100:.2f} 元{per}{tail}"

    def _render(self, ir: IR, parent: str = "") -> str:
        if ir.kind == "ref":
            return f"{self._label(ir)} {self._fmt(self._value(ir), ir.unit, ir)}"
        if ir.kind == "const":
            return str(ir.value)
        if ir.kind == "bin":
            text = f"{self._render(ir.args[0], ir.op)} {_OPS[ir.op]} {self._render(ir.args[1], ir.op)}"
            return f"（{text}）" if parent in {"*", "/"} and ir.op in {"+", "-"} else text
        if ir.kind == "if":  # show the branch that applied, not the whole conditional
            taken = ir.args[1] if self._value(ir.args[0]) else ir.args[2]
            return self._render(taken, parent)
        if ir.kind == "func" and ir.op == "monthly":
            return f"{self._render(ir.args[0], '/')} ÷ 12"
        if ir.kind == "func" and ir.op in {"min", "max"}:
            word = "较小者" if ir.op == "min" else "较大者"
            parts = [self._render(a) for a in ir.args]
            shown = [p for p in parts if p != "0"] or parts  # a branch that does not apply renders as 0
            return shown[0] if len(shown) == 1 else f"{'、'.join(shown)}中的{word}"
        return f"{ir.source} {self._fmt(self._value(ir), ir.unit, ir)}"

    def _sources(self, ir: IR) -> str:
        key = (self.table_region, id(ir))  # catalogue IRs live as long as the catalogue
        found = self.sources_memo.get(key)
        if found is None:
            found = self.sources_memo[key] = self._sources_text(ir)
        return found

    def _sources_text(self, ir: IR) -> str:
        keys = sorted(self._param_keys(ir))
        parts = []
        for key in keys:
            r = self.provenance.get((self.table_region, key))
            if r is None:
                continue
            where = f"{self.region_name(r['source_region'])}，{r['effective_from'].isoformat()} 起"
            parts.append(where if len(keys) == 1 else f"{self._param_label(key)}：{where}")
        return f"（{'；'.join(dict.fromkeys(parts))}）" if parts else ""

    def _param_label(self, key: str) -> str:
        return self.catalogue.nodes[f"param:{key}"].label

    def _param_keys(self, ir: IR) -> frozenset[str]:
        """The parameters an expression reads: fixed by the catalogue, so computed once per expression."""
        memo: dict[int, tuple[IR, frozenset[str]]] = self.catalogue.cache.setdefault("explain:param-keys", {})
        hit = memo.get(id(ir))
        if hit is not None and hit[0] is ir:  # the IR is kept in the entry: its id cannot be reused
            return hit[1]
        keys = frozenset(self._walk_param_keys(ir))
        memo[id(ir)] = (ir, keys)
        return keys

    def _walk_param_keys(self, ir: IR) -> set[str]:
        found: set[str] = set()
        stack = list(ir.refs())
        seen: set[str] = set()
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            node = self.catalogue.nodes.get(name)
            if node is None:
                continue
            if node.kind == "param":
                found.add(node.key)
            elif node.kind in {"derived", "aggarg", "agg"}:
                stack.extend(node.deps)
        return found

    # ---- values ----------------------------------------------------------------------------------
    def _label(self, ir: IR) -> str:
        if ir.kind == "ref":
            node = self.catalogue.nodes.get(ir.name)
            if node is not None:
                return node.label
        return ir.source

    def _value(self, ir: IR) -> Any:
        if ir.kind == "const":
            return ir.value
        if ir.kind == "ref" and ir.name in self.row:
            return self.row[ir.name]
        if ir.kind == "ref" and ir.name in self.cols.literals:
            return self.cols.literals[ir.name]
        alias = f"__x{id(ir)}"
        if alias in self.row:
            return self.row[alias]
        # Rare (a function inside an amount formula): evaluate it on this one row.
        sure, value = value_of(self.catalogue, ir, self.row, self.cols.literals)
        if sure:
            return value
        frame = pl.DataFrame([{k: v for k, v in self.row.items() if not k.startswith("__x")}])
        return frame.select(to_polars(ir, self.cols).alias("v")).item()

    def _fmt(self, value: Any, unit: u.Unit, ir: IR | None = None) -> str:
        if value is None:
            return "无"
        if ir is not None and ir.kind == "ref":
            field = FIELDS_BY_COLUMN.get(ir.name)
            if field is not None and field.choices:
                labels = {v: k for k, v in reversed(field.choices.items())}
                if value in labels and unit.dim != u.COUNT:
                    return str(labels[value])
        if unit.dim == u.MONEY:
            return f"{value / 100:.2f} 元"
        if unit.dim == u.BOOL:
            return "是" if value else "否"
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float):
            text = f"{value:.2f}".rstrip("0").rstrip(".") if unit.dim != "area" else f"{value:.2f}"
        else:
            text = str(value)
        suffix = unit.label if unit.dim not in {u.NUM, u.TEXT} else ""
        return f"{text} {suffix}".strip() if suffix and suffix != "%" else text


def _comparisons(ir: IR) -> list[IR]:
    if ir.kind == "cmp":
        return [ir]
    out: list[IR] = []
    for a in ir.args:
        out += _comparisons(a)
    return out
