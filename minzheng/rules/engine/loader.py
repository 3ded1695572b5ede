"""Loading the policy catalogue: YAML files → the checked types of `catalogue.py`.

Loading checks unknown names, person values used where a household value is needed, units, cycles and
references to other policies, and fails with `file 第 N 行：reason` (CatalogueError).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minzheng.rules.engine import units as u
from minzheng.rules.engine.catalogue import (
    Amount,
    Catalogue,
    CatalogueError,
    Condition,
    Node,
    Policy,
)
from minzheng.rules.engine.expr import ANY, HOUSEHOLD, IR, PERSON, ExprError, NameInfo, Parser
from minzheng.rules.engine.inputs import FIELDS_BY_LABEL
from minzheng.rules.engine.units import Unit, UnitError, parse_unit
from minzheng.rules.engine.yamlsrc import LineDict, YamlSyntaxError, line_of, load

COMMON_FILE = "_common.yaml"
ENTITIES = {"person": PERSON, "household": HOUSEHOLD, "个人": PERSON, "家庭": HOUSEHOLD}
ROUNDING = {"fen", "yuan", "yuan_up"}


def _read(path: Path) -> LineDict:
    try:
        data = load(path)
    except YamlSyntaxError as exc:
        raise CatalogueError(path.name, exc.line, exc.reason) from exc
    if not isinstance(data, LineDict):
        raise CatalogueError(path.name, 1, "文件内容应为键值映射")
    return data


@dataclass(slots=True)
class _Scope:
    file: str
    policy: str  # "" for _common
    params: dict[str, tuple[str, Any]] = field(default_factory=dict)  # alias → (key, declaration)
    derived: dict[str, Any] = field(default_factory=dict)  # name → declaration (LineDict or str)


class Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.nodes: dict[str, Node] = {}
        self.policies: dict[str, Policy] = {}
        self.common = _Scope(COMMON_FILE, "")
        self.in_progress: list[str] = []
        self.param_decl: dict[str, tuple[str, int, Unit]] = {}
        self.agg_keys: dict[tuple[str, str], str] = {}
        self._builtins()

    # ---- driver --------------------------------------------------------------------------
    def run(self) -> Catalogue:
        if not self.root.is_dir():
            raise CatalogueError(self.root.name, 1, "政策目录不存在")
        files = sorted(p for p in self.root.glob("*.yaml") if p.name != COMMON_FILE)
        common_path = self.root / COMMON_FILE
        digest = hashlib.sha256()
        if common_path.exists():
            digest.update(common_path.read_bytes())
            self._scope_decls(self.common, _read(common_path))
        docs = []
        for path in files:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
            doc = _read(path)
            docs.append((path, doc))
            self._header(path, doc)
        for path, doc in docs:
            self._body(path, doc)
        for name in list(self.common.derived):
            self._derived(self.common, name)
        order = self._order()
        for policy in self.policies.values():
            self._inputs(policy)
        return Catalogue(self.policies, self.nodes, order, self.root, digest.hexdigest())

    def _builtins(self) -> None:
        for f in FIELDS_BY_LABEL.values():
            self.nodes[f.column] = Node(f.column, f.entity, f.unit, f.label, "input", key=f.column)
        self.nodes["年龄"] = Node("年龄", PERSON, Unit("岁", None, "岁"), "年龄", "builtin", deps={"birth_date"})
        self.nodes["评估日期"] = Node("评估日期", ANY, Unit(u.DATE), "评估日期", "builtin")
        self.nodes["家庭人口"] = Node(
            "家庭人口", HOUSEHOLD, Unit(u.COUNT, None, "人"), "家庭人口", "agg", agg_fn="count"
        )

    # ---- declarations ----------------------------------------------------------------------
    def _err(self, file: str, line: int, reason: str) -> CatalogueError:
        return CatalogueError(file, line, reason)

    def _scope_decls(self, scope: _Scope, doc: LineDict) -> None:
        params = doc.get("params") or LineDict()
        for alias, decl in params.items():
            if not isinstance(decl, dict) or "key" not in decl or "unit" not in decl:
                raise self._err(scope.file, params.line_of(alias), f"参数“{alias}”需要 key 和 unit")
            self._param(scope, alias, decl, params.line_of(alias))
        derived = doc.get("derived") or LineDict()
        for name, decl in derived.items():
            if self._visible(scope, name, derived_only=False) is not None and name not in scope.derived:
                raise self._err(scope.file, derived.line_of(name), f"名称“{name}”重复定义")
            scope.derived[name] = decl

    def _param(self, scope: _Scope, alias: str, decl: dict[str, Any], line: int) -> None:
        key = str(decl["key"])
        try:
            unit = parse_unit(str(decl["unit"]))
        except UnitError as exc:
            raise self._err(scope.file, line, f"参数“{alias}”：{exc}") from exc
        seen = self.param_decl.get(key)
        if seen and seen[2] != unit:
            raise self._err(
                scope.file, line, f"参数“{key}”的单位为 {unit.text()}，但 {seen[0]} 第 {seen[1]} 行为 {seen[2].text()}"
            )
        self.param_decl.setdefault(key, (scope.file, line, unit))
        name = f"param:{key}"
        label = str(decl.get("label") or alias)
        self.nodes.setdefault(name, Node(name, ANY, unit, label, "param", key=key, file=scope.file, line=line))
        scope.params[alias] = (key, decl)

    def _header(self, path: Path, doc: LineDict) -> None:
        file = path.name
        for required in ("id", "name", "department", "legal_basis", "entity", "eligibility"):
            if required not in doc:
                raise self._err(file, 1, f"缺少必填项“{required}”")
        pid = str(doc["id"])
        if pid != path.stem:
            raise self._err(file, doc.line_of("id"), f"政策编号“{pid}”应与文件名“{path.stem}”一致")
        entity = ENTITIES.get(str(doc["entity"]))
        if entity is None:
            raise self._err(file, doc.line_of("entity"), f"entity 应为 person 或 household，得到“{doc['entity']}”")
        basis = doc["legal_basis"]
        basis = basis if isinstance(basis, list) else [basis]
        if not basis or not all(isinstance(b, dict) and b.get("文号") for b in basis):
            raise self._err(file, doc.line_of("legal_basis"), "legal_basis 每一项都需要“文号”")
        period = str(doc.get("period", "月"))
        if period not in {"月", "年", "次"}:
            raise self._err(file, doc.line_of("period"), f"period 应为 月、年 或 次，得到“{period}”")
        self.policies[pid] = Policy(
            pid,
            str(doc["name"]),
            str(doc["department"]),
            [dict(b) for b in basis],
            entity,
            _date(doc.get("effective_from")),
            _date(doc.get("effective_to")),
            period,
            file,
            tests=list(doc.get("tests") or []),
            declared_inputs=[str(i) for i in doc["inputs"]] if isinstance(doc.get("inputs"), list) else None,
            inputs_line=doc.line_of("inputs"),
            description=str(doc.get("description", "")),
        )

    def _body(self, path: Path, doc: LineDict) -> None:
        policy = self.policies[str(doc["id"])]
        scope = _Scope(path.name, policy.id)
        self._scope_decls(scope, doc)
        for name in list(scope.derived):
            self._derived(scope, name)
        policy.eligibility = self._condition(scope, policy, doc["eligibility"], doc.line_of("eligibility"), "")
        raw = Node(f"{policy.id}.raw", policy.entity, u.FLAG, f"满足{policy.name}条件", "raw", policy=policy.id)
        raw.deps = {policy.eligibility.node}
        self.nodes[raw.name] = raw
        self._exclusions(scope, policy, doc)
        if "amount" in doc:
            policy.amount = self._amount(scope, policy, doc["amount"], doc.line_of("amount"))

    # ---- names -------------------------------------------------------------------------------
    def _visible(self, scope: _Scope, name: str, derived_only: bool = False) -> NameInfo | None:
        for s in (scope, self.common) if scope is not self.common else (self.common,):
            if name in s.derived:
                node = self._derived(s, name)
                return NameInfo(node.name, node.level, node.unit, node.label)
            if name in s.params and not derived_only:
                key = s.params[name][0]
                node = self.nodes[f"param:{key}"]
                return NameInfo(node.name, ANY, node.unit, node.label)
        if derived_only:
            return None
        f = FIELDS_BY_LABEL.get(name)
        if f is not None:
            return NameInfo(f.column, f.entity, f.unit, f.label, f.choices)
        if name in ("年龄", "评估日期", "家庭人口"):
            node = self.nodes[name]
            return NameInfo(node.name, node.level, node.unit, node.label)
        return None

    def _parser(self, scope: _Scope, line: int) -> Parser:
        def declare_agg(fn: str, arg: IR | None, source: str) -> NameInfo:
            return self._agg(scope, fn, arg, source, line)

        def policy_ref(fn: str, pid: str) -> NameInfo:
            target = self.policies.get(pid)
            if target is None:
                raise ExprError(f"未知政策“{pid}”")
            if fn == "eligible":
                return NameInfo(target.eligible_node, target.entity, u.FLAG, f"符合{target.name}条件")
            return NameInfo(f"{pid}.amount", target.entity, Unit(u.MONEY, None, "元"), f"{target.name}金额")

        return Parser(lambda n: self._visible(scope, n), declare_agg, policy_ref)

    def _parse(self, scope: _Scope, text: Any, line: int, want_level: str | None = None, what: str = "") -> IR:
        try:
            ir = self._parser(scope, line).parse(str(text))
        except ExprError as exc:
            raise self._err(scope.file, line + exc.line_offset, str(exc)) from exc
        if want_level == HOUSEHOLD and ir.level == PERSON:
            person = next((r for r in _person_refs(ir, self.nodes)), "")
            raise self._err(
                scope.file,
                line,
                f"{what}是户级数值，不能直接使用个人数值“{person}”，请用 sum/count/any/all/max_of 汇总家庭成员",
            )
        return ir

    def _derived(self, scope: _Scope, name: str) -> Node:
        node_name = f"{scope.policy}:{name}" if scope.policy else name
        if node_name in self.nodes:
            return self.nodes[node_name]
        decl = scope.derived[name]
        line = line_of(decl)
        if node_name in self.in_progress:
            loop = [*self.in_progress[self.in_progress.index(node_name) :], node_name]
            cycle = " → ".join(n.split(":", 1)[-1] for n in loop)
            raise self._err(scope.file, line, f"派生值循环依赖：{cycle}")
        self.in_progress.append(node_name)
        try:
            text, label, entity, unit_text = _derived_decl(decl, name)
            want = ENTITIES.get(entity) if entity else None
            ir = self._parse(scope, text, line, want, f"“{name}”")
            unit = ir.unit
            if unit_text:
                unit = self._declared_unit(scope.file, line, name, unit_text, ir.unit)
            level = want or ir.level
            node = Node(node_name, level, unit, label, "derived", ir, ir.refs(), policy=scope.policy, file=scope.file)
            node.line = line
            self.nodes[node_name] = node
            return node
        finally:
            self.in_progress.pop()

    def _declared_unit(self, file: str, line: int, name: str, text: str, got: Unit) -> Unit:
        try:
            declared = parse_unit(text)
        except UnitError as exc:
            raise self._err(file, line, f"“{name}”：{exc}") from exc
        if not declared.same_kind(got):
            raise self._err(file, line, f"单位不一致：“{name}”声明为 {declared.text()}，表达式得到 {got.text()}")
        return declared if got.dim == u.NUM else got

    def _agg(self, scope: _Scope, fn: str, arg: IR | None, source: str, line: int) -> NameInfo:
        if fn == "count" and arg is None:
            node = self.nodes["家庭人口"]
            return NameInfo(node.name, node.level, node.unit, node.label)
        key = (scope.policy, fn + ":" + source)
        name = self.agg_keys.get(key)
        if name is None:
            assert arg is not None
            name = f"agg{len(self.agg_keys)}:{source}"
            self.agg_keys[key] = name
            arg_name = arg.name if arg.kind == "ref" and arg.level == PERSON else f"arg:{name}"
            if arg_name != arg.name:
                self.nodes[arg_name] = Node(
                    arg_name, PERSON, arg.unit, source, "aggarg", arg, arg.refs(), file=scope.file
                )
            unit = (
                arg.unit
                if fn in {"sum", "max_of", "min_of"}
                else (u.FLAG if fn in {"any", "all"} else Unit(u.COUNT, None, "人"))
            )
            self.nodes[name] = Node(
                name,
                HOUSEHOLD,
                unit,
                source,
                "agg",
                None,
                {arg_name},
                agg_fn=fn,
                agg_arg=arg_name,
                file=scope.file,
                line=line,
            )
        node = self.nodes[name]
        return NameInfo(node.name, node.level, node.unit, node.label)

    # ---- conditions, exclusions, amounts -----------------------------------------------------
    def _condition(self, scope: _Scope, policy: Policy, decl: Any, line: int, path: str) -> Condition:
        if isinstance(decl, str):
            decl = {"expr": decl, "id": path or "c"}
        if not isinstance(decl, dict):
            raise self._err(scope.file, line, "条件应为映射（id、label、expr 或 all/any/not）")
        line = line_of(decl, line)
        kinds = [k for k in ("expr", "all", "any", "not") if k in decl]
        if len(kinds) != 1:
            raise self._err(scope.file, line, "每个条件需要且只能有 expr、all、any、not 之一")
        kind = kinds[0]
        cid = str(decl.get("id") or path or kind)
        label = str(decl.get("label") or decl.get("expr") or cid)
        node = f"{policy.id}.c.{cid}"
        if node in self.nodes:
            raise self._err(scope.file, line, f"条件编号“{cid}”重复")
        cond = Condition(cid, label, "leaf" if kind == "expr" else kind, node, line=line)
        if kind == "expr":
            cond.ir = self._parse(
                scope, decl["expr"], line_of(decl["expr"], line), policy.entity, f"政策“{policy.name}”的条件"
            )
            if cond.ir.unit.dim != u.BOOL:
                raise self._err(scope.file, line, f"条件“{cid}”不是是/否判断，而是 {cond.ir.unit.text()}")
            cond.lhs_label, cond.rhs_label = str(decl.get("lhs", "")), str(decl.get("rhs", ""))
            deps = cond.ir.refs()
        else:
            items = decl[kind] if kind != "not" else [decl["not"]]
            if not isinstance(items, list) or not items:
                raise self._err(scope.file, line, f"{kind} 需要至少一个子条件")
            for i, item in enumerate(items):
                cond.children.append(self._condition(scope, policy, item, line_of(item, line), f"{cid}.{i + 1}"))
            deps = {c.node for c in cond.children}
        self.nodes[node] = Node(
            node, policy.entity, u.FLAG, label, "cond", cond.ir, deps, policy=policy.id, file=scope.file, line=line
        )
        return cond

    def _exclusions(self, scope: _Scope, policy: Policy, doc: LineDict) -> None:
        raw = doc.get("excluded_by") or []
        if not isinstance(raw, list):
            raise self._err(scope.file, doc.line_of("excluded_by"), "excluded_by 应为政策编号列表")
        for item in raw:
            other = str(item)
            if other not in self.policies:
                raise self._err(
                    scope.file, line_of(item, doc.line_of("excluded_by")), f"excluded_by 中的未知政策“{other}”"
                )
            if other == policy.id:
                raise self._err(scope.file, line_of(item, doc.line_of("excluded_by")), "政策不能排斥自己")
            policy.excluded_by.append(other)
        excl = Node(f"{policy.id}.excl", policy.entity, Unit(u.TEXT), "被其他政策排除", "excl", policy=policy.id)
        for other in policy.excluded_by:
            target = self.policies[other]
            if policy.entity == HOUSEHOLD and target.entity == PERSON:
                # A person policy excludes a household policy when it applies to every member.
                name = f"{policy.id}.excl:{other}"
                self.nodes[name] = Node(
                    name,
                    HOUSEHOLD,
                    u.FLAG,
                    f"全体成员{target.name}",
                    "agg",
                    None,
                    {target.eligible_node},
                    agg_fn="all",
                    agg_arg=target.eligible_node,
                    policy=policy.id,
                )
                excl.deps.add(name)
            else:
                excl.deps.add(target.eligible_node)
        self.nodes[excl.name] = excl
        final = Node(
            policy.eligible_node, policy.entity, u.FLAG, f"符合{policy.name}条件", "eligible", policy=policy.id
        )
        final.deps = {f"{policy.id}.raw", excl.name, *excl.deps}  # reads the excluding columns (undecided ones)
        self.nodes[final.name] = final

    def _amount(self, scope: _Scope, policy: Policy, decl: Any, line: int) -> Amount:
        if not isinstance(decl, dict) or "expr" not in decl or "unit" not in decl:
            raise self._err(scope.file, line, "amount 需要 expr 和 unit")
        line = line_of(decl, line)
        rounding = str(decl.get("round", "fen"))
        if rounding not in ROUNDING:
            raise self._err(scope.file, _key_line(decl, "round", line), f"round 应为 {'、'.join(sorted(ROUNDING))}")
        expr_line = _key_line(decl, "expr", line)
        ir = self._parse(scope, decl["expr"], expr_line, policy.entity, f"政策“{policy.name}”的金额")
        unit = self._declared_unit(scope.file, expr_line, "amount", str(decl["unit"]), ir.unit)
        quantity_unit = ""
        if unit.dim != u.MONEY:
            quantity_unit = unit.text()
        parts: dict[str, IR] = {"expr": ir}
        for bound in ("cap", "floor", "value"):
            if bound in decl:
                b_line = _key_line(decl, bound, line)
                b_ir = self._parse(scope, decl[bound], b_line, policy.entity, f"政策“{policy.name}”的 {bound}")
                target = unit if bound != "value" else Unit(u.MONEY, None, "元")
                if bound == "value" and b_ir.unit.dim != u.MONEY:
                    raise self._err(scope.file, b_line, f"value 应为金额，得到 {b_ir.unit.text()}")
                if bound != "value" and not b_ir.unit.same_kind(target):
                    raise self._err(
                        scope.file, b_line, f"单位不一致：{bound} 为 {b_ir.unit.text()}，金额为 {unit.text()}"
                    )
                parts[bound] = b_ir
        if quantity_unit and "value" not in parts:
            parts["value"] = IR("const", u.LITERAL, ANY, value=0)
        amount = Amount(f"{policy.id}.amount", unit, rounding, ir=ir)
        deps: set[str] = {policy.eligible_node}
        for part in parts.values():
            deps |= part.refs()
        node = Node(
            amount.node,
            policy.entity,
            Unit(u.MONEY, None, "元"),
            f"{policy.name}金额",
            "amount",
            None,
            deps,
            policy=policy.id,
        )
        node.ir = ir
        self.nodes[amount.node] = node
        if quantity_unit:
            amount.quantity_node, amount.quantity_unit = f"{policy.id}.quantity", quantity_unit
        amount.parts = parts
        return amount

    def _inputs(self, policy: Policy) -> None:
        """The inputs a policy reads (through shared values, not through other policies); checked if declared."""
        own = {n for n, node in self.nodes.items() if node.policy == policy.id}
        seen: set[str] = set()
        stack = list(own)
        used: set[str] = set()
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            seen.add(name)
            node = self.nodes[name]
            if node.kind == "input":
                used.add(node.label)
            elif name == "年龄":
                used.add("出生日期")
            if name in own or node.kind in {"derived", "agg", "aggarg", "builtin"}:
                stack.extend(node.deps)
        order = [f.label for f in FIELDS_BY_LABEL.values() if f.label in used]
        policy.inputs = order
        declared = policy.declared_inputs
        if declared is None:
            return
        unknown = [i for i in declared if i not in FIELDS_BY_LABEL]
        if unknown:
            raise self._err(policy.file, policy.inputs_line, f"inputs 中的未知输入“{unknown[0]}”")
        missing = [i for i in order if i not in declared]
        if missing:
            raise self._err(policy.file, policy.inputs_line, f"inputs 缺少本政策用到的输入：{'、'.join(missing)}")
        extra = [i for i in declared if i not in used]
        if extra:
            raise self._err(policy.file, policy.inputs_line, f"inputs 中的“{extra[0]}”未被本政策使用")

    # ---- order ---------------------------------------------------------------------------------
    def _order(self) -> list[str]:
        order: list[str] = []
        state: dict[str, int] = {}

        def visit(name: str, trail: list[str]) -> None:
            if state.get(name) == 2:
                return
            if state.get(name) == 1:
                loop = [*trail[trail.index(name) :], name]
                node = self.nodes[loop[0]]
                file = self.policies[node.policy].file if node.policy in self.policies else node.file or COMMON_FILE
                steps = [self.nodes[n].policy or n for n in loop]
                steps = [x for i, x in enumerate(steps) if i == 0 or x != steps[i - 1]]
                raise self._err(file, node.line or 1, "政策之间循环依赖：" + " → ".join(steps))
            state[name] = 1
            for dep in sorted(self.nodes[name].deps):
                visit(dep, [*trail, name])
            state[name] = 2
            order.append(name)

        for name in list(self.nodes):
            visit(name, [])
        return order


def _person_refs(ir: IR, nodes: dict[str, Node]) -> list[str]:
    found = []
    if ir.kind == "ref" and ir.level == PERSON:
        node = nodes.get(ir.name)
        found.append(node.label if node else ir.name)
    for a in ir.args:
        found += _person_refs(a, nodes)
    return found


def _derived_decl(decl: Any, name: str) -> tuple[Any, str, str, str]:
    if isinstance(decl, dict):
        return (
            decl.get("expr", ""),
            str(decl.get("label") or name),
            str(decl.get("entity", "")),
            str(decl.get("unit", "")),
        )
    return decl, name, "", ""


def _date(value: Any) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _key_line(decl: dict[str, Any], key: str, default: int) -> int:
    """The line of `key` in a YAML mapping; a mapping built in Python has none, so its own line."""
    return decl.line_of(key) if isinstance(decl, LineDict) else default
