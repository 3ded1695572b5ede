"""The policy catalogue: checked policies and one graph of named values (the types the engine reads).

`load_catalogue` reads it from YAML files (`loader.py`): `_common.yaml` holds values many policies
share (家庭月人均收入, 无劳动能力 …) and their parameters; every other `*.yaml` is one policy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from minzheng.rules.engine.expr import IR
from minzheng.rules.engine.units import Unit

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "policies"


class CatalogueError(ValueError):
    """`dibao.yaml 第 23 行：未知名称“人均收入x”`."""

    def __init__(self, file: str, line: int, reason: str) -> None:
        super().__init__(f"{file} 第 {line} 行：{reason}")
        self.file, self.line, self.reason = file, line, reason


@dataclass(slots=True)
class Node:
    """A named value computed for every person or every household (a column in the frames)."""

    name: str
    level: str
    unit: Unit
    label: str
    kind: str  # input builtin param derived aggarg agg cond raw excl eligible amount quantity
    ir: IR | None = None
    deps: set[str] = field(default_factory=set)
    key: str = ""  # param key, or input column
    agg_fn: str = ""
    agg_arg: str | None = None
    policy: str = ""
    file: str = ""
    line: int = 0


@dataclass(slots=True)
class Condition:
    id: str
    label: str
    kind: str  # leaf all any not
    node: str  # the boolean column
    children: list[Condition] = field(default_factory=list)
    ir: IR | None = None
    lhs_label: str = ""
    rhs_label: str = ""
    line: int = 0


@dataclass(slots=True)
class Amount:
    node: str  # money column (fen), 0 when not eligible
    unit: Unit
    round: str
    quantity_node: str = ""  # e.g. service hours per month, when the benefit is a service
    quantity_unit: str = ""
    ir: IR | None = None
    parts: dict[str, IR] = field(default_factory=dict)  # expr, cap, floor, value


@dataclass(slots=True)
class Policy:
    id: str
    name: str
    department: str
    legal_basis: list[dict[str, Any]]
    entity: str
    effective_from: dt.date | None
    effective_to: dt.date | None
    period: str  # 月 年 次: how often the amount is paid
    file: str
    eligibility: Condition | None = None
    excluded_by: list[str] = field(default_factory=list)
    amount: Amount | None = None
    tests: list[Any] = field(default_factory=list)
    description: str = ""
    inputs: list[str] = field(default_factory=list)  # the input fields the policy reads (Chinese names)
    declared_inputs: list[str] | None = None
    inputs_line: int = 0

    @property
    def eligible_node(self) -> str:
        return f"{self.id}.eligible"


@dataclass(slots=True)
class Catalogue:
    policies: dict[str, Policy]
    nodes: dict[str, Node]
    order: list[str]  # every node name, dependencies first
    source_dir: Path
    digest: str  # SHA-256 over the files: which catalogue decided
    # The evaluation plan and its parts, built on first use; keys are names or (part, level) pairs.
    cache: dict[str | tuple[str, str], Any] = field(default_factory=dict)

    def param_keys(self) -> list[str]:
        return sorted({n.key for n in self.nodes.values() if n.kind == "param"})

    def param_units(self) -> dict[str, Unit]:
        return {n.key: n.unit for n in self.nodes.values() if n.kind == "param"}

    def policy(self, policy_id: str) -> Policy:
        return self.policies[policy_id]


def load_catalogue(path: Path | None = None) -> Catalogue:
    """Every `*.yaml` under path (default: the shipped `minzheng/rules/policies/`)."""
    from minzheng.rules.engine.loader import Loader  # it builds these types: imported here, not in a cycle

    return Loader(Path(path) if path else DEFAULT_DIR).run()
