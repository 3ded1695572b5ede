"""Eligibility in the app: the catalogue on the registry's households with the database's parameters.

Three paths give the same decisions (the scenario tests run on all three): one household
(`household_result`: every policy for every member, with the Chinese explanation), the batch on
Polars (`engine.evaluate.evaluate_batch`, county by county) and the batch on Spark (the same
partition function under `applyInArrow`). The batch's decision table is the engine's
DECISION_SCHEMA plus where it is (county, region, 户编号), the policy's name and a one-line reason.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import polars as pl

from minzheng.rules.engine.catalogue import Catalogue, Condition, Policy, load_catalogue
from minzheng.rules.engine.evaluate import DECISION_SCHEMA, evaluate_batch, evaluate_household
from minzheng.rules.engine.explain import explain
from minzheng.rules.engine.params import params_table
from minzheng.rules.inputs_db import EngineInputs, engine_inputs
from minzheng.rules.params_db import DbParamSource

ENGINES = ("polars", "spark")
DECISION_COLUMNS: dict[str, pl.DataType] = {
    "county": pl.String(),
    "region_code": pl.String(),
    "household_no": pl.String(),
    **DECISION_SCHEMA,
    "policy_name": pl.String(),
    "period": pl.String(),
    "reason": pl.String(),
}


@cache
def _catalogue() -> Catalogue:
    return load_catalogue()


def catalogue() -> Catalogue:
    """The shipped catalogue, loaded once per process (it is reviewed code, not data)."""
    return _catalogue()


def fen_text(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(int(fen))
    return f"{sign}{fen // 100:,}.{fen % 100:02d} 元"


def _conditions(policy: Policy) -> dict[str, Condition]:
    out: dict[str, Condition] = {}
    stack = [policy.eligibility] if policy.eligibility else []
    while stack:
        cond = stack.pop()
        out[cond.id] = cond
        stack.extend(cond.children)
    return out


def reason_text(policy: Policy, eligible: bool, amount_fen: int, failed: list[str], excluded_by: str | None) -> str:
    """One line for a worklist: the unmet conditions, or what the household would receive."""
    cat = catalogue()
    if excluded_by:
        other = cat.policies.get(excluded_by)
        return f"已享受或符合{other.name if other else excluded_by}，不重复享受{policy.name}"
    if eligible:
        return f"符合{policy.name}全部条件" + (f"，金额 {fen_text(amount_fen)}/{policy.period}" if amount_fen else "")
    conds = _conditions(policy)
    labels = [conds[c].label or c if c in conds else c for c in failed]
    return "不满足：" + "；".join(labels) if labels else f"不符合{policy.name}条件"


def _source(source: Any) -> Any:
    return source if source is not None else DbParamSource()


def decide_batch(inputs: EngineInputs, as_of: dt.date, *, engine: str = "polars", source: Any = None) -> pl.DataFrame:
    """The decision table (DECISION_COLUMNS) for these inputs on this date."""
    if engine not in ENGINES:
        raise ValueError(f"引擎应为 polars 或 spark：{engine}")
    cat = catalogue()
    if inputs.persons.height == 0:
        return pl.DataFrame(schema=DECISION_COLUMNS)
    regions = set(inputs.persons["region_code"]) | set(inputs.households["region_code"])
    table = params_table(_source(source), cat.param_keys(), regions, as_of)
    if engine == "spark":
        from minzheng.rules.spark_batch import evaluate_spark

        frame = evaluate_spark(cat, inputs.persons, inputs.households, as_of, table)
    else:
        frame = evaluate_batch(cat, inputs.persons, inputs.households, as_of, table)
    return enrich(frame, inputs)


def enrich(frame: pl.DataFrame, inputs: EngineInputs) -> pl.DataFrame:
    """Add where each decision is, the policy's name and period, and the one-line reason."""
    cat = catalogue()
    places = inputs.persons.group_by("household_id").agg(pl.col("region_code").first(), pl.col("household_no").first())
    frame = frame.join(places, on="household_id", how="left")
    names = {p.id: p.name for p in cat.policies.values()}
    periods = {p.id: p.period for p in cat.policies.values()}
    reasons = [
        reason_text(cat.policies[r[0]], bool(r[1]), int(r[2] or 0), list(r[3] or []), r[4])
        for r in frame.select("policy_id", "eligible", "amount_fen", "failed_conditions", "excluded_by").iter_rows()
    ]
    frame = frame.with_columns(
        county=pl.col("region_code").str.slice(0, 6),
        policy_name=pl.col("policy_id").replace_strict(names, return_dtype=pl.String()),
        period=pl.col("policy_id").replace_strict(periods, return_dtype=pl.String()),
        reason=pl.Series(reasons, dtype=pl.String()),
    )
    return (
        frame.select(list(DECISION_COLUMNS))
        .cast(DECISION_COLUMNS)
        .sort(  # type: ignore[arg-type]
            "county", "household_id", "policy_id", "person_id", nulls_last=False
        )
    )


def decide_household(inputs: EngineInputs, as_of: dt.date, *, source: Any = None) -> list[Any]:
    """Every policy for every member of the household(s) in `inputs` (engine Decision objects)."""
    return evaluate_household(catalogue(), inputs.persons, inputs.households, as_of, _source(source))


def region_name(code: str) -> str:
    """'330212' → '鄞州区' for explanations (the code itself when the division is unknown)."""
    from minzheng.divisions.models import Division

    if not code:
        return "全国"
    found = Division.objects.filter(code=code.ljust(12, "0")).values_list("name", flat=True).first()
    return found or code


def explain_household(inputs: EngineInputs, as_of: dt.date, *, source: Any = None) -> list[Any]:
    """Decisions with `[{condition, passed, text}]` in Chinese (values, parameters, region, date)."""
    return explain(catalogue(), inputs.persons, inputs.households, as_of, _source(source), cache(region_name))


def household_result(household: Any, as_of: dt.date, *, source: Any = None) -> dict[str, Any]:
    """Every policy for the household and each member: the CLI's JSON and the panel's content."""
    from minzheng.registry.models import Person

    inputs = engine_inputs(Person.objects.filter(household=household).order_by("relation", "birth_date"), as_of)
    names = dict(zip(inputs.persons["person_id"].to_list(), inputs.persons["name"].to_list(), strict=True))
    policies = []
    decisions = explain_household(inputs, as_of, source=source) if inputs.persons.height else []
    for d in decisions:
        policies.append(
            {
                "policy_id": d.policy_id,
                "name": d.name,
                "entity": d.entity,
                "person_id": d.person_id,
                "person": names.get(d.person_id) if d.person_id else None,
                "eligible": d.eligible,
                "amount_fen": d.amount_fen,
                "period": d.period,
                "quantity": d.quantity,
                "quantity_unit": d.quantity_unit,
                "excluded_by": d.excluded_by,
                "enrolled": d.enrolled,
                "explanation": list(d.explanation),
            }
        )
    return {
        "household": household.household_no,
        "as_of": as_of.isoformat(),
        "verified": bool(inputs.verified),
        "policies": policies,
    }
