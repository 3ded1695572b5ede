"""Running the catalogue's plan over one household's rows in plain Python (see `small.py`).

The stages run in the order `evaluate_frames` runs them: broadcasts, member aggregates, the
household layers, the person layers, and the quantities last. Rows come out as `to_dicts()` of the
Polars frames would give them (same columns, same Python types); None means "run the plans".
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import polars as pl

from minzheng.rules.engine.catalogue import Catalogue
from minzheng.rules.engine.evaluate import PREGION, PartitionParams
from minzheng.rules.engine.expr import HOUSEHOLD, IR, PERSON
from minzheng.rules.engine.inputs import FIELDS_BY_COLUMN
from minzheng.rules.engine.plan import H_INDEX, aggregate, plan_for
from minzheng.rules.engine.small import (
    ROWS,
    Fallback,
    Fn,
    Row,
    _and,
    _coerce,
    _known,
    _or,
    compile_ir,
    node_fn,
    quantity_fn,
    schema_key,
)


@dataclass(slots=True)
class _Stage:
    broadcast: list[str]
    aggregates: list[tuple[str, str, str | None]]  # node, function, member column (None: count rows)
    household: list[tuple[str, Fn]]
    person: list[tuple[str, Fn]]


@dataclass(slots=True)
class _Program:
    stages: list[_Stage]
    quantities: dict[str, list[tuple[str, Fn]]]  # level → (quantity column, closure)
    household_params: set[str]
    person_params: set[str]
    narrow: frozenset[str]


def _program(catalogue: Catalogue) -> _Program:
    found = catalogue.cache.get("small:program")
    if found is not None:
        return found
    plan = plan_for(catalogue)
    narrow = frozenset(c for c, f in FIELDS_BY_COLUMN.items() if isinstance(f.dtype, pl.Int8))
    stages = []
    for stage in plan.stages:
        aggs = [(n, catalogue.nodes[n].agg_fn, catalogue.nodes[n].agg_arg) for n in stage.aggregates]
        household = [(n, node_fn(catalogue, n, narrow)) for layer in stage.household_layers for n in layer]
        person = [(n, node_fn(catalogue, n, narrow)) for layer in stage.person_layers for n in layer]
        stages.append(_Stage(list(stage.broadcast), aggs, household, person))
    quantities: dict[str, list[tuple[str, Fn]]] = {PERSON: [], HOUSEHOLD: []}
    for p in catalogue.policies.values():
        if p.amount is not None and p.amount.quantity_node:
            quantities[p.entity].append((p.amount.quantity_node, quantity_fn(p, narrow)))
    program = _Program(stages, quantities, plan.household_params, plan.person_params, narrow)
    catalogue.cache["small:program"] = program
    return program


def _aggregate(fn: str, values: list[Any]) -> Any:
    """The group-by aggregates of `plan.aggregate` over one household's members."""
    if fn == "any":
        return _or(values)
    if fn == "all":
        return _and(values)
    if any(v is None for v in values):
        return None
    if fn == "count":
        return sum(1 for v in values if v)
    if any(isinstance(v, float) and math.isnan(v) for v in values):
        raise Fallback
    if fn == "sum":
        terms = [v for v in values if v]
        if len(terms) > 2 and any(isinstance(v, float) for v in terms):
            return _float_sum(terms)
        return sum(values)
    return max(values) if fn == "max_of" else min(values)


def _float_sum(terms: list[Any]) -> float:
    """A sum every order of additions gives alike, or `_FloatSum` (Polars' order is not left to right)."""
    if len(terms) > 6:
        raise _FloatSum
    floats = [float(v) for v in terms]
    memo: dict[int, set[float]] = {1 << i: {v} for i, v in enumerate(floats)}

    def results(mask: int) -> set[float]:
        found = memo.get(mask)
        if found is None:
            found = set()
            sub = (mask - 1) & mask
            while sub:
                if sub < mask ^ sub:  # each split once
                    found |= {a + b for a in results(sub) for b in results(mask ^ sub)}
                sub = (sub - 1) & mask
            memo[mask] = found
        return found

    every = results((1 << len(floats)) - 1)
    if len(every) != 1:
        raise _FloatSum
    return every.pop()


class _FloatSum(Exception):
    """More than two non-zero floats to add: the order of the additions matters."""


def _polars_aggregate(catalogue: Catalogue, name: str, persons: list[Row]) -> dict[int, Any]:
    """One member aggregate by the group-by `evaluate_frames` runs (same kernel, same row order)."""
    node = catalogue.nodes[name]
    assert node.agg_arg is not None
    h = pl.Series(H_INDEX, [p[H_INDEX] for p in persons], dtype=pl.UInt32())
    if h.is_sorted():
        h = h.set_sorted()
    frame = pl.DataFrame([h, pl.Series(node.agg_arg, [p[node.agg_arg] for p in persons], dtype=pl.Float64())])
    plan = frame.lazy().group_by(H_INDEX).agg(aggregate(catalogue, [name]))
    return dict(plan.collect(optimizations=pl.QueryOptFlags.none()).select(H_INDEX, name).iter_rows())


_DEFAULTS = {"sum": 0, "count": 0, "any": False, "all": True}  # a household without member rows


def rows(
    catalogue: Catalogue,
    persons: list[Row],
    households: list[Row],
    as_of: dt.date,
    params: PartitionParams,
    explanations: bool = False,
) -> tuple[list[Row], list[Row], tuple[Any, ...]] | None:
    """The evaluated rows of `evaluate_frames(...)` as dicts, or None (unknown dtypes, or not certain).

    persons, households: the normalised inputs as `to_dicts()` gives them (not changed here).
    """
    varying = [c for c in (params.by_region.columns if params.by_region is not None else []) if c != PREGION]
    key = schema_key(params.literals, varying)
    schemas = _known(catalogue, key, "phx" if explanations else "ph")
    if schemas is None:
        return None
    try:
        p_rows, h_rows = _run(catalogue, persons, households, as_of, params, varying, schemas)
    except (Fallback, KeyError, TypeError, ZeroDivisionError, OverflowError, ValueError):
        return None
    return p_rows, h_rows, key


def _run(
    catalogue: Catalogue,
    persons: list[Row],
    households: list[Row],
    as_of: dt.date,
    params: PartitionParams,
    varying: list[str],
    schemas: dict[str, dict[str, str]],
) -> tuple[list[Row], list[Row]]:
    program = _program(catalogue)
    h_rows, p_rows = [dict(h) for h in households], [dict(p) for p in persons]
    index: dict[str, int] = {}
    for i, h in enumerate(h_rows):
        if h["household_id"] in index or h["region_code"] is None:
            raise Fallback  # a repeated household multiplies its members in the join
        index[h["household_id"]] = h[H_INDEX] = i
    members: list[list[Row]] = [[] for _ in h_rows]
    for p in p_rows:
        if p["region_code"] is None:
            raise Fallback
        p[H_INDEX] = i = index[p["household_id"]]  # KeyError: no household, the plans raise the error
        members[i].append(p)
    if params.by_region is not None:
        _varying(program, params, varying, h_rows, p_rows)
    lit = {**params.literals, "评估日期": as_of}
    p_kinds, h_kinds = schemas["p"], schemas["h"]
    last = len(program.stages) - 1
    for n, stage in enumerate(program.stages):
        for p in p_rows:
            h = h_rows[p[H_INDEX]]
            for c in stage.broadcast:
                p[c] = h[c]
        for name, fn, arg in stage.aggregates:
            kind = h_kinds[name]
            try:
                for i, h in enumerate(h_rows):
                    group = members[i]
                    value = _DEFAULTS.get(fn) if not group else len(group) if arg is None else None
                    if group and arg is not None:
                        value = _aggregate(fn, [m[arg] for m in group])
                    h[name] = _coerce(value, kind)
            except _FloatSum:
                found = _polars_aggregate(catalogue, name, p_rows)
                for i, h in enumerate(h_rows):
                    h[name] = _coerce(found.get(i, _DEFAULTS.get(fn)), kind)
        h_tail = program.quantities[HOUSEHOLD] if n == last else []
        p_tail = program.quantities[PERSON] if n == last else []
        _layer(h_rows, stage.household + h_tail, h_kinds, {**lit, ROWS: len(h_rows)})
        _layer(p_rows, stage.person + p_tail, p_kinds, {**lit, ROWS: len(p_rows)})
    for frame, kinds in ((h_rows, h_kinds), (p_rows, p_kinds)):
        if frame and frame[0].keys() != kinds.keys():
            raise Fallback  # not the columns the plans give: let them decide
    return p_rows, h_rows


def _layer(frame: list[Row], steps: list[tuple[str, Fn]], kinds: dict[str, str], lit: Row) -> None:
    for name, fn in steps:
        kind = kinds[name]
        for row in frame:
            row[name] = _coerce(fn(row, lit), kind)


def _varying(
    program: _Program, params: PartitionParams, varying: list[str], h_rows: list[Row], p_rows: list[Row]
) -> None:
    """Parameters that differ between the regions here: a column per row, from its own region."""
    assert params.by_region is not None and params.links is not None
    by_pregion = {r[PREGION]: r for r in params.by_region.to_dicts()}
    links = dict(params.links.iter_rows())
    on_households = [c for c in varying if c in program.household_params | program.person_params]
    on_persons = [c for c in on_households if c in program.person_params]
    for frame, cols in ((h_rows, on_households), (p_rows, on_persons)):
        for row in frame:
            values = by_pregion.get(links.get(row["region_code"]), {})
            for c in cols:
                row[c] = values.get(c)


def side_values(
    catalogue: Catalogue,
    sides: dict[str, list[Row]],
    irs: dict[str, list[IR]],
    as_of: dt.date,
    literals: dict[str, Any],
    key: tuple[Any, ...],
) -> bool:
    """`explain._side_values`' extra values (`__x…`) added to the rows; False: not certain, use the plans."""
    schemas = _known(catalogue, key, "x")
    if schemas is None:
        return False
    kinds = schemas["x"]
    compiled: dict[int, Fn] = catalogue.cache.setdefault("small:sides", {})
    lit = {**literals, "评估日期": as_of}
    program = _program(catalogue)
    try:
        for level, rows_ in sides.items():
            frame_lit = {**lit, ROWS: len(rows_)}
            for ir in irs[level]:
                fn = compiled.get(id(ir))
                if fn is None:
                    fn = compiled[id(ir)] = compile_ir(ir, program.narrow)
                alias = f"__x{id(ir)}"
                kind = kinds[alias]
                for row in rows_:
                    row[alias] = _coerce(fn(row, frame_lit), kind)
    except (Fallback, KeyError, TypeError, ZeroDivisionError, OverflowError, ValueError):
        return False
    return True


def _mixes_types(ir: IR) -> bool:
    """An `if` or min/max: Polars gives the wider type of its branches, Python the one taken."""
    if ir.kind == "if" or (ir.kind == "func" and ir.op in {"min", "max"}):
        return True
    return any(_mixes_types(a) for a in ir.args)


def value_of(catalogue: Catalogue, ir: IR, row: Row, literals: dict[str, Any]) -> tuple[bool, Any]:
    """One expression on one explained row, as Polars gives it on a one-row frame: (True, value),
    or (False, None) where Python cannot be sure (the caller asks Polars)."""
    compiled: dict[int, Fn] = catalogue.cache.setdefault("small:sides", {})
    fn = compiled.get(id(ir))
    if fn is None:
        fn = compiled[id(ir)] = compile_ir(ir, _program(catalogue).narrow)
    try:
        value = fn(row, {**literals, ROWS: 1})
    except (Fallback, KeyError, TypeError, ZeroDivisionError, OverflowError, ValueError):
        return False, None
    if type(value) is int and _mixes_types(ir):
        return False, None
    return True, value
