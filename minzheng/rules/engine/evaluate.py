"""Running the catalogue: one household, a batch partitioned by county, a Spark partition.

All three call `evaluate_frames`, so a scenario decided one way is decided the same way the
others: the scenario tests run on every path.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl

from minzheng.rules.engine import units as u
from minzheng.rules.engine.catalogue import Catalogue, Policy
from minzheng.rules.engine.expr import HOUSEHOLD, PERSON
from minzheng.rules.engine.inputs import ENROLLED, FIELDS_BY_COLUMN, normalise_households, normalise_persons
from minzheng.rules.engine.params import ParamSource, match_regions, params_table, parse_value
from minzheng.rules.engine.plan import (
    H_INDEX,
    MEMBERS,
    Compiler,
    aggregate,
    aggregate_fill,
    exclusion_column,
    plan_for,
    unit_dtype,
)
from minzheng.rules.engine.segments import run_index, slice_aggregates, slice_ends
from minzheng.rules.engine.units import Unit, UnitError, parse_unit
from minzheng.rules.engine.unknown import missing_expr, missing_row

DECISION_SCHEMA: dict[str, pl.DataType] = {
    "household_id": pl.String(),
    "person_id": pl.String(),  # null for household policies
    "policy_id": pl.String(),
    "eligible": pl.Boolean(),
    "amount_fen": pl.Int64(),  # per period of the policy (月/年/次), 0 when not eligible
    "quantity": pl.Int64(),  # service hours per month for service benefits, else null
    "excluded_by": pl.String(),  # the policy that took precedence, else null
    "failed_conditions": pl.List(pl.String()),  # ids of the top-level conditions not met
    "enrolled": pl.Boolean(),  # the person/household receives this policy now
    # Undecided (eligible null): the unknown inputs and parameters with no value it depends on.
    "missing": pl.List(pl.String()),
}
SPARK_DECISION_SCHEMA = (
    "household_id string, person_id string, policy_id string, eligible boolean, amount_fen long, "
    "quantity long, excluded_by string, failed_conditions array<string>, enrolled boolean, "
    "missing array<string>"
)


class EvaluationError(ValueError):
    """Inputs or parameters the catalogue cannot run on; the message is Chinese."""


@dataclass(slots=True)
class Decision:
    policy_id: str
    name: str
    entity: str
    household_id: str
    person_id: str | None
    eligible: bool | None  # None: undecided, `missing` says on what
    amount_fen: int
    quantity: int | None
    quantity_unit: str
    period: str
    excluded_by: str | None
    failed_conditions: list[str]
    enrolled: bool
    explanation: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


# ---- parameters in a partition -------------------------------------------------------------


def typed_value(key: str, raw: Any, supplied_unit: str, declared: Unit) -> Any:
    """A parameter's stored value → the engine's representation (money in fen) after a unit check."""
    try:
        unit = parse_unit(supplied_unit) if supplied_unit else declared
    except UnitError as exc:
        raise EvaluationError(f"参数“{key}”：{exc}") from exc
    dimensionless = unit.dim in {u.RATIO, u.COUNT} and declared.dim in {u.RATIO, u.COUNT}
    if not dimensionless and (not unit.same_kind(declared) or unit.dim != declared.dim):
        raise EvaluationError(f"参数“{key}”的单位为 {unit.text()}，政策目录要求 {declared.text()}")
    value = parse_value(raw) if isinstance(raw, str) else raw
    if declared.dim == u.MONEY:
        try:
            return u.money_to_fen(value, unit)
        except UnitError as exc:
            raise EvaluationError(f"参数“{key}”：{exc}") from exc
    if declared.dim == u.TEXT:
        return str(value)
    if isinstance(value, str):
        raise EvaluationError(f"参数“{key}”的取值“{value}”不是数值")
    number = Decimal(str(value)) / (100 if unit.label == "%" else 1)
    return int(number) if number == number.to_integral_value() and unit.dim != u.RATIO else float(number)


@functools.lru_cache(maxsize=4096)
def _typed_cached(key: str, raw: str, unit: str, declared: Unit) -> Any:
    return typed_value(key, raw, unit, declared)


@dataclass(slots=True)
class PartitionParams:
    literals: dict[str, Any]  # param node → value, when one value serves the whole partition
    by_region: pl.DataFrame | None  # __pregion + one column per varying param node
    links: pl.DataFrame | None  # region_code → __pregion, for the regions of this partition


def partition_params(catalogue: Catalogue, table: pl.DataFrame, regions: Iterable[str]) -> PartitionParams:
    """Per key: one literal when a single value serves every region here, else a region → value column.

    The table may be keyed by the input's own codes or by shorter ones (a county's row serves its
    villages): each region takes the longest code in the table that is a prefix of it. Varying
    values are keyed by that table code (`__pregion`), so a county of 30,000 villages joins a
    table of a few rows.
    """
    units = catalogue.param_units()
    # A Series stays in Polars: a batch has tens of thousands of villages (issue 16).
    codes = regions.unique() if isinstance(regions, pl.Series) else pl.Series(sorted(set(regions)), dtype=pl.String())
    if codes.len() <= 8:  # one household or a few: plain Python beats a dozen tiny Polars plans
        return partition_params_small(
            units, table.select("region_code", "key", "value", "unit").iter_rows(), set(codes)
        )
    table = table.filter(pl.col("key").is_in(list(units)))
    links = region_links(codes.sort().rename("region_code"), table.get_column("region_code"))
    # A region no table row serves (None) and a key without a row for a region both give null:
    # the policies reading that parameter are undecided there, the others are still decided.
    found: set[str | None] = set(links.get_column(PREGION).unique())
    wanted = sorted(found, key=lambda r: (r is None, r or ""))
    rows = table.filter(pl.col("region_code").is_in(links.get_column(PREGION).drop_nulls().unique().implode()))
    by_key: dict[str, dict[str, Any]] = {k: {} for k in units}
    for k, region, v, un in rows.select("key", "region_code", "value", "unit").iter_rows():
        by_key[k][region] = _typed_cached(k, v, un, units[k])
    literals: dict[str, Any] = {}
    frame: pl.DataFrame | None = None
    known = [r for r in wanted if r is not None]
    for k in sorted(units):
        values = [by_key[k].get(r) if r is not None else None for r in wanted]
        if len(set(values)) == 1:
            literals[f"param:{k}"] = values[0]
            continue
        column = pl.DataFrame(
            {PREGION: known, f"param:{k}": [by_key[k].get(r) for r in known]},
            schema={PREGION: pl.String(), f"param:{k}": unit_dtype(units[k])},
        )
        frame = column if frame is None else frame.join(column, on=PREGION, how="full", coalesce=True)
    return PartitionParams(literals, frame, links if frame is not None else None)


PREGION = "__pregion"


def region_links(regions: pl.Series, available: pl.Series) -> pl.DataFrame:
    """region_code → the longest available code that is it or its 9/6/4/2-digit prefix (or national "")."""
    avail = available.unique().implode()
    code = pl.col("region_code")
    candidates = [code, *(code.str.slice(0, w) for w in (9, 6, 4, 2)), pl.lit("")]
    pick = pl.coalesce([pl.when(c.is_in(avail)).then(c) for c in candidates])
    return regions.to_frame().with_columns(pick.alias(PREGION))


def partition_params_small(
    units: dict[str, Unit], table: Iterable[tuple[str, str, str, str]], regions: Iterable[str]
) -> PartitionParams:
    """(region_code, key, value, unit) rows of the parameters table → literals, per region otherwise."""
    by_key: dict[str, dict[str, tuple[str, str]]] = {}
    for region, key, value, unit in table:
        by_key.setdefault(key, {})[region] = (value, unit)
    alias = match_regions({r for rows in by_key.values() for r in rows}, regions)
    wanted = sorted(set(regions))
    literals: dict[str, Any] = {}
    varying: dict[str, list[Any]] = {}
    for key, declared in units.items():
        rows = by_key.get(key, {})
        values = []
        for region in wanted:
            found = rows.get(alias.get(region, ""))  # None: no value here, the value is unknown (null)
            values.append(None if found is None else _typed_cached(key, found[0], found[1], declared))
        if len(set(values)) == 1:
            literals[f"param:{key}"] = values[0]
        else:
            varying[f"param:{key}"] = values
    if not varying:
        return PartitionParams(literals, None, None)
    schema = {PREGION: pl.String(), **{k: unit_dtype(units[k.removeprefix("param:")]) for k in varying}}
    frame = pl.DataFrame({PREGION: wanted, **varying}, schema=schema)
    return PartitionParams(literals, frame, pl.DataFrame({"region_code": wanted, PREGION: wanted}))


# ---- the frames -------------------------------------------------------------------------------


def evaluate_frames(
    catalogue: Catalogue, persons: pl.DataFrame, households: pl.DataFrame, as_of: dt.date, table: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every node as a column: persons (one row per person) and households (one row per household)."""
    plan = plan_for(catalogue)
    households = households.with_row_index(H_INDEX)
    persons = _with_household_index(persons, households)
    # Members nearly always live in their household's region: only the others add region codes.
    p_region, h_region = persons.get_column("region_code"), households.get_column("region_code")
    at_home = (p_region == h_region.gather(persons.get_column(H_INDEX))).fill_null(False)
    regions = pl.concat([p_region.filter(~at_home), h_region]).unique()
    params = partition_params(catalogue, table, regions)
    if params.by_region is not None and params.links is not None:
        households = _join_params(households, params, plan.household_params | plan.person_params)
        persons = _person_params(persons, households, params, plan.person_params, at_home)
    compiler = compiler_for(catalogue, as_of, params.literals)
    h_index = persons.get_column(H_INDEX)
    last = len(plan.stages) - 1
    for i, stage in enumerate(plan.stages):
        if stage.broadcast:  # a direct gather by the dense household index: no query plan
            persons = persons.hstack([households.get_column(c).gather(h_index) for c in stage.broadcast])
        h_tail = _quantities(catalogue, compiler, HOUSEHOLD, i == last)
        if stage.aggregates and households.height < 10_000:
            # A few households: the member aggregates join the household chain (one plan, not two).
            grouped = _grouped(catalogue, persons, stage.aggregates)
            households = _layers(households, compiler, stage.household_layers, h_tail, (grouped, stage.aggregates))
        else:
            if stage.aggregates:
                households = _aggregate(catalogue, persons, households, stage.aggregates)
            households = _layers(households, compiler, stage.household_layers, h_tail)
        persons = _layers(persons, compiler, stage.person_layers, _quantities(catalogue, compiler, PERSON, i == last))
    return persons, households


def _with_household_index(persons: pl.DataFrame, households: pl.DataFrame) -> pl.DataFrame:
    """Each person's row number in `households` (H_INDEX): by runs when members come in order, else a join."""
    ids = persons.get_column("household_id")
    index = run_index(ids, households.get_column("household_id"), households.schema[H_INDEX])
    if index is not None:
        return persons.with_columns(index)
    persons = persons.join(
        households.select("household_id", H_INDEX), on="household_id", how="left", maintain_order="left"
    )
    if persons.get_column(H_INDEX).null_count():
        orphan = persons.filter(pl.col(H_INDEX).is_null()).get_column("person_id")[0]
        raise EvaluationError(f"人员 {orphan} 的 household_id 不在 households 表中")
    if persons.get_column(H_INDEX).is_sorted():
        # Members listed household by household (the usual export): flagged, the member
        # group-bys take Polars' sorted path instead of hashing every row (issue 16).
        persons = persons.with_columns(pl.col(H_INDEX).set_sorted())
    return persons


def _grouped(catalogue: Catalogue, persons: pl.DataFrame, names: list[str]) -> pl.LazyFrame:
    args = {arg for n in names if (arg := catalogue.nodes[n].agg_arg) is not None}
    narrow = pl.DataFrame([persons.get_column(c) for c in sorted({H_INDEX, *args})])
    return narrow.lazy().group_by(H_INDEX).agg(aggregate(catalogue, names))


def _layers(
    frame: pl.DataFrame,
    compiler: Compiler,
    layers: list[list[str]],
    tail: list[pl.Expr],
    grouped: tuple[pl.LazyFrame, list[str]] | None = None,
) -> pl.DataFrame:
    """A stage's layers as one lazy chain over just the columns they read, then the new columns added.

    Planning cost grows with the frame's width (hundreds of node columns by the last stage), so
    the chain runs on a narrow copy (column references, no data copied) and `hstack` adds results.
    """
    if not layers and not tail and not grouped:
        return frame
    made = {n for layer in layers for n in layer} | set(grouped[1] if grouped else [])
    # The row index always comes along: it keeps the narrow copy as tall as the frame when the
    # stage reads no column at all (every input a literal parameter), where a literal-only
    # chain would otherwise yield one row and the stack below a ShapeError (issue 16).
    needed = _reads(compiler, made, tail) & set(frame.columns) | {H_INDEX}
    narrow = pl.DataFrame([frame.get_column(c) for c in sorted(needed)])
    lazy = narrow.lazy()
    if grouped:
        lazy = lazy.join(grouped[0], on=H_INDEX, how="left", maintain_order="left")
        lazy = lazy.with_columns(aggregate_fill(compiler.catalogue, grouped[1]))
    for layer in layers:
        lazy = lazy.with_columns(compiler.node(n) for n in layer)
    if tail:
        lazy = lazy.with_columns(tail)
    result = lazy.collect(optimizations=_flags(narrow.height))
    return frame.hstack([result.get_column(c) for c in result.columns if c not in needed and c != MEMBERS])


def _flags(rows: int) -> pl.QueryOptFlags:
    """A handful of rows: optimising the plan costs more than running it (15% of one household)."""
    return pl.QueryOptFlags.none() if rows < 10_000 else pl.QueryOptFlags()


def _reads(compiler: Compiler, made: set[str], tail: list[pl.Expr]) -> set[str]:
    nodes = compiler.catalogue.nodes
    reads: set[str] = set()
    for name in made:
        reads |= nodes[name].deps
    if tail:  # quantities read their policy's amount inputs; rare enough to take every column
        return reads | {"*"} | set(nodes)
    return reads - made


def compiler_for(catalogue: Catalogue, as_of: dt.date, literals: dict[str, Any]) -> Compiler:
    """Compiled expressions are reused for the same date and parameter values (the one-household path)."""
    key = ("compiler", as_of, tuple(sorted(literals.items())))
    compilers: dict[Any, Compiler] = catalogue.cache.setdefault("compilers", {})
    compiler = compilers.get(key)
    if compiler is None:
        if len(compilers) >= 1024:  # one per (date, parameter values): a province has ~100 counties
            compilers.pop(next(iter(compilers)))
        compiler = compilers[key] = Compiler(catalogue, as_of, literals)
    return compiler


def _join_params(frame: pl.DataFrame, params: PartitionParams, needed: set[str]) -> pl.DataFrame:
    assert params.by_region is not None and params.links is not None
    cols = [c for c in params.by_region.columns if c in needed]
    if not cols:
        return frame
    keyed = params.links.join(params.by_region.select(PREGION, *cols), on=PREGION, how="left").drop(PREGION)
    return frame.join(keyed, on="region_code", how="left", maintain_order="left")


def _person_params(
    persons: pl.DataFrame, households: pl.DataFrame, params: PartitionParams, needed: set[str], at_home: pl.Series
) -> pl.DataFrame:
    """Persons' varying parameters: gathered from their household when they live in its region (`at_home`).

    A gather by the dense household index instead of a second join on the region code (the
    costliest join of a batch, issue 16); a person registered elsewhere falls back to the join.
    """
    cols = [c for c in households.columns if c in needed]
    if not cols:
        return persons
    h_index = persons.get_column(H_INDEX)
    if not at_home.all():
        return _join_params(persons, params, needed)
    return persons.hstack([households.get_column(c).gather(h_index) for c in cols])


def _aggregate(catalogue: Catalogue, persons: pl.DataFrame, households: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    ends = slice_ends(persons.get_column(H_INDEX), households.height)
    if ends is not None:  # members in contiguous slices: running totals, the group-by only for the rest
        done = slice_aggregates(catalogue, persons, ends, names)
        households = households.hstack(done)
        names = [n for n in names if n not in {s.name for s in done}]
        if not names:
            return households
    plan = persons.lazy().group_by(H_INDEX).agg(aggregate(catalogue, names)).sort(H_INDEX)
    grouped = plan.collect(optimizations=_flags(persons.height))
    if grouped.height == households.height:
        return households.hstack(grouped.drop(H_INDEX, MEMBERS).get_columns())
    joined = households.join(grouped, on=H_INDEX, how="left", maintain_order="left")
    return joined.with_columns(aggregate_fill(catalogue, names)).drop(MEMBERS)


def _quantities(catalogue: Catalogue, compiler: Compiler, level: str, wanted: bool) -> list[pl.Expr]:
    """Service quantities (hours) after everything else, in the last stage's chain."""
    if not wanted:
        return []
    return [
        compiler.quantity(p).alias(p.amount.quantity_node)
        for p in catalogue.policies.values()
        if p.entity == level and p.amount is not None and p.amount.quantity_node
    ]


# ---- decisions --------------------------------------------------------------------------------


def _top_conditions(policy: Policy) -> list[tuple[str, str]]:
    root = policy.eligibility
    assert root is not None
    items = root.children if root.kind == "all" else [root]
    return [(c.id, c.node) for c in items]


def policy_decisions(catalogue: Catalogue, policy: Policy, frame: pl.DataFrame, everything: bool) -> pl.LazyFrame:
    keep, columns = _decision_exprs(catalogue, policy)
    lazy = frame.lazy()
    # Undecided rows are kept: 待核对 is counted, and never listed as eligible.
    source = lazy if everything else lazy.filter(keep)
    return source.select(columns).cast(DECISION_SCHEMA)  # type: ignore[arg-type]


def _decision_exprs(catalogue: Catalogue, policy: Policy) -> tuple[pl.Expr, list[pl.Expr]]:
    """The filter and the columns of a policy's decisions, built once per catalogue.

    They depend on the catalogue only; building them (a few hundred Polars expressions) cost
    about as much as running them on 200,000 persons (issue 16).
    """
    key = f"decision-exprs:{policy.id}"
    found = catalogue.cache.get(key)
    if found is not None:
        return found
    enrolled = pl.col(ENROLLED).list.contains(pl.lit(policy.id))
    excl = pl.col(f"{policy.id}.excl")
    amount = pl.col(f"{policy.id}.amount") if policy.amount else pl.lit(0, dtype=pl.Int64)
    quantity = (
        pl.col(policy.amount.quantity_node)
        if policy.amount and policy.amount.quantity_node
        else pl.lit(None, dtype=pl.Int64)
    )
    eligible = pl.col(policy.eligible_node)
    keep = eligible.fill_null(True) | excl.is_not_null() | enrolled
    person = pl.col("person_id") if policy.entity == PERSON else pl.lit(None, dtype=pl.String())
    columns = [
        pl.col("household_id"),
        person.alias("person_id"),
        pl.lit(policy.id).alias("policy_id"),
        pl.col(policy.eligible_node).alias("eligible"),
        amount.alias("amount_fen"),
        quantity.alias("quantity"),
        pl.when(pl.col(f"{policy.id}.raw").fill_null(True)).then(excl).alias("excluded_by"),
        _failed_conditions(policy).alias("failed_conditions"),
        enrolled.alias("enrolled"),
        missing_expr(catalogue, policy, exclusions(catalogue, policy)).alias("missing"),
    ]
    catalogue.cache[key] = (keep, columns)
    return keep, columns


_LISTS_UP_TO = 10  # conditions whose every combination of failures is listed up front (1,024 lists)


def _failed_conditions(policy: Policy) -> pl.Expr:
    """The ids of the top-level conditions that are False (none when the raw eligibility holds).

    Building a list per row from per-condition literals cost 3 µs a row (a third of the
    batch's decision table, s22); instead each row gets the bit pattern of its failed
    conditions and picks the ready list for that pattern.
    """
    conditions = _top_conditions(policy)
    failed = [~pl.col(node).fill_null(True) for _, node in conditions]
    raw = pl.col(f"{policy.id}.raw")
    if len(conditions) > _LISTS_UP_TO:
        listed = pl.concat_list([pl.when(f).then(pl.lit(cid)) for f, (cid, _) in zip(failed, conditions, strict=True)])
        return pl.when(raw).then(pl.lit([], dtype=pl.List(pl.String()))).otherwise(listed.list.drop_nulls())
    pattern = pl.sum_horizontal([f.cast(pl.UInt32) * (1 << i) for i, f in enumerate(failed)])
    lists = pl.Series(
        [[cid for i, (cid, _) in enumerate(conditions) if bits >> i & 1] for bits in range(1 << len(conditions))],
        dtype=pl.List(pl.String()),
    )
    return pl.lit(lists).gather(pl.when(raw).then(pl.lit(0, dtype=pl.UInt32)).otherwise(pattern))


def decisions(catalogue: Catalogue, persons: pl.DataFrame, households: pl.DataFrame, everything: bool) -> pl.DataFrame:
    parts = [
        policy_decisions(catalogue, p, persons if p.entity == PERSON else households, everything)
        for p in catalogue.policies.values()
    ]
    if not parts:
        return pl.DataFrame(schema=DECISION_SCHEMA)
    return pl.concat(parts, how="vertical").collect()


# ---- public entry points ---------------------------------------------------------------------


def evaluate_household(
    catalogue: Catalogue, persons: Any, households: Any, as_of: dt.date, params: ParamSource
) -> list[Decision]:
    """Every policy for every member of the given household(s): eligible or not, with the amount.

    In plain Python when the result is certain to be the plans' (`one.py`, issue 16).
    """
    from minzheng.rules.engine import one  # imports this module

    return one.evaluate_household(catalogue, persons, households, as_of, params)


def household_frames(
    catalogue: Catalogue, persons: Any, households: Any, as_of: dt.date, params: ParamSource
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    persons_n, households_n = normalise_persons(persons), normalise_households(households)
    regions = set(persons_n.get_column("region_code")) | set(households_n.get_column("region_code"))
    table = params_table(params, catalogue.param_keys(), regions, as_of)
    p, h = evaluate_frames(catalogue, persons_n, households_n, as_of, table)
    literals = partition_params(catalogue, table, regions).literals
    rows = decision_rows(catalogue, p.to_dicts(), h.to_dicts(), literals)
    return p, h, pl.DataFrame(rows, schema=DECISION_SCHEMA)


def exclusions(catalogue: Catalogue, policy: Policy) -> list[tuple[str, str]]:
    """(excluding policy, the boolean column saying it applies) for each excluding policy."""
    return [(o, exclusion_column(catalogue, policy, o)) for o in policy.excluded_by]


def unknown_members(persons: list[dict[str, Any]]) -> dict[str, set[str]]:
    """household id → the unknowable person columns that are null for at least one member."""
    columns = [c for c, f in FIELDS_BY_COLUMN.items() if f.unknowable and f.entity == PERSON]
    out: dict[str, set[str]] = {}
    for row in persons:
        out.setdefault(row["household_id"], set()).update(c for c in columns if row.get(c, 0) is None)
    return out


def decision_rows(
    catalogue: Catalogue,
    persons: list[dict[str, Any]],
    households: list[dict[str, Any]],
    literals: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """`decisions(..., everything=True)` for a handful of rows, in plain Python (same columns, same order).

    Every value comes from the evaluated frames; only the reshaping to one row per policy is done
    here, because twenty tiny Polars plans cost more than the household's whole evaluation.
    """
    out = []
    by_household = {h["household_id"]: h for h in households}
    unknown = unknown_members(persons)
    for policy in catalogue.policies.values():
        conditions = _top_conditions(policy)
        quantity = policy.amount.quantity_node if policy.amount else ""
        excl_cols = exclusions(catalogue, policy)
        for row in persons if policy.entity == PERSON else households:
            raw = row[f"{policy.id}.raw"] is not False  # True or undecided: an exclusion still shows
            hid = row["household_id"]
            missing = missing_row(
                catalogue, policy, row, by_household.get(hid, {}), unknown.get(hid, set()), literals or {}, excl_cols
            )
            out.append(
                {
                    "household_id": row["household_id"],
                    "person_id": row["person_id"] if policy.entity == PERSON else None,
                    "policy_id": policy.id,
                    "eligible": row[policy.eligible_node],
                    "amount_fen": int(row[f"{policy.id}.amount"]) if policy.amount else 0,
                    "quantity": row[quantity] if quantity else None,
                    "excluded_by": row[f"{policy.id}.excl"] if raw else None,
                    "failed_conditions": [] if raw else [cid for cid, node in conditions if row[node] is False],
                    "enrolled": policy.id in (row["enrolled"] or []),
                    "missing": missing,
                }
            )
    return out


def county_of(region_code: pl.Expr) -> pl.Expr:
    return region_code.str.slice(0, 6)


def evaluate_batch(
    catalogue: Catalogue,
    persons: Any,
    households: Any,
    as_of: dt.date,
    params_table: pl.DataFrame,
    chunk_persons: int = 1_000_000,
) -> pl.DataFrame:
    """The decision table (DECISION_SCHEMA), a few counties at a time so memory stays bounded.

    Rows: every eligible person/household, every one excluded by a higher-priority policy, and
    every enrolled one (eligible or not): what 应享未享 and 不应享而享 need. A missing row means
    not eligible and not enrolled. A county is never split; small counties share a pass (each pass
    has a fixed planning cost of a few tens of milliseconds).
    """
    persons_n, households_n = normalise_persons(persons), normalise_households(households)
    households_n = households_n.with_columns(county_of(pl.col("region_code")).alias("__county"))
    persons_n = persons_n.join(
        households_n.select("household_id", "__county"), on="household_id", how="left", maintain_order="left"
    )
    sizes = persons_n.group_by("__county").len().sort("__county")
    parts = []
    for chunk in county_chunks(sizes, chunk_persons):
        h = households_n.filter(pl.col("__county").is_in(chunk)).drop("__county")
        p = persons_n.filter(pl.col("__county").is_in(chunk)).drop("__county")
        parts.append(evaluate_partition_frames(catalogue, p, h, as_of, params_table))
    if not parts:
        return pl.DataFrame(schema=DECISION_SCHEMA)
    return pl.concat(parts, how="vertical")


def county_chunks(sizes: pl.DataFrame, limit: int) -> list[list[str]]:
    """(county, persons) rows in county order → groups of whole counties of about `limit` persons."""
    chunks: list[list[str]] = []
    current: list[str] = []
    total = 0
    for county, n in sizes.iter_rows():
        if current and total + n > limit:
            chunks.append(current)
            current, total = [], 0
        current.append(county)
        total += n
    if current:
        chunks.append(current)
    return chunks


def evaluate_partition_frames(
    catalogue: Catalogue, persons: pl.DataFrame, households: pl.DataFrame, as_of: dt.date, table: pl.DataFrame
) -> pl.DataFrame:
    p, h = evaluate_frames(catalogue, persons, households, as_of, table)
    return decisions(catalogue, p, h, everything=False)
