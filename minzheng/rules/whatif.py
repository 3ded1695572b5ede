"""What-if (政策测算): a parameter overlay re-runs the batch; who gains and loses each policy, and the cost.

The overlay scales one key in one region (and everything under it) from a date, e.g. the 低保标准 of
鄞州区 +5% from 2026-07-01. Both runs use the same inputs (registry + verification on the as-of date),
so every difference comes from the parameter. Money is integer fen throughout; the monthly cost
change is Σ(new − old) over monthly policies plus yearly ones divided by 12 (rounded half up to the
fen); one-off (次) policies are reported per policy but not in the monthly total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import polars as pl

from minzheng.core.jurisdiction import prefix_q
from minzheng.registry.models import Person
from minzheng.rules import batch, eligibility
from minzheng.rules.inputs_db import engine_inputs
from minzheng.rules.params_db import DbParamSource, OverlayParamSource

KEYS = ["household_id", "person_id", "policy_id"]


@dataclass
class PolicyChange:
    policy_id: str
    name: str
    period: str
    eligible_before: int
    eligible_after: int
    gaining: int
    losing: int
    cost_before_fen: int
    cost_after_fen: int
    cost_change_fen: int


@dataclass
class WhatIfResult:
    key: str
    region: str
    from_date: str
    scale: str
    as_of: str
    households: int
    policies: list[PolicyChange] = field(default_factory=list)
    monthly_cost_change_fen: int = 0
    gaining_households: list[dict[str, Any]] = field(default_factory=list)
    losing_households: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _slim(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(*KEYS, "household_no", "policy_name", "period", "eligible", "amount_fen")


def compare(before: pl.DataFrame, after: pl.DataFrame) -> pl.DataFrame:
    """One row per (subject, policy) present in either table; a missing row = not eligible, 0 fen."""
    joined = _slim(before).join(_slim(after), on=KEYS, how="full", coalesce=True, suffix="_after", nulls_equal=True)
    return joined.with_columns(
        household_no=pl.coalesce("household_no", "household_no_after"),
        policy_name=pl.coalesce("policy_name", "policy_name_after"),
        period=pl.coalesce("period", "period_after"),
        eligible=pl.col("eligible").fill_null(False),
        eligible_after=pl.col("eligible_after").fill_null(False),
        amount_fen=pl.when(pl.col("eligible").fill_null(False)).then(pl.col("amount_fen")).otherwise(0).fill_null(0),
        amount_after=pl.when(pl.col("eligible_after").fill_null(False))
        .then(pl.col("amount_fen_after"))
        .otherwise(0)
        .fill_null(0),
    ).drop("household_no_after", "policy_name_after", "period_after", "amount_fen_after")


def _monthly(change_fen: int, period: str) -> Decimal:
    if period == "月":
        return Decimal(change_fen)
    if period == "年":
        return Decimal(change_fen) / 12
    return Decimal(0)


def summarise(diff: pl.DataFrame) -> tuple[list[PolicyChange], int]:
    rows = (
        diff.group_by("policy_id", "policy_name", "period")
        .agg(
            eligible_before=pl.col("eligible").sum(),
            eligible_after=pl.col("eligible_after").sum(),
            gaining=(~pl.col("eligible") & pl.col("eligible_after")).sum(),
            losing=(pl.col("eligible") & ~pl.col("eligible_after")).sum(),
            cost_before_fen=pl.col("amount_fen").sum(),
            cost_after_fen=pl.col("amount_after").sum(),
        )
        .sort("policy_id")
    )
    changes = [
        PolicyChange(
            policy_id=r["policy_id"],
            name=r["policy_name"],
            period=r["period"],
            eligible_before=int(r["eligible_before"]),
            eligible_after=int(r["eligible_after"]),
            gaining=int(r["gaining"]),
            losing=int(r["losing"]),
            cost_before_fen=int(r["cost_before_fen"]),
            cost_after_fen=int(r["cost_after_fen"]),
            cost_change_fen=int(r["cost_after_fen"]) - int(r["cost_before_fen"]),
        )
        for r in rows.iter_rows(named=True)
    ]
    monthly = sum((_monthly(c.cost_change_fen, c.period) for c in changes), Decimal(0))
    return changes, int(monthly.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _households(diff: pl.DataFrame, gained: bool, limit: int = 200) -> list[dict[str, Any]]:
    flag = (
        (~pl.col("eligible") & pl.col("eligible_after")) if gained else (pl.col("eligible") & ~pl.col("eligible_after"))
    )
    rows = diff.filter(flag).sort("household_no", "policy_id").head(limit)
    return [
        {
            "household_no": r["household_no"],
            "policy_id": r["policy_id"],
            "name": r["policy_name"],
            "amount_fen_before": int(r["amount_fen"]),
            "amount_fen_after": int(r["amount_after"]),
        }
        for r in rows.iter_rows(named=True)
    ]


def whatif_run(
    *, key: str, region_code: str, from_date: dt.date, scale: Decimal | str, as_of: dt.date, engine: str = "polars"
) -> WhatIfResult:
    """Re-run the batch over the region's households with the overlay; compare with the base."""
    base = DbParamSource()
    overlay = OverlayParamSource(base, key=key, region_code=region_code, from_date=from_date, scale=Decimal(scale))
    befores, afters, households = [], [], 0
    for county in batch.counties_of(region_code):
        persons = Person.objects.filter(prefix_q("division_code", county) & prefix_q("division_code", region_code))
        inputs = engine_inputs(persons.order_by("household_id", "pk"), as_of)
        households += inputs.households.height
        befores.append(eligibility.decide_batch(inputs, as_of, engine=engine, source=base))
        afters.append(eligibility.decide_batch(inputs, as_of, engine=engine, source=overlay))
    empty = pl.DataFrame(schema=eligibility.DECISION_COLUMNS)
    diff = compare(pl.concat(befores) if befores else empty, pl.concat(afters) if afters else empty)
    changes, monthly = summarise(diff)
    return WhatIfResult(
        key=key,
        region=region_code,
        from_date=from_date.isoformat(),
        scale=str(scale),
        as_of=as_of.isoformat(),
        households=households,
        policies=changes,
        monthly_cost_change_fen=monthly,
        gaining_households=_households(diff, True),
        losing_households=_households(diff, False),
    )
