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
from minzheng.rules.engine.unknown import condition_sources
from minzheng.rules.inputs_db import VERIFICATION_COLUMNS, EngineInputs, engine_inputs
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


# Everything the engine says is a screening of department and registry data (预判); a decision
# (符合 / 不符合) is made in a case by a caseworker. The words below keep the two apart.
SCREENING = "screening"
STATUS_TEXT = {True: "可能符合（预判）", False: "预判不符合", None: "待核对"}
# What a caseworker must still confirm before a screening becomes a decision.
CONFIRM_VISIT = "入户调查（核实家庭人口、居住和生活状况）"
CONFIRM_CHECK = "授权核对（申请人书面授权后的家庭经济状况核对）"
# The means the verification engine measures (incomes, assets); its status columns are not means.
_MEANS_COLUMNS = set(VERIFICATION_COLUMNS) - {"died_on", "public_payroll", "prison", "student"}


def to_confirm(policy: Policy) -> list[str]:
    """入户调查 always; 授权核对 when the policy tests income or assets."""
    reads = {c for s in condition_sources(catalogue(), policy) for c in s.all_inputs}
    return [CONFIRM_VISIT, *([CONFIRM_CHECK] if reads & _MEANS_COLUMNS else [])]


def reason_text(
    policy: Policy,
    eligible: bool | None,
    amount_fen: int,
    failed: list[str],
    excluded_by: str | None,
    missing: list[str] | None = None,
) -> str:
    """One line for a worklist: the unmet conditions, what is missing, or what the screening found."""
    cat = catalogue()
    if excluded_by and eligible is False:
        other = cat.policies.get(excluded_by)
        return f"已享受或符合{other.name if other else excluded_by}，不重复享受{policy.name}"
    if eligible is None:
        return "待核对：缺少" + "、".join(missing or ["判定所需数据"])
    if eligible:
        amount = f"，测算金额 {fen_text(amount_fen)}/{policy.period}" if amount_fen else ""
        return f"预判可能符合{policy.name}{amount}；尚需{'、'.join(c.split('（')[0] for c in to_confirm(policy))}"
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
    columns = ("policy_id", "eligible", "amount_fen", "failed_conditions", "excluded_by", "missing")
    reasons = [
        reason_text(cat.policies[r[0]], r[1], int(r[2] or 0), list(r[3] or []), r[4], list(r[5] or []))
        for r in frame.select(columns).iter_rows()
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
    """Every policy for the household and each member: the CLI's JSON and the panel's content.

    With the database's parameters the result is cached under a fingerprint of every input
    (`rules.cache`): the same inputs give the same result, any change a fresh computation.
    A caller's own parameter source (what-if) is never cached.
    """
    if source is not None:
        return _household_result(household, as_of, source=source)
    from minzheng.rules.cache import cached

    return cached(household, as_of, lambda: _household_result(household, as_of))


def _household_result(household: Any, as_of: dt.date, *, source: Any = None) -> dict[str, Any]:
    from minzheng.registry.models import Person

    inputs = engine_inputs(Person.objects.filter(household=household).order_by("relation", "birth_date"), as_of)
    names = dict(zip(inputs.persons["person_id"].to_list(), inputs.persons["name"].to_list(), strict=True))
    policies = []
    hidden = 0
    decisions = explain_household(inputs, as_of, source=source) if inputs.persons.height else []
    cat = catalogue()
    for d in decisions:
        policy = cat.policies[d.policy_id]
        # Pages and the CLI list only policies this person or household could apply for; the JSON
        # keeps every row (callers such as a case's screening ask for one policy by id).
        applicable = not not_applicable(policy, d.eligible, d.failed_conditions)
        hidden += not applicable
        policies.append(
            {
                "policy_id": d.policy_id,
                "name": d.name,
                "entity": d.entity,
                "person_id": d.person_id,
                "person": names.get(d.person_id) if d.person_id else None,
                "eligible": d.eligible,  # null: undecided (待核对), `missing` says what it waits for
                "applicable": applicable,
                "basis": SCREENING,
                "status": STATUS_TEXT[d.eligible],
                "missing": [gap_text(m, inputs.gaps) for m in d.missing],
                "to_confirm": to_confirm(policy) if d.eligible else [],
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
        "basis": SCREENING,
        "verified": bool(inputs.verified),
        "policies": policies,
        "hidden": hidden,
    }


# Registry facts that say who a policy is for (age, tags, grades, death): a policy failing a
# condition over these alone, or one the region has not set up (a condition over parameters only),
# is one this person or household could not apply for, and is not listed.
IDENTITY_COLUMNS = {
    "birth_date",
    "sex",
    "relation",
    "disability_category",
    "disability_grade",
    "incapacity_level",
    "is_orphan",
    "is_unsupported_child",
    "is_distressed_child",
    "is_left_behind_child",
    "is_living_alone_elder",
    "is_empty_nest_elder",
    "died_on",
    # a child's parents as the child file records them (children): who the child is, not means
    "father_situation",
    "mother_situation",
    "father_since",
    "mother_since",
    # a household the disaster app holds no relief claim for was not hit (disaster: facts.py)
    "disaster_house_damage",
    "disaster_winter_hardship",
}


def not_applicable(policy: Policy, eligible: bool | None, failed: list[str]) -> bool:
    if eligible is not False or not failed:
        return False
    by_id = {s.cid: s for s in condition_sources(catalogue(), policy)}
    return any(c in by_id and set(by_id[c].all_inputs) <= IDENTITY_COLUMNS for c in failed)


def gap_text(label: str, gaps: dict[str, str]) -> str:
    """A missing input's label, with the feed that has no data for the date when that is why."""
    from minzheng.rules.engine.inputs import FIELDS_BY_LABEL

    field = FIELDS_BY_LABEL.get(label)
    reason = gaps.get(field.column) if field else None
    return f"{label}（{reason}）" if reason else label
