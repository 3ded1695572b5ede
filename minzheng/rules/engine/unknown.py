"""What an undecided decision waits for: inputs no source filled, parameters with no value.

A condition over an unknown value is unknown (three-valued logic, see `expr.to_polars`); a
policy whose result depends on one is undecided (`eligible` null) and names, here, the inputs
and parameter keys its unknown conditions read. The batch names every unknown source of an
unknown condition (one expression per condition, no extra group-by); the one-household path
narrows that to the values that really are null for this person or household.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from minzheng.rules.engine.catalogue import Catalogue, Policy
from minzheng.rules.engine.expr import PERSON
from minzheng.rules.engine.inputs import FIELDS_BY_COLUMN

_OWN_KINDS = {"cond", "raw", "excl", "eligible", "amount", "quantity"}
_LIST = pl.List(pl.String())


@dataclass(frozen=True, slots=True)
class ConditionSources:
    cid: str
    node: str
    inputs: tuple[str, ...]  # unknowable input columns the condition reads
    params: tuple[str, ...]  # parameter keys it reads
    all_inputs: tuple[str, ...] = ()  # every input column it reads (known or not)


def input_label(column: str) -> str:
    return FIELDS_BY_COLUMN[column].label


def param_label(catalogue: Catalogue, key: str) -> str:
    node = catalogue.nodes.get(f"param:{key}")
    return f"参数“{node.label if node else key}”（{key}）"


def undecided_label(catalogue: Catalogue, policy_id: str) -> str:
    return f"{catalogue.policies[policy_id].name}（待核对）"


def condition_sources(catalogue: Catalogue, policy: Policy) -> list[ConditionSources]:
    key = f"unknowns:{policy.id}"
    found = catalogue.cache.get(key)
    if found is None:
        root = policy.eligibility
        assert root is not None
        items = root.children if root.kind == "all" else [root]
        found = catalogue.cache[key] = [sources_of(catalogue, policy, c.id, c.node) for c in items]
    return found


def sources_of(catalogue: Catalogue, policy: Policy, cid: str, start: str) -> ConditionSources:
    """The inputs and parameters one condition (any level of the tree) reads."""
    inputs: set[str] = set()
    params: set[str] = set()
    every: set[str] = set()
    stack, seen = [start], set()
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        node = catalogue.nodes[name]
        if node.name == "年龄":
            every.add("birth_date")
        if node.kind == "input":
            every.add(name)
            if FIELDS_BY_COLUMN[name].unknowable:
                inputs.add(name)
        elif node.kind == "param":
            params.add(node.key)
        elif node.kind in _OWN_KINDS and node.policy != policy.id:
            continue  # another policy's decision: named as that policy when it is undecided
        else:
            stack.extend(node.deps)
    order = list(FIELDS_BY_COLUMN)
    return ConditionSources(
        cid, start, tuple(sorted(inputs, key=order.index)), tuple(sorted(params)), tuple(sorted(every))
    )


def policy_reads(catalogue: Catalogue, policy: Policy) -> set[str]:
    """Every unknowable input column the policy's conditions read."""
    return {c for s in condition_sources(catalogue, policy) for c in s.inputs}


def missing_expr(catalogue: Catalogue, policy: Policy, exclusion_columns: Iterable[tuple[str, str]]) -> pl.Expr:
    """Batch: per row, the sources of the policy's unknown conditions and undecided excluding policies."""
    parts = []
    for s in condition_sources(catalogue, policy):
        labels = [input_label(c) for c in s.inputs] + [param_label(catalogue, k) for k in s.params]
        if labels:
            parts.append(
                pl.when(pl.col(s.node).is_null()).then(pl.lit(labels, dtype=_LIST)).otherwise(pl.lit([], dtype=_LIST))
            )
    for other, column in exclusion_columns:
        label = [undecided_label(catalogue, other)]
        parts.append(
            pl.when(pl.col(column).is_null()).then(pl.lit(label, dtype=_LIST)).otherwise(pl.lit([], dtype=_LIST))
        )
    if not parts:
        return pl.lit([], dtype=_LIST)
    combined = pl.concat_list(parts).list.unique(maintain_order=True)
    return pl.when(pl.col(policy.eligible_node).is_null()).then(combined).otherwise(pl.lit([], dtype=_LIST))


def missing_row(
    catalogue: Catalogue,
    policy: Policy,
    row: dict[str, Any],
    household: dict[str, Any],
    unknown_members: set[str],
    literals: dict[str, Any],
    exclusion_columns: Iterable[tuple[str, str]],
) -> list[str]:
    """One household: only the values that are really null for this row (or any member of its household)."""
    if row[policy.eligible_node] is not None:
        return []
    out: list[str] = []
    for s in condition_sources(catalogue, policy):
        if row[s.node] is not None:
            continue
        for column in s.inputs:
            if _unknown_input(policy, column, row, household, unknown_members):
                out.append(input_label(column))
        for key in s.params:
            name = f"param:{key}"
            value = row[name] if name in row else literals.get(name)
            if value is None:
                out.append(param_label(catalogue, key))
    out += [undecided_label(catalogue, o) for o, col in exclusion_columns if row.get(col, False) is None]
    return list(dict.fromkeys(out))


def _unknown_input(
    policy: Policy, column: str, row: dict[str, Any], household: dict[str, Any], unknown_members: set[str]
) -> bool:
    del policy, row  # a member's unknown value makes every household sum over it unknown
    if FIELDS_BY_COLUMN[column].entity != PERSON:
        return household.get(column) is None
    return column in unknown_members
